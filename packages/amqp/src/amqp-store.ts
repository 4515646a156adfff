import { type ResultBackend, type TaskStore, splitStore } from '@celeriac/core/adapter';
import { AmqpBroker } from './amqp-broker.js';
import type { AmqpBrokerOptions } from './options.js';

/** The broker's options, with a whole result backend (records go there; the broker keeps its keys there too). */
export interface AmqpStoreOptions extends Omit<AmqpBrokerOptions, 'backend'> {
  backend: ResultBackend;
}

/**
 * A `TaskStore` of RabbitMQ for messages and `backend` for records: `splitStore(new AmqpBroker(…), backend)`.
 * Closing the store closes both.
 */
export function createAmqpStore(options: AmqpStoreOptions): TaskStore {
  return splitStore(new AmqpBroker(options), options.backend);
}
