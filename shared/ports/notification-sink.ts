// Port: hands notification events to the notify function (a Message Queue in the cloud,
// the local runtime's queue or a test double locally). Delivery is at least once: event
// ids are deterministic, so the consumer recognises a redelivery.
import type { NotificationEvent } from '../domain/events.ts';

export interface NotificationSink {
  publish(events: readonly NotificationEvent[]): Promise<void>;
}
