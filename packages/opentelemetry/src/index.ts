export { type OpenTelemetryOptions, TRACER_NAME, openTelemetry } from './tracing.js';
