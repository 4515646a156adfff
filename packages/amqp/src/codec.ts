import { type EncodeOptions, type ParameterNames, decodeCeleryTask, encodeCeleryTask } from '@celeriac/celery/protocol';
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
  /** The AMQP priority (0..9, higher first, as Celeriac's), if it had one. */
  priority?: number | undefined;
  headers: Readonly<Record<string, unknown>>;
}

/**
 * The wire format of task messages: Celeriac's own JSON by default, Celery's protocol v2
 * (`celeryCodec`) in celery mode, or any other passed as the broker's `codec` option. `decode` throws an `Error` whose message is
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

/** Options of {@link celeryCodec}. */
export interface CeleryCodecOptions extends EncodeOptions {
  /**
   * Parameter names per task, to map the keyword arguments Python sends onto positions. A message
   * with keyword arguments its task has no names for is dead-lettered, never guessed.
   */
  parameters?: ParameterNames;
}

/**
 * Celery's message protocol 2 with its JSON serializer, as a Celery worker and `delay()` read and
 * write it over RabbitMQ: headers `task`, `id`, `eta`, `retries`…, body `[args, kwargs, embed]`,
 * `correlation_id` the task id. Pickle, protocol 1 and unmapped kwargs are refused (dead-lettered
 * with the reason). The default codec in celery mode.
 */
export function celeryCodec(options: CeleryCodecOptions = {}): AmqpCodec {
  const { parameters, ...encodeOptions } = options;
  return {
    name: 'celery-v2',
    encode: (message) => {
      const task = encodeCeleryTask(message, encodeOptions);
      return { body: Buffer.from(task.body), contentType: task.contentType, contentEncoding: task.contentEncoding, correlationId: message.id, headers: task.headers };
    },
    decode: (incoming) =>
      decodeCeleryTask({ ...incoming.headers }, incoming.body.toString('utf8'), {
        queue: incoming.queue,
        priority: incoming.priority ?? 0,
        contentType: incoming.contentType,
        ...(parameters === undefined ? {} : { parameters }),
      }),
  };
}

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
