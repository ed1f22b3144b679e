// The Yandex Cloud trigger events of the samples, in the shapes the platform sends
// (docs: Object Storage, timer and Message Queue trigger formats). Ids and timestamps are
// derived from the object key, never from the clock, so the files are reproducible and
// still look like real ones: UUID event ids, 16-hex trace ids, microsecond timestamps.
import { createHash } from 'node:crypto';
import { PeriodChanged } from '../../shared/domain/schemas.ts';
import { uploadIdFor } from '../../shared/domain/upload-id.ts';

export const BUCKET = 'sferum-pulse-exports';
export const KEY_PREFIX = 'uploads/26/';
const CLOUD_ID = 'b1gvlrnlei4l5idm9cbj';
const FOLDER_ID = 'b1g88tflru0ek86ibqr0';

type StorageEventType = 'ObjectCreate' | 'ObjectUpdate' | 'ObjectDelete';

const hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** A version-4-looking UUID taken from a hash: stable per input, distinct across inputs. */
function uuidOf(text: string): string {
  const h = hex(text);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A 20-character Yandex Cloud resource id (`a1s…`, `b1g…`): prefix plus base-32 digits of a hash. */
function cloudIdOf(prefix: string, text: string): string {
  const alphabet = 'abcdefghijklmnopqrstuv0123456789';
  const h = createHash('sha256').update(text).digest();
  return prefix + Array.from(h.subarray(0, 20 - prefix.length), (b) => alphabet[b % 32]).join('');
}

/** `2023-03-13T07:04:00` plus six digits of microseconds from the hash, as the platform writes them. */
function timestampOf(isoSecond: string, text: string): string {
  return `${isoSecond}.${String(parseInt(hex(text).slice(0, 8), 16) % 1_000_000).padStart(6, '0')}Z`;
}

export function storageMessage(type: StorageEventType, key: string, atSecond: string) {
  const seed = `${type} ${key} ${atSecond}`;
  return {
    event_metadata: {
      event_id: uuidOf(seed),
      event_type: `yandex.cloud.events.storage.${type}`,
      created_at: timestampOf(atSecond, seed),
      tracing_context: { trace_id: hex(`trace ${seed}`).slice(0, 16), span_id: '', parent_span_id: '' },
      cloud_id: CLOUD_ID,
      folder_id: FOLDER_ID,
    },
    details: { bucket_id: BUCKET, object_id: key },
  };
}

export function storageEvent(type: StorageEventType, uploads: { key: string; at: string }[]) {
  return { messages: uploads.map((u) => storageMessage(type, u.key, u.at)) };
}

export function timerEvent(payload: string, atSecond: string) {
  const seed = `timer ${payload} ${atSecond}`;
  return {
    messages: [
      {
        event_metadata: {
          event_id: cloudIdOf('a1s', seed),
          event_type: 'yandex.cloud.events.serverless.triggers.TimerMessage',
          created_at: timestampOf(atSecond, seed),
          cloud_id: CLOUD_ID,
          folder_id: FOLDER_ID,
        },
        details: { trigger_id: cloudIdOf('a1s', `trigger ${payload}`), payload },
      },
    ],
  };
}

/**
 * The PeriodChanged message the ingest function publishes after accepting `key`, as the
 * YMQ trigger delivers it; the upload id is the one ingest derives from the file's bytes.
 */
export function periodChangedEvent(key: string, bytes: Uint8Array, period: { start: string; end: string }, atSecond: string) {
  const uploadId = uploadIdFor({ bucket: BUCKET, key, sha256: createHash('sha256').update(bytes).digest('hex') });
  const changedAt = new Date(Date.parse(`${atSecond}Z`) - 1000).toISOString();
  const body = JSON.stringify(PeriodChanged.parse({ type: 'period_changed', region: '26', period, upload_id: uploadId, changed_at: changedAt }));
  const seed = `ymq ${key} ${atSecond}`;
  const id = uuidOf(seed);
  return {
    messages: [
      {
        event_metadata: {
          event_id: id,
          event_type: 'yandex.cloud.events.messagequeue.QueueMessage',
          created_at: timestampOf(atSecond, seed),
        },
        details: {
          queue_id: `yrn:yc:ymq:ru-central1:${FOLDER_ID}:sferum-pulse-period-changed`,
          message: {
            message_id: id,
            md5_of_body: createHash('md5').update(body).digest('hex'),
            body,
            attributes: { SentTimestamp: String(Date.parse(changedAt)) },
            message_attributes: {},
            md5_of_message_attributes: '',
          },
        },
      },
    ],
  };
}

/** `2023-03-03` → the Monday after it, when the admins upload the week's export. */
export function uploadDay(periodEnd: string): string {
  const d = new Date(`${periodEnd}T00:00:00Z`);
  do d.setUTCDate(d.getUTCDate() + 1);
  while (d.getUTCDay() !== 1);
  return d.toISOString().slice(0, 10);
}
