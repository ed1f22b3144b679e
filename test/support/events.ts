// Test helper: Yandex Cloud trigger events built the way the platform sends them, and the
// captured sample events under events/.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const eventsDir = fileURLToPath(new URL('../../events/', import.meta.url));

export function loadEvent<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(`${eventsDir}${name}`, 'utf8')) as T;
}

let seq = 0;

export function storageMessage(bucket: string, key: string, type: 'ObjectCreate' | 'ObjectUpdate' | 'ObjectDelete' = 'ObjectCreate') {
  seq++;
  return {
    event_metadata: {
      event_id: `bb1dd06d-a82c-49b4-af98-${String(seq).padStart(12, '0')}`,
      event_type: `yandex.cloud.events.storage.${type}`,
      created_at: '2023-03-10T14:17:47.847365Z',
      tracing_context: { trace_id: 'dd52ace79c62892f', span_id: '', parent_span_id: '' },
      cloud_id: 'b1gvlrnlei4l5idm9cbj',
      folder_id: 'b1g88tflru0ek86ibqr0',
    },
    details: { bucket_id: bucket, object_id: key },
  };
}

export function storageEvent(bucket: string, keys: string[], type: 'ObjectCreate' | 'ObjectUpdate' | 'ObjectDelete' = 'ObjectCreate') {
  return { messages: keys.map((k) => storageMessage(bucket, k, type)) };
}

/** A Node.js function context with a fixed remaining time. */
export function functionContext(remainingMs = 60_000) {
  return { requestId: 'req-test', functionName: 'd4e00000000000000000', getRemainingTimeInMillis: () => remainingMs };
}
