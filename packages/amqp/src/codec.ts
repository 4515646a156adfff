import { type TaskMessage, decodeTaskMessage, encodeTaskMessage } from '@celeriac/core/adapter';

/** What a codec puts on the wire for one task message; the broker adds its own `x-celeriac-*` headers. */
export interface EncodedMessage {
  body: Buffer;
  contentType?: string;
  contentEncoding?: string;
  correlationId?: string;
  replyTo?: string;
  /** AMQP headers. Integers are sent as int32 (int64 past that range), whatever their size. */
  headers?: Record<string, unknown>;
}

/** A message as it came off a queue, for a codec to read. */
export interface IncomingMessage {
  body: Buffer;
  /** The logical queue it was taken from. */
  queue: string;
  contentType?: string | undefined;
  contentEncoding?: string | undefined;
  correlationId?: string | undefined;
  headers: Readonly<Record<string, unknown>>;
}

/**
 * The wire format of task messages: Celeriac's own JSON by default; Celery's protocol v2 comes
 * from a codec passed as the broker's `codec` option. `decode` throws an `Error` whose message is
 * the reason the message is dead-lettered (malformed, pickle, a shape that cannot be mapped).
 */
export interface AmqpCodec {
  /** Shown in errors and dead-letter reasons. */
  readonly name: string;
  encode(message: TaskMessage): EncodedMessage;
  decode(incoming: IncomingMessage): TaskMessage;
}

/** Celeriac's message as JSON in the body (`encodeTaskMessage` / `decodeTaskMessage` of core). */
export const celeriacJsonCodec: AmqpCodec = {
  name: 'celeriac-json',
  encode: (message) => ({ body: Buffer.from(encodeTaskMessage(message)), contentType: 'application/json', contentEncoding: 'utf-8' }),
  decode: (incoming) => decodeTaskMessage(incoming.body.toString('utf8')),
};

type Typed = { '!': 'int32' | 'int64'; value: number };

/**
 * Header values with every integer boxed as int32 (or int64 when it does not fit). amqplib would
 * send 128..32767 as a signed 16-bit 's' field, which RabbitMQ accepts but py-amqp reads as a
 * short string: a Python Celery worker then fails on the frame and reconnects in a loop.
 */
export function int32Headers(headers: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(headers)) if (value !== undefined) out[key] = boxIntegers(value);
  return out;
}

function boxIntegers(value: unknown): unknown {
  if (typeof value === 'number' && Number.isInteger(value)) return { '!': value >= -0x80000000 && value < 0x80000000 ? 'int32' : 'int64', value } satisfies Typed;
  if (Array.isArray(value)) return value.map(boxIntegers);
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value) && !(value instanceof Date) && !('!' in value)) {
    return int32Headers(value as Record<string, unknown>);
  }
  return value;
}
