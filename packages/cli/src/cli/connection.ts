/**
 * How the command reaches Kafka: for now only `--brokers` / `KAFKA_BROKERS` and `--client-id`, read in this one
 * function. The shared connection configuration of issue 12 (TLS, SASL, a config file) replaces it here, and only
 * here.
 */
import kafkajs from 'kafkajs';
import type { Admin } from 'kafkajs';
import { UsageError } from './io.js';

/** Connection settings of the command. */
export interface Connection {
  brokers: string[];
  clientId: string;
}

/** The flags every command that talks to Kafka accepts (node:util parseArgs options). */
export const CONNECTION_FLAGS = {
  brokers: { type: 'string' },
  'client-id': { type: 'string' },
} as const;

/** Help text for {@link CONNECTION_FLAGS}. */
export const CONNECTION_HELP = `Connection:
  --brokers <host:port,...>  bootstrap brokers (default: $KAFKA_BROKERS)
  --client-id <id>           Kafka client id (default: vmware-events-cli)`;

const HOST_PORT = /^[^\s:,]+:\d{1,5}$/;

/** Connection settings from flags, then the environment. Throws {@link UsageError} naming what is wrong. */
export function resolveConnection(
  flags: { brokers?: string | undefined; 'client-id'?: string | undefined },
  env: Readonly<Record<string, string | undefined>>,
): Connection {
  const raw = flags.brokers ?? env.KAFKA_BROKERS ?? '';
  const brokers = raw
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers.length === 0)
    throw new UsageError('--brokers is required (or set KAFKA_BROKERS), e.g. --brokers 127.0.0.1:9092');
  const bad = brokers.filter((b) => !HOST_PORT.test(b));
  if (bad.length > 0) {
    const from = flags.brokers === undefined ? 'KAFKA_BROKERS' : '--brokers';
    throw new UsageError(`${from} must list host:port pairs separated by commas; not one: ${bad.join(', ')}`);
  }
  return { brokers, clientId: flags['client-id'] ?? 'vmware-events-cli' };
}

/** A kafkajs admin client for the connection (not connected yet). Fails within seconds when nothing answers. */
export function createAdmin(connection: Connection): Admin {
  return new kafkajs.Kafka({
    brokers: connection.brokers,
    clientId: connection.clientId,
    logLevel: kafkajs.logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: { retries: 3, initialRetryTime: 300 },
  }).admin();
}

/** True when an error means the cluster could not be reached (as opposed to a refused request). */
export function isUnreachable(error: unknown): boolean {
  for (let e: unknown = error; typeof e === 'object' && e !== null; e = (e as { cause?: unknown }).cause) {
    const name = (e as { name?: unknown }).name;
    if (
      name === 'KafkaJSConnectionError' ||
      name === 'KafkaJSBrokerNotFound' ||
      name === 'KafkaJSConnectionClosedError'
    )
      return true;
    if (
      name === 'KafkaJSNumberOfRetriesExceeded' &&
      /connect|ECONNREFUSED|ETIMEDOUT|timeout/i.test(String((e as Error).message))
    )
      return true;
  }
  return false;
}
