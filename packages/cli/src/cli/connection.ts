/**
 * How the command reaches Kafka, in one module: the flags, the environment and the config file are read here, and
 * only here, and every Kafka client of the command (admin, consumer, producer, dead-letter tools) is configured from
 * the one {@link Connection} this returns. TLS and SASL (the security work) add their fields to the config file
 * schema, the {@link Connection} and the two client builders below; the commands do not change.
 *
 * Precedence, setting by setting: a flag, then the config file (`--config`), then the environment, then the default.
 */
import { readFile } from 'node:fs/promises';
import kafkajs from 'kafkajs';
import type { Admin, KafkaConfig } from 'kafkajs';
import { z } from 'zod';
import type { ProducerOptions } from '@org/vmware-events-producer';
import { UsageError } from './io.js';

/** Connection settings of the command. */
export interface Connection {
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  /** The Kafka client id. */
  clientId: string;
  /** Where the brokers came from (for error messages): `--brokers`, the config file or `KAFKA_BROKERS`. */
  brokersFrom: string;
}

/** The flags every command that talks to Kafka accepts (node:util parseArgs options). */
export const CONNECTION_FLAGS = {
  brokers: { type: 'string' },
  'client-id': { type: 'string' },
  config: { type: 'string' },
} as const;

/** Help text for {@link CONNECTION_FLAGS}. */
export const CONNECTION_HELP = `Connection (a flag wins over the config file, the config file over the environment):
  --brokers <host:port,...>  bootstrap brokers (default: the config file's, then $KAFKA_BROKERS)
  --client-id <id>           Kafka client id (default: the config file's, then vmware-events-cli)
  --config <file.json>       connection settings: {"brokers": ["host:port", ...], "clientId": "..."}`;

/** The flag values {@link resolveConnection} reads. */
export interface ConnectionFlags {
  brokers?: string | undefined;
  'client-id'?: string | undefined;
  config?: string | undefined;
}

const DEFAULT_CLIENT_ID = 'vmware-events-cli';
const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[^\s:,[\]]+):\d{1,5}$/;

const brokerList = z.union([
  z.array(z.string(), { error: 'must be a list of "host:port" strings or one comma-separated string' }),
  z.string(),
]);

/** The config file: every key optional, unknown keys refused (a typo must not be ignored). */
const configFileSchema = z.strictObject({
  /** A JSON Schema reference for editors; ignored. */
  $schema: z.string().optional(),
  /** Bootstrap brokers: `["host:port", ...]` or `"host:port,host:port"`. */
  brokers: brokerList.optional(),
  /** The Kafka client id. */
  clientId: z.string().min(1, { error: 'must not be empty' }).optional(),
});

/**
 * Connection settings from flags, the config file and the environment (see the module comment). Throws
 * {@link UsageError} naming what is wrong and where it was set.
 */
export async function resolveConnection(
  flags: ConnectionFlags,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Connection> {
  const file = flags.config === undefined ? {} : await readConfigFile(flags.config);
  const [raw, from] =
    flags.brokers !== undefined
      ? [flags.brokers, '--brokers']
      : file.brokers !== undefined
        ? [file.brokers, `"brokers" in ${flags.config}`]
        : [env.KAFKA_BROKERS ?? '', 'KAFKA_BROKERS'];
  const brokers = (typeof raw === 'string' ? raw.split(',') : raw).map((b) => b.trim()).filter(Boolean);
  if (brokers.length === 0) {
    throw new UsageError(
      '--brokers is required (or set KAFKA_BROKERS, or "brokers" in a --config file), e.g. --brokers 127.0.0.1:9092',
    );
  }
  const bad = brokers.filter((b) => !HOST_PORT.test(b));
  if (bad.length > 0)
    throw new UsageError(`${from} must list host:port pairs separated by commas; not one: ${bad.join(', ')}`);
  return { brokers, clientId: flags['client-id'] ?? file.clientId ?? DEFAULT_CLIENT_ID, brokersFrom: from };
}

async function readConfigFile(path: string): Promise<z.output<typeof configFileSchema>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read the config file ${path}: ${code === 'ENOENT' ? 'file not found' : String(code ?? error)}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the config file ${path} is not JSON: ${(error as Error).message}`);
  }
  const parsed = configFileSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const at = issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
      return `  - ${at}${issue.message}`;
    });
    throw new UsageError(`the config file ${path} is invalid:\n${problems.join('\n')}`);
  }
  return parsed.data;
}

/** A broker that does not answer fails a command within seconds, not after kafkajs' minute of retries. */
const CONNECTION_TIMEOUT_MS = 3000;
const RETRIES = 3;
const INITIAL_RETRY_MS = 300;

/** The kafkajs configuration of the connection (admin clients, consumers, the dead-letter tools). */
export function kafkaConfig(connection: Connection): KafkaConfig {
  return {
    brokers: connection.brokers,
    clientId: connection.clientId,
    logLevel: kafkajs.logLevel.NOTHING,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    retry: { retries: RETRIES, initialRetryTime: INITIAL_RETRY_MS },
  };
}

/** The connection part of `createProducer()`'s options. */
export function producerConnection(
  connection: Connection,
): Pick<ProducerOptions, 'brokers' | 'clientId' | 'connectionTimeoutMs' | 'retry'> {
  return {
    brokers: connection.brokers,
    clientId: connection.clientId,
    connectionTimeoutMs: CONNECTION_TIMEOUT_MS,
    retry: { retries: RETRIES, initialRetryTimeMs: INITIAL_RETRY_MS },
  };
}

/** A kafkajs admin client for the connection (not connected yet). */
export function createAdmin(connection: Connection): Admin {
  return new kafkajs.Kafka(kafkaConfig(connection)).admin();
}

/** True when an error means the cluster could not be reached (as opposed to a refused request). */
export function isUnreachable(error: unknown): boolean {
  for (let e: unknown = error; typeof e === 'object' && e !== null; e = (e as { cause?: unknown }).cause) {
    const { name, code } = e as { name?: unknown; code?: unknown };
    if (
      name === 'KafkaJSConnectionError' ||
      name === 'KafkaJSBrokerNotFound' ||
      name === 'KafkaJSConnectionClosedError' ||
      code === 'PRODUCER_BROKER_UNAVAILABLE'
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

/** The message of exit code 3. */
export function unreachableMessage(connection: Connection, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  return `error: cannot reach the Kafka cluster at ${connection.brokers.join(',')} (from ${connection.brokersFrom}): ${reason}\n`;
}
