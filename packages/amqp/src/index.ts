export { AmqpBroker } from './amqp-broker.js';
export { type AmqpBrokerOptions, type BrokerKeyValue } from './options.js';
export { type AmqpCodec, type CeleryCodecOptions, type EncodedMessage, type IncomingMessage, celeriacJsonCodec, celeryCodec, int32Headers } from './codec.js';
export { createAmqpStore, type AmqpStoreOptions } from './amqp-store.js';
