export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export { MemoryBroker } from './memory-broker.js';
export { type MemoryBrokerOptions, DEFAULT_MEMORY_BROKER_OPTIONS } from './internal/dead-letter-queue.js';
export { MemoryBackend, type MemoryBackendOptions, DEFAULT_MEMORY_BACKEND_OPTIONS } from './memory-backend.js';
