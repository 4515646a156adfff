export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export { MemoryBroker } from './memory-broker.js';
export { MemoryBackend, type MemoryBackendOptions, DEFAULT_MEMORY_BACKEND_OPTIONS } from './memory-backend.js';
