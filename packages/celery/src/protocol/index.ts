// @celeriac/celery/protocol: Celery's wire format for any transport (the Redis broker here, an
// AMQP broker in Celery mode). Pure functions: no connection, no state.

// Task messages (protocol 2, JSON serializer)
export { type CeleriacWorkflow, type CeleryCall, type CeleryHeaders, type CeleryTask, type DecodeOptions, type EncodeOptions, celeryCall, decodeCeleryTask, withCeleryCall, encodeCeleryTask } from './message.js';
export { type CeleryChordPart, type CeleryEmbed, type EmbeddedWorkflow, celeryChordOf, fromCeleryEmbed, readCeleryChord, toCeleryEmbed } from './embed.js';
export { type ParameterNames, mapKwargs } from './kwargs.js';
export { CELERY_DEFAULT_QUEUE, type CelerySignature, fromCelerySignatures, toCelerySignatures } from './signatures.js';

// Results (celery-task-meta-<id>) and exceptions
export { type CeleriacRecordExtras, type CeleryResultMeta, type DecodedRecord, fromCeleryMeta, toCeleryMeta } from './result-meta.js';
export { type CeleryException, fromCeleryException, toCeleryException } from './exceptions.js';

// Values and times as Python writes them
export { findNonJson, parsePythonJson } from './python-json.js';
export { formatCeleryTime, formatDateDone, parseCeleryTime } from './time.js';
