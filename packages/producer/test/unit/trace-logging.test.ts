import { describe, expect, it } from 'vitest';
import { logLevel } from 'kafkajs';
import { isValidTraceparent, loadOtelTraceparent, traceparentFromOtel } from '../../src/internal/trace.js';
import { kafkaLogCreator, scrubFields } from '../../src/internal/logging.js';

describe('trace context', () => {
  it('formats the active span context as a W3C traceparent', () => {
    const sc = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };
    const source = traceparentFromOtel({
      context: { active: () => ({}) },
      trace: { getSpanContext: () => sc },
    });
    expect(source()).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
  });

  it('adds nothing without a span or with an invalid one', () => {
    const none = traceparentFromOtel({
      context: { active: () => ({}) },
      trace: { getSpanContext: () => undefined },
    });
    expect(none()).toBeUndefined();
    const zero = traceparentFromOtel({
      context: { active: () => ({}) },
      trace: { getSpanContext: () => ({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 }) },
    });
    expect(zero()).toBeUndefined();
    expect(isValidTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(true);
    expect(isValidTraceparent('00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01')).toBe(false);
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
