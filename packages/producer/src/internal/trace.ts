/**
 * W3C trace context without a hard dependency on OpenTelemetry: when `@opentelemetry/api` can be loaded (the
 * application uses OpenTelemetry), the active span's context becomes a `traceparent` header; otherwise nothing.
 */

/** The slice of `@opentelemetry/api` the producer uses. */
export interface OtelApi {
  context: { active(): unknown; with<T>(ctx: unknown, fn: () => T): T };
  ROOT_CONTEXT: { setValue(key: symbol, value: unknown): unknown };
  createContextKey(description: string): symbol;
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

/** How long a producer goes on trusting that no OpenTelemetry context manager is registered before it looks again. */
export const CONTEXT_MANAGER_RECHECK_MS = 1_000;

/**
 * Whether an OpenTelemetry context manager is registered (an SDK is running): without one, OpenTelemetry's no-op
 * manager ignores `context.with` and no span can ever be active. Uses the public API only.
 */
function hasContextManager(api: OtelApi): boolean {
  const probe = api.ROOT_CONTEXT.setValue(api.createContextKey('vmware-events context manager probe'), true);
  return api.context.with(probe, () => api.context.active() === probe);
}

/**
 * Builds a traceparent reader on top of a loaded OpenTelemetry API. Until a context manager is registered, the
 * reader answers undefined at once and looks again at most every CONTEXT_MANAGER_RECHECK_MS: an application with the
 * API installed but no SDK running pays one clock read per publish instead of the context and span lookups. Once a
 * manager is seen, every call reads the active span.
 */
export function traceparentFromOtel(api: OtelApi, now: () => number = Date.now): TraceparentSource {
  let managerSeen = false;
  let checkedAt = Number.NEGATIVE_INFINITY;
  return () => {
    if (!managerSeen) {
      const time = now();
      if (time - checkedAt < CONTEXT_MANAGER_RECHECK_MS) return undefined;
      checkedAt = time;
      managerSeen = hasContextManager(api);
      if (!managerSeen) return undefined;
    }
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
    if (!api?.trace || !api.context || !api.ROOT_CONTEXT || !api.createContextKey) return undefined;
    return traceparentFromOtel(api as OtelApi);
  } catch {
    return undefined;
  }
}
