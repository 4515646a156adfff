import type { TraceContext } from '@celeriac/core/adapter';
import { type Context, ROOT_CONTEXT, type SpanContext, createTraceState, isSpanContextValid, trace } from '@opentelemetry/api';

/**
 * The message's trace context in the W3C Trace Context format, written and read here rather than
 * through the global propagator: the message field is defined as W3C whatever propagator an app
 * registers for HTTP, and an app that registers none still links its spans.
 */
export function toTraceContext(span: SpanContext): TraceContext {
  const traceparent = `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
  const tracestate = span.traceState?.serialize();
  return tracestate === undefined || tracestate === '' ? { traceparent } : { traceparent, tracestate };
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The context continuing `carried` (a remote parent), or the root context if it is missing or malformed. */
export function fromTraceContext(carried: TraceContext | undefined): Context {
  if (carried === undefined) return ROOT_CONTEXT;
  const match = TRACEPARENT.exec(carried.traceparent.trim());
  // Version ff is invalid; a future version may append fields, version 00 may not.
  if (match === null || match[1] === 'ff' || (match[1] === '00' && match[5] !== undefined)) return ROOT_CONTEXT;
  const span: SpanContext = { traceId: match[2] as string, spanId: match[3] as string, traceFlags: Number.parseInt(match[4] as string, 16), isRemote: true };
  if (carried.tracestate !== undefined) span.traceState = createTraceState(carried.tracestate);
  return isSpanContextValid(span) ? trace.setSpanContext(ROOT_CONTEXT, span) : ROOT_CONTEXT;
}
