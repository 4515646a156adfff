import type { ProcessTrace, SendTrace, TaskTracing } from '@celeriac/core';
import type { StateUpdate, TaskMessage } from '@celeriac/core/adapter';
import { type Attributes, ProxyTracerProvider, type Span, SpanKind, SpanStatusCode, type Tracer, type TracerProvider, context, isSpanContextValid, trace } from '@opentelemetry/api';
import { fromTraceContext, toTraceContext } from './trace-context.js';
import { VERSION } from './version.js';

export interface OpenTelemetryOptions {
  /** Where spans go. @defaultValue the global tracer provider (the one your OpenTelemetry SDK registers) */
  tracerProvider?: TracerProvider;
}

/** The tracer's name (its instrumentation scope). */
export const TRACER_NAME = '@celeriac/opentelemetry';

/**
 * Tracing for `new Celeriac({ tracing: openTelemetry() })`, through `@opentelemetry/api` only: a
 * PRODUCER span per task sent, its context carried in the message (`message.trace`), and a CONSUMER
 * span around each run, a child of it, following the OpenTelemetry messaging semantic conventions.
 * Without an SDK (the global provider with nothing registered) no span is started at all and
 * nothing is added to messages; registering one later turns tracing on from the next task.
 */
export function openTelemetry(options: OpenTelemetryOptions = {}): TaskTracing {
  const provider = options.tracerProvider;
  if (provider !== undefined && typeof provider.getTracer !== 'function') throw new TypeError('openTelemetry({ tracerProvider }): must be an OpenTelemetry TracerProvider (with getTracer)');
  // The global tracer is a proxy: an SDK registered after this call still gets the spans.
  const tracer: Tracer = (provider ?? trace.getTracerProvider()).getTracer(TRACER_NAME, VERSION);
  const noSdk = provider === undefined ? globalHasNoSdk : () => false;
  return {
    send(message: TaskMessage, batch: number): SendTrace {
      if (noSdk()) return ignore;
      const attributes = messageAttributes(message, 'send');
      if (batch > 1) attributes['messaging.batch.message_count'] = batch;
      const span = tracer.startSpan(`send ${message.queue}`, { kind: SpanKind.PRODUCER, attributes });
      const spanContext = span.spanContext();
      // A span that is not recording but valid (sampled out under a live parent) still carries
      // its trace on: the sampling decision travels with it. The API's no-op span is not valid.
      if (isSpanContextValid(spanContext)) message.trace = toTraceContext(spanContext);
      return (error?: unknown) => end(span, error);
    },
    process(message: TaskMessage, worker: string): ProcessTrace {
      if (noSdk()) return untraced;
      const attributes = messageAttributes(message, 'process');
      attributes['celeriac.worker'] = worker;
      const span = tracer.startSpan(`process ${message.queue}`, { kind: SpanKind.CONSUMER, attributes }, fromTraceContext(message.trace));
      let ended = false;
      return {
        within: (run) => context.with(trace.setSpan(context.active(), span), run),
        stored: (update: StateUpdate) => {
          if (!span.isRecording()) return;
          span.setAttribute('celeriac.task.state', update.state);
          if (update.error !== undefined && (update.state === 'FAILURE' || update.state === 'RETRY')) {
            span.recordException({ name: update.error.type, message: update.error.message, ...(update.error.stack === undefined ? {} : { stack: update.error.stack }) });
            span.setStatus({ code: SpanStatusCode.ERROR, message: update.error.message });
          }
        },
        end: (error?: unknown) => {
          if (ended) return;
          ended = true;
          end(span, error);
        },
      };
    },
  };
}

/** The API's own no-op provider: what the global proxy delegates to while no SDK is registered. */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/** Whether the global tracer provider has no SDK behind it (every span would be a no-op). */
function globalHasNoSdk(): boolean {
  const global = trace.getTracerProvider();
  return global instanceof ProxyTracerProvider && global.getDelegate() === NOOP_PROVIDER;
}

function ignore(): void {}

/** The process trace of a run while no SDK is registered: the run as it is, nothing recorded. */
const untraced: ProcessTrace = { within: (run) => run(), stored: ignore, end: ignore };

function messageAttributes(message: TaskMessage, operation: 'send' | 'process'): Attributes {
  return {
    'messaging.system': 'celeriac',
    'messaging.operation.type': operation,
    'messaging.operation.name': operation,
    'messaging.destination.name': message.queue,
    'messaging.message.id': message.id,
    'celeriac.task.name': message.task,
    'celeriac.task.attempt': message.attempt,
  };
}

function end(span: Span, error: unknown): void {
  if (error !== undefined) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}
