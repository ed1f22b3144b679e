// Adapter: the `log` channel (and the default for unrouted events): one JSON line with the
// message. The text holds organisation-level data only (scope names, metrics, values).
import type { ChannelSender, OutboundMessage, SendOutcome } from '../../ports/channel.ts';
import type { Logger } from '../../ports/logger.ts';

export class LogSender implements ChannelSender {
  readonly kind = 'log' as const;
  constructor(private readonly log: Pick<Logger, 'info'>) {}

  async send(msg: OutboundMessage): Promise<SendOutcome> {
    this.log.info('notify.message', {
      channel_id: msg.channelId,
      delivery_id: msg.deliveryId,
      items: msg.message.payload.items.length,
      subject: msg.message.subject,
      text: msg.message.text,
    });
    return { kind: 'delivered' };
  }
}
