export { brokerConformance, type BrokerConformanceOptions } from './broker-conformance.js';
export { backendConformance, type BackendConformanceOptions } from './backend-conformance.js';
export { makeMessage } from './fixtures.js';
export { taskStoreConformance, type TaskStoreConformanceOptions } from './task-store-conformance.js';
export { expectEveryLifecycleEvent } from './lifecycle-events.js';
