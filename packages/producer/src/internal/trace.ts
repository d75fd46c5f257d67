/**
 * W3C trace context without a hard dependency on OpenTelemetry: when `@opentelemetry/api` can be loaded (the
 * application uses OpenTelemetry), the active span's context becomes a `traceparent` header; otherwise nothing.
 */

/** The slice of `@opentelemetry/api` the producer uses. */
interface OtelApi {
  context: { active(): unknown };
  trace: {
    getSpanContext(ctx: unknown): { traceId: string; spanId: string; traceFlags: number } | undefined;
    isSpanContextValid?(sc: { traceId: string; spanId: string }): boolean;
  };
}

/** Returns the current `traceparent`, or undefined when there is no valid active span. */
export type TraceparentSource = () => string | undefined;

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Whether a string is a well-formed version-00 W3C traceparent (not all-zero ids). */
export function isValidTraceparent(value: string): boolean {
  return TRACEPARENT.test(value) && !/^00-0{32}-/.test(value) && !/-0{16}-[0-9a-f]{2}$/.test(value);
}

/** Builds a traceparent reader on top of a loaded OpenTelemetry API. */
export function traceparentFromOtel(api: OtelApi): TraceparentSource {
  return () => {
    const sc = api.trace.getSpanContext(api.context.active());
    if (!sc) return undefined;
    if (api.trace.isSpanContextValid && !api.trace.isSpanContextValid(sc)) return undefined;
    const value = `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
    return isValidTraceparent(value) ? value : undefined;
  };
}

/** Loads `@opentelemetry/api` if the application has it; resolves to undefined otherwise. */
export async function loadOtelTraceparent(): Promise<TraceparentSource | undefined> {
  try {
    const specifier = '@opentelemetry/api';
    const mod = (await import(specifier)) as Partial<OtelApi> & { default?: Partial<OtelApi> };
    const api = mod.trace && mod.context ? mod : mod.default;
    if (!api?.trace || !api.context) return undefined;
    return traceparentFromOtel(api as OtelApi);
  } catch {
    return undefined;
  }
}
