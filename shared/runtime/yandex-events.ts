// Runtime: zod envelopes of the Yandex Cloud trigger events, exactly as the platform sends
// them (research: Object Storage, Timer, Message Queue). Handlers parse with these at the
// edge; nothing deeper sees a Yandex event shape.
import { z } from 'zod';

const EventMetadata = z.object({
  event_id: z.string(),
  event_type: z.string(),
  created_at: z.string(),
  cloud_id: z.string().optional(),
  folder_id: z.string().optional(),
});

export const StorageEventType = {
  Create: 'yandex.cloud.events.storage.ObjectCreate',
  Update: 'yandex.cloud.events.storage.ObjectUpdate',
  Delete: 'yandex.cloud.events.storage.ObjectDelete',
} as const;

export const ObjectStorageMessage = z.object({
  event_metadata: EventMetadata,
  details: z.object({ bucket_id: z.string().min(1), object_id: z.string().min(1) }),
});
export const ObjectStorageEvent = z.object({ messages: z.array(ObjectStorageMessage).min(1) });
export type ObjectStorageEvent = z.infer<typeof ObjectStorageEvent>;
export type ObjectStorageMessage = z.infer<typeof ObjectStorageMessage>;

export const TimerEvent = z.object({
  messages: z
    .array(
      z.object({
        event_metadata: EventMetadata,
        details: z.object({ trigger_id: z.string(), payload: z.string().optional() }),
      }),
    )
    .min(1),
});
export type TimerEvent = z.infer<typeof TimerEvent>;

export const QueueMessage = z.object({
  event_metadata: EventMetadata,
  details: z.object({
    queue_id: z.string(),
    message: z.object({
      message_id: z.string(),
      md5_of_body: z.string().optional(),
      body: z.string(),
      attributes: z.record(z.string(), z.string()).optional(),
      message_attributes: z.record(z.string(), z.unknown()).optional(),
    }),
  }),
});
export const QueueEvent = z.object({ messages: z.array(QueueMessage).min(1) });
export type QueueEvent = z.infer<typeof QueueEvent>;

/** The Node.js `context` (second handler argument) as far as the pipeline uses it. */
export type FunctionContext = {
  readonly requestId?: string;
  readonly functionName?: string;
  getRemainingTimeInMillis?: () => number;
};

/**
 * Candidate object keys for an `object_id`. Whether Yandex URL-encodes keys (as AWS does)
 * is unconfirmed, so the raw id is tried first and the decoded form second; a key that
 * really contains `%41` still resolves to itself.
 */
export function objectKeyCandidates(objectId: string): string[] {
  if (!/%[0-9A-Fa-f]{2}/.test(objectId)) return [objectId];
  try {
    const decoded = decodeURIComponent(objectId.replace(/\+/g, ' '));
    return decoded === objectId ? [objectId] : [objectId, decoded];
  } catch {
    return [objectId];
  }
}
