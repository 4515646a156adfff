import { MAX_PRIORITY, type ResultBackend, optionChecker } from '@celeriac/core/adapter';
import { type AmqpCodec, celeriacJsonCodec, celeryCodec } from './codec.js';

/**
 * Where the broker keeps what RabbitMQ cannot: revoked ids, delivery counts, rate windows. Any
 * `ResultBackend` is one (pass the one you pair the broker with in `splitStore`): keys are written
 * under `amqp:`, and `get` tells whether a foreign message's id is in use.
 */
export type BrokerKeyValue = Pick<ResultBackend, 'compareAndSet' | 'getValue' | 'get'>;

export interface AmqpBrokerOptions {
  /** `amqp://user:pass@host:port/vhost`. */
  url: string;
  /** Revoked ids, delivery counts and rate windows are kept here, shared by every process. */
  backend: BrokerKeyValue;
  /**
   * `'celeriac'` (default): queues named `<prefix>.<queue>`, declared with `x-max-priority` and a
   * dead-letter exchange. `'celery'`: Celery's conventions — the queue is named as the queue, is
   * published to through the default exchange `""` with its name as routing key, and is declared
   * with Celery's arguments (none, or `x-max-priority` when `maxPriority` is set), so either side
   * may declare it first without a 406.
   */
  mode?: 'celeriac' | 'celery';
  /** Prefix of the exchanges and queues the broker owns (delays, dead letters, revocations). @defaultValue `'celeriac'` */
  prefix?: string;
  /** `x-max-priority` of work queues, 1..9. @defaultValue 9 in celeriac mode, none in celery mode (as Celery's `task_queue_max_priority`) */
  maxPriority?: number;
  /** The wire format. @defaultValue Celeriac's JSON message; `celeryCodec()` (Celery's protocol 2) in celery mode */
  codec?: AmqpCodec;
  /** Queues to declare at connection and to search when revoking (besides those this process has used). */
  queues?: readonly string[];
  /** How many dead letters are kept (`x-max-length`, oldest dropped). @defaultValue 10_000 */
  deadLetterLimit?: number;
  /** How long a dead letter is kept, in ms (`x-message-ttl`). @defaultValue 7 days */
  deadLetterTtl?: number;
  /** How long a revoked id is remembered, in ms. @defaultValue 1 day */
  revokedTtl?: number;
  /** How many waiting messages of one queue `revoke` looks through for the one it removes. @defaultValue 10_000 */
  revokeScanLimit?: number;
}

export interface ResolvedAmqpOptions {
  url: string;
  backend: BrokerKeyValue;
  mode: 'celeriac' | 'celery';
  prefix: string;
  maxPriority: number | undefined;
  codec: AmqpCodec;
  queues: readonly string[];
  deadLetterLimit: number;
  deadLetterTtl: number;
  revokedTtl: number;
  revokeScanLimit: number;
}

const KNOWN = ['url', 'backend', 'mode', 'prefix', 'maxPriority', 'codec', 'queues', 'deadLetterLimit', 'deadLetterTtl', 'revokedTtl', 'revokeScanLimit'];
/** RabbitMQ's `x-message-ttl` is an unsigned 32-bit count of ms. */
const MAX_TTL_MS = 2 ** 32 - 1;

/** Checks every option at construction; an invalid one throws an `InvalidOptionError` naming it. */
export function resolveAmqpOptions(given: AmqpBrokerOptions): ResolvedAmqpOptions {
  const check = optionChecker('AmqpBroker');
  const options = check.object(given);
  check.unknownKeys(options, KNOWN);
  if (typeof given.url !== 'string' || !/^amqps?:\/\//.test(given.url)) check.fail('url', `must be an amqp:// or amqps:// URL, got ${typeof given.url === 'string' ? JSON.stringify(given.url) : typeof given.url}`);
  const backend = given.backend as Partial<BrokerKeyValue> | undefined;
  if (typeof backend?.compareAndSet !== 'function' || typeof backend.getValue !== 'function' || typeof backend.get !== 'function') {
    check.fail('backend', 'must have compareAndSet, getValue and get (a ResultBackend, e.g. the one paired with the broker in splitStore)');
  }
  const mode = given.mode ?? 'celeriac';
  if (mode !== 'celeriac' && mode !== 'celery') check.fail('mode', `must be 'celeriac' or 'celery', got ${JSON.stringify(mode)}`);
  const prefix = check.name('prefix', given.prefix ?? 'celeriac');
  let maxPriority = given.maxPriority ?? (mode === 'celeriac' ? MAX_PRIORITY : undefined);
  if (maxPriority !== undefined) maxPriority = check.priority('maxPriority', maxPriority);
  const codec = given.codec ?? (mode === 'celery' ? celeryCodec() : celeriacJsonCodec);
  if (typeof codec?.encode !== 'function' || typeof codec.decode !== 'function') check.fail('codec', 'must have encode and decode');
  const queues = given.queues ?? [];
  if (!Array.isArray(queues)) check.fail('queues', 'must be an array of queue names');
  queues.forEach((queue, i) => check.name(`queues[${i}]`, queue));
  const ttl = (option: string, value: number) => {
    const ms = check.positiveInt(option, value);
    if (ms > MAX_TTL_MS) check.fail(option, `must be at most ${MAX_TTL_MS} ms (RabbitMQ's limit), got ${ms}`);
    return ms;
  };
  return {
    url: given.url,
    backend: given.backend,
    mode,
    prefix,
    maxPriority,
    codec,
    queues,
    deadLetterLimit: check.positiveInt('deadLetterLimit', given.deadLetterLimit ?? 10_000),
    deadLetterTtl: ttl('deadLetterTtl', given.deadLetterTtl ?? 7 * 86_400_000),
    revokedTtl: check.positiveInt('revokedTtl', given.revokedTtl ?? 86_400_000),
    revokeScanLimit: check.positiveInt('revokeScanLimit', given.revokeScanLimit ?? 10_000),
  };
}
