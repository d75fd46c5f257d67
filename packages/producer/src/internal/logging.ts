/**
 * Logging through the injected logger only. kafkajs's own log lines are routed there too, after removing
 * anything that could carry credentials (SASL fields, the configured username and password).
 */
import { logLevel as KafkaLogLevel } from 'kafkajs';
import type { logCreator, LogEntry } from 'kafkajs';
import type { ProducerLogger } from '../types.js';

/** A logger that discards everything (the default). */
export const SILENT_LOGGER: ProducerLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

const SECRET_FIELDS =
  /^(sasl|username|password|user|authorization|credentials?|ssl|key|cert|ca|passphrase)$/i;

/** Copies log fields, dropping the ones that may hold secrets and masking any configured secret strings. */
export function scrubFields(
  fields: Record<string, unknown>,
  secrets: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (SECRET_FIELDS.test(key)) continue;
    out[key] = typeof value === 'string' ? scrubText(value, secrets) : value;
  }
  return out;
}

/** Replaces every occurrence of a secret string with `***`. */
export function scrubText(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (secret.length > 0) result = result.split(secret).join('***');
  return result;
}

// kafkajs warns about this on every idempotent producer with bounded retries; the producer handles the risk it
// describes (a new producer id after a send that failed with an unknown outcome), so it is noise here.
const IGNORED = ['Limiting retries for the idempotent producer may invalidate EoS guarantees'];

/** A kafkajs logCreator forwarding to the injected logger with secrets scrubbed. */
export function kafkaLogCreator(logger: ProducerLogger, secrets: readonly string[]): logCreator {
  return (_level) =>
    ({ level, log }: LogEntry) => {
      const {
        message,
        timestamp: _t,
        logger: _l,
        ...rest
      } = log as { message: string } & Record<string, unknown>;
      if (IGNORED.includes(message)) return;
      const text = `kafkajs: ${scrubText(message, secrets)}`;
      const fields = scrubFields(rest, secrets);
      switch (level) {
        case KafkaLogLevel.ERROR:
          logger.error(text, fields);
          break;
        case KafkaLogLevel.WARN:
          logger.warn(text, fields);
          break;
        case KafkaLogLevel.INFO:
          logger.info(text, fields);
          break;
        case KafkaLogLevel.DEBUG:
          logger.debug(text, fields);
          break;
        case KafkaLogLevel.NOTHING:
          break;
      }
    };
}
