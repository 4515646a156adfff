/**
 * Every Redis key and channel of one deployment, from one place. All keys start with `{prefix}`:
 * the braces are a Redis Cluster hash tag, so a deployment's keys share one slot and every Lua
 * script may touch any of them.
 *
 * Broker: per message a field in each of the hashes `body` (the compact stored message, see
 * message-fields.ts), `meta` (score and ready key) and `dlv` (deliveries that ended unacknowledged; absent for most), so a batch of
 * messages is one multi-element command per hash; `routes` maps a ready or inbox key to its
 * queue's delayed key and name;
 * `ready:<len>:<queue>:<task>` zset of ids by priority rank then arrival (the queue's length makes
 * the name unambiguous when names contain ':'); `readykeys:<queue>` set of a queue's ready keys;
 * `delayed:<queue>` zset by eta; `inbox:<queue>` list for foreign producers; `leases` zset
 * "<token>:<id>" by expiry; `revoked` zset by time; `dead` zset by time with `reasons` hash;
 * `paused` set of paused queue names.
 * `leases` holds one member that is no lease, and `meta` and `run` one field that is no message:
 * they keep Redis's skiplist and hashtable encodings (see lua/includes/leaseJobId.lua and bulk.lua).
 * Backend: `rec:<id>` string per task record; `gm:` group members; `kv:` values; for the admin
 * API, `done:<state>` list per finished state ("<ms> <id>", or "+<ms> <id>" for a task whose body is
 * kept for its record; newest first, bounded) and `tl:<id>`
 * string per task, its timeline but the first line, which its record carries (see
 * lua/includes/taskLists.lua and timelines.lua); `remembered` zset of the ids whose messages
 * another broker holds, when the store is a split pair's backend (internal/task-listing.ts).
 * A live message (one with a `meta` field: waiting, running or dead) without a record implies its
 * PENDING record, or its STARTED record if the hash `run` holds its start time (see
 * lua/includes/impliedRecord.lua), so the backend reads `body`, `meta` and `run` too. A settle
 * keeps a finished task's `body` field (not its `meta`) for its record, until its entry leaves
 * its finished list (see lua/includes/taskLists.lua): a body alone implies nothing.
 * Both: `replay:<call token>` keeps a record-changing or publishing call's reply for a minute, for
 * a resend of that call after a reconnect (see replayedReply in lua/includes/records.lua).
 * Every key a script touches is passed in its KEYS, except the per-message keys a batch reaches by
 * name (records, ready, delayed and rate keys), which it builds from prefixes and ids.
 */
export interface BrokerKeys {
  readonly seq: string;
  readonly tokens: string;
  readonly leases: string;
  readonly revoked: string;
  readonly dead: string;
  readonly reasons: string;
  readonly body: string;
  readonly meta: string;
  readonly dlv: string;
  /** Implied starts (id -> ms), see lua/includes/impliedRecord.lua. */
  readonly run: string;
  readonly routes: string;
  /** Paused queues (a set of names): the reserve gives nothing of them, and nothing is handed off while any is paused. */
  readonly paused: string;
  readonly wakePrefix: string;
  readonly revokeChannel: string;
  /** Where the call named `token` keeps its reply (see lua/includes/records.lua). */
  replay(token: string): string;
  ready(queue: string, task: string): string;
  readyKeys(queue: string): string;
  delayed(queue: string): string;
  inbox(queue: string): string;
  rate(task: string): string;
  wake(queue: string): string;
}

