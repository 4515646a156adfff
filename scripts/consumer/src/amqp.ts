// @celeriac/amqp as installed from its tarball: it loads, its types compose with splitStore, and
// options are checked at construction. No RabbitMQ here: nothing connects until first use.
import { InvalidOptionError } from '@celeriac/core';
import { splitStore, type TaskStore } from '@celeriac/core/adapter';
import { MemoryBackend } from '@celeriac/memory';
import { AmqpBroker, celeriacJsonCodec, createAmqpStore } from '@celeriac/amqp';

const backend = new MemoryBackend();
const store: TaskStore = splitStore(new AmqpBroker({ url: 'amqp://127.0.0.1:1', backend, mode: 'celery', codec: celeriacJsonCodec }), backend);
const other: TaskStore = createAmqpStore({ url: 'amqp://127.0.0.1:1', backend, prefix: 'app' });
let refused = false;
try {
  new AmqpBroker({ url: 'amqp://127.0.0.1:1', backend, maxPriority: 99 });
} catch (error) {
  refused = error instanceof InvalidOptionError && /maxPriority/.test(error.message);
}
if (!refused) throw new Error('an invalid maxPriority was not refused by name');
void Promise.all([store.close(), other.close()]).then(() => console.log('consumer ok: @celeriac/amqp loads, composes with splitStore, checks its options'));
