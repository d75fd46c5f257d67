import { describe, expect, it } from 'vitest';
import { logLevel } from 'kafkajs';
import {
  CONTEXT_MANAGER_RECHECK_MS,
  isValidTraceparent,
  loadOtelTraceparent,
  traceparentFromOtel,
} from '../../src/internal/trace.js';
import { kafkaLogCreator, scrubFields } from '../../src/internal/logging.js';

/** A stand-in for @opentelemetry/api: `managed` says whether a context manager is registered (then `with` works). */
function fakeOtel(spanContext: () => { traceId: string; spanId: string; traceFlags: number } | undefined) {
  const state = { managed: true, active: {} as unknown, spanLookups: 0 };
  const api = {
    context: {
      active: () => state.active,
      with: <T>(ctx: unknown, fn: () => T): T => {
        if (!state.managed) return fn();
        const before = state.active;
        state.active = ctx;
        try {
          return fn();
        } finally {
          state.active = before;
        }
      },
    },
    ROOT_CONTEXT: { setValue: () => ({}) },
    createContextKey: (description: string) => Symbol(description),
    trace: {
      getSpanContext: () => {
        state.spanLookups++;
        return spanContext();
      },
    },
  };
  return { api, state };
}

describe('trace context', () => {
  const sc = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };

  it('formats the active span context as a W3C traceparent', () => {
    const source = traceparentFromOtel(fakeOtel(() => sc).api);
    expect(source()).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
  });

  it('adds nothing without a span or with an invalid one', () => {
    const none = traceparentFromOtel(fakeOtel(() => undefined).api);
    expect(none()).toBeUndefined();
    const zero = traceparentFromOtel(
      fakeOtel(() => ({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 })).api,
    );
    expect(zero()).toBeUndefined();
    expect(isValidTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(true);
    expect(isValidTraceparent('00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01')).toBe(false);
  });

  it('skips the span lookup while no context manager is registered, and notices one within the recheck time', () => {
    const { api, state } = fakeOtel(() => sc);
    state.managed = false;
    let time = 10_000;
    const source = traceparentFromOtel(api, () => time);
    expect(source()).toBeUndefined();
    time += CONTEXT_MANAGER_RECHECK_MS - 1;
    state.managed = true; // an SDK starts
    expect(source()).toBeUndefined(); // not looked at again yet
    expect(state.spanLookups).toBe(0);
    time += 1;
    expect(source()).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    time += 60_000;
    expect(source()).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(state.spanLookups).toBe(2);
  });

  it('tells a running OpenTelemetry SDK from the bare API with the real @opentelemetry/api', async () => {
    const otel = await import('@opentelemetry/api');
    const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
    let time = 0;
    const source = traceparentFromOtel(otel, () => time);
    const inSpan = () =>
      otel.context.with(otel.trace.setSpanContext(otel.context.active(), sc), () => source());
    expect(inSpan()).toBeUndefined(); // the API alone: no context manager, so no span can be active
    const manager = new AsyncLocalStorageContextManager().enable();
    otel.context.setGlobalContextManager(manager);
    try {
      time += CONTEXT_MANAGER_RECHECK_MS;
      expect(inSpan()).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
      expect(source()).toBeUndefined(); // outside the span
    } finally {
      otel.context.disable();
    }
  });

  it('loads @opentelemetry/api when the application has it', async () => {
    expect(typeof (await loadOtelTraceparent())).toBe('function');
  });
});

describe('log scrubbing', () => {
  it('drops credential fields and masks configured secrets', () => {
    expect(
      scrubFields({ broker: 'b:1', sasl: { username: 'u' }, username: 'u', note: 'user bob-7 failed' }, [
        'bob-7',
      ]),
    ).toEqual({
      broker: 'b:1',
      note: 'user *** failed',
    });
  });

  it('forwards kafkajs lines to the injected logger without secrets', () => {
    const lines: string[] = [];
    const push = (level: string) => (m: string, f?: Record<string, unknown>) =>
      lines.push(`${level} ${m} ${JSON.stringify(f)}`);
    const log = kafkaLogCreator(
      { debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') },
      ['alice', 'pw1'],
    )(logLevel.DEBUG);
    log({
      namespace: 'x',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: {
        message: 'SASL failed for alice',
        timestamp: 't',
        logger: 'kafkajs',
        sasl: { password: 'pw1' },
      },
    });
    log({
      namespace: 'x',
      level: logLevel.WARN,
      label: 'WARN',
      log: {
        message: 'Limiting retries for the idempotent producer may invalidate EoS guarantees',
        timestamp: 't',
        logger: 'kafkajs',
      },
    });
    expect(lines).toEqual(['error kafkajs: SASL failed for *** {}']);
  });
});
