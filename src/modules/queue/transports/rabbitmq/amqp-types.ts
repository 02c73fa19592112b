/**
 * The slice of amqplib's channel API this transport uses. @types/amqplib is not installed (only
 * the library, under golevelup), so these are declared here rather than typed as `any`; they
 * match amqplib 0.10.
 */
export interface AmqpMessage {
  content: Buffer;
  fields: { deliveryTag: number; redelivered: boolean; routingKey: string; exchange: string };
  properties: { headers?: Record<string, unknown>; messageId?: string; type?: string };
}

export interface AmqpPublishOptions {
  persistent?: boolean;
  contentType?: string;
  messageId?: string;
  type?: string;
  timestamp?: number;
  expiration?: string;
  headers?: Record<string, unknown>;
  /** Ask the broker to return a message no queue is bound to take (basic.return). */
  mandatory?: boolean;
}

export interface AmqpChannel {
  assertExchange(name: string, type: string, options: { durable: boolean }): Promise<unknown>;
  assertQueue(
    name: string,
    options: { durable: boolean; arguments?: Record<string, unknown> },
  ): Promise<unknown>;
  bindQueue(queue: string, exchange: string, pattern: string): Promise<unknown>;
  unbindQueue(queue: string, exchange: string, pattern: string): Promise<unknown>;
  checkQueue(name: string): Promise<{ queue: string; messageCount: number; consumerCount: number }>;
  deleteQueue(name: string): Promise<unknown>;
  deleteExchange(name: string): Promise<unknown>;
  prefetch(count: number, global?: boolean): Promise<unknown>;
  consume(
    queue: string,
    onMessage: (msg: AmqpMessage | null) => void,
    options: { noAck: boolean },
  ): Promise<{ consumerTag: string }>;
  cancel(consumerTag: string): Promise<unknown>;
  /** basic.get: one message, or false when the queue is empty. */
  get(queue: string, options: { noAck: boolean }): Promise<AmqpMessage | false>;
  ack(msg: AmqpMessage): void;
  nack(msg: AmqpMessage, allUpTo?: boolean, requeue?: boolean): void;
  close(): Promise<void>;
  /** The server closing the channel (404, 406...) is emitted as 'error'. */
  on(event: 'error', listener: (err: Error) => void): unknown;
  /** A mandatory message no queue took comes back (before its confirm) as 'return'. */
  on(event: 'return', listener: (msg: AmqpMessage) => void): unknown;
}

/** amqplib's connection (ChannelModel), as far as it is used here. */
export interface AmqpConnectionModel {
  createChannel(): Promise<AmqpChannel>;
}