export interface BackendKeys {
  readonly recordPrefix: string;
  /** The broker's `body` hash: live messages, whose PENDING records are implied, and finished tasks' kept for their records. */
  readonly bodies: string;
  /** The broker's `meta` hash: a message with a field in it is live (waiting, running or dead). */
  readonly meta: string;
  /** The broker's `run` hash: starts of runs whose STARTED records are implied. */
  readonly run: string;
  /** The broker's `leases` zset: an update made for a delivery is applied only while its lease is held. */
  readonly leases: string;
  /** Where the call named `token` keeps its reply (see lua/includes/records.lua). */
  replay(token: string): string;
  readonly eventPrefix: string;
  record(id: string): string;
  events(id: string): string;
  /**
   * The follow channel, `ev:*`: whoever follows any task's events is subscribed to it too, so a
   * script settling many tasks asks one channel whether anyone listens before asking each task's
   * (see lua/includes/watchedChannels.lua). A plain channel, not a pattern; a task
   * named `*` would share it, which costs only needless checks.
   */
  readonly followChannel: string;
  groupMembers(groupId: string): string;
  value(key: string): string;
  /** The finished lists, of "<ms> <id>" (or "+<ms> <id>") newest first: SUCCESS, FAILURE, REVOKED (see lua/includes/taskLists.lua). */
  readonly taskLists: readonly [success: string, failure: string, revoked: string];
  /** A task's timeline string: `tl:<id>`, the record prefix's sibling (the scripts derive it from `recordPrefix`). */
  timeline(id: string): string;
  /**
   * Ids of the tasks whose messages another broker holds (`ResultBackend.remember`, a split pair's):
   * a zset by the time remembered, from which the listing reads their live records.
   */
  readonly remembered: string;
}

export function brokerKeys(prefix: string): BrokerKeys {
  const p = `{${prefix}}`;
  const wakePrefix = `${p}:wake:`;
  return {
    seq: `${p}:seq`,
    tokens: `${p}:tokens`,
    leases: leasesKey(p),
    revoked: `${p}:revoked`,
    dead: `${p}:dead`,
    reasons: `${p}:reasons`,
    body: bodiesKey(p),
    meta: metaKey(p),
    dlv: `${p}:dlv`,
    run: runKey(p),
    routes: `${p}:routes`,
    paused: `${p}:paused`,
    wakePrefix,
    revokeChannel: `${p}:revocations`,
    replay: (token) => replayKey(p, token),
    ready: (queue, task) => `${p}:ready:${queue.length}:${queue}:${task}`,
    readyKeys: (queue) => `${p}:readykeys:${queue}`,
    delayed: (queue) => `${p}:delayed:${queue}`,
    inbox: (queue) => `${p}:inbox:${queue}`,
    rate: (task) => `${p}:rate:${task}`,
    wake: (queue) => wakePrefix + queue,
  };
}

export function backendKeys(prefix: string): BackendKeys {
  const p = `{${prefix}}`;
  const recordPrefix = `${p}:rec:`;
  const eventPrefix = `${p}:ev:`;
  return {
    recordPrefix,
    bodies: bodiesKey(p),
    meta: metaKey(p),
    run: runKey(p),
    leases: leasesKey(p),
    replay: (token) => replayKey(p, token),
    eventPrefix,
    record: (id) => recordPrefix + id,
    events: (id) => eventPrefix + id,
    followChannel: `${eventPrefix}*`,
    groupMembers: (groupId) => `${p}:gm:${groupId}`,
    value: (key) => `${p}:kv:${key}`,
    taskLists: [`${p}:done:SUCCESS`, `${p}:done:FAILURE`, `${p}:done:REVOKED`],
    timeline: (id) => `${p}:tl:${id}`,
    remembered: `${p}:remembered`,
  };
}

function bodiesKey(p: string): string {
  return `${p}:body`;
}

function metaKey(p: string): string {
  return `${p}:meta`;
}

function leasesKey(p: string): string {
  return `${p}:leases`;
}

function runKey(p: string): string {
  return `${p}:run`;
}

function replayKey(p: string, token: string): string {
  return `${p}:replay:${token}`;
}

/** Every key of a deployment matches this (for tests and tooling that clean up). */
export function keyPattern(prefix: string): string {
  return `{${prefix}}:*`;
}
