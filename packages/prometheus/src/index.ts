export { type CeleriacMetrics, type MetricsSource, celeriacMetrics } from './metrics.js';
export type { CeleriacMetricsOptions } from './options.js';
export { type MetricsServer, type MetricsServerOptions, serveMetrics } from './serve.js';
