/**
 * Configuration from environment variables, parsed once with zod. A wrong value stops start-up with
 * a message naming the variable; secrets are never part of a message.
 */
import { rawEventsTopic } from '@org/vmware-events-schema';
import { z } from 'zod';
import { BridgeConfigError } from './errors.js';

const LABEL = /^[A-Za-z0-9_-]{1,64}$/;
const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, { message: 'must be an integer' })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, { message: `must be at least ${min}` })
        .max(max, { message: `must be at most ${max}` }),
    );

const topic = z.string().regex(TOPIC, { message: 'must be a Kafka topic name (1–249 of a-z A-Z 0-9 . _ -)' });

/** The environment variables the bridge reads, with their defaults. */
export const envSchema = z.object({
  VCENTER_URLS: z
    .string({ message: 'is required: comma-separated SDK URLs such as https://vc01.example.com/sdk' })
    .min(1),
  VCENTER_USERNAME: z.string().optional(),
  VCENTER_PASSWORD: z.string().optional(),
  VCENTER_INSECURE: bool.default(false),
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((v) =>
      v
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.string().regex(/^[^\s:]+:\d{1,5}$/, { message: 'each broker must be host:port' }))
        .min(1, { message: 'needs at least one broker' }),
    ),
  KAFKA_CLIENT_ID: z.string().min(1).default('vcenter-bridge'),
  BRIDGE_ENVIRONMENT: z
    .string({ message: 'is required (e.g. DEV, prod)' })
    .regex(LABEL, { message: 'must match ^[A-Za-z0-9_-]{1,64}$' }),
  BRIDGE_TENANT_ID: z
    .string({ message: 'is required (the tenant the events belong to)' })
    .regex(LABEL, { message: 'must match ^[A-Za-z0-9_-]{1,64}$' }),
  BRIDGE_TOPIC: topic.default('vmware.events'),
  BRIDGE_RAW_TOPIC: topic.optional(),
  BRIDGE_UNMAPPED: z.enum(['raw', 'ignore'], { message: "must be 'raw' or 'ignore'" }).default('raw'),
  BRIDGE_CHECKPOINT_DIR: z.string().min(1).default('./.bridge-checkpoints'),
  BRIDGE_START_FROM: z
    .string()
    .default('now')
    .refine((v) => v === 'now' || v === 'beginning' || !Number.isNaN(Date.parse(v)), {
      message: "must be 'now', 'beginning' or an RFC 3339 time",
    }),
  BRIDGE_PAGE_SIZE: int(1, 1000).default(100),
  BRIDGE_BATCH_SIZE: int(1, 10_000).default(500),
  BRIDGE_BUFFER_SIZE: int(1, 1_000_000).default(1000),
  BRIDGE_POLL_INTERVAL_MS: int(10, 600_000).default(1000),
  BRIDGE_REQUEST_TIMEOUT_MS: int(100, 600_000).default(30_000),
  BRIDGE_HEALTH_HOST: z.string().min(1).default('127.0.0.1'),
  BRIDGE_HEALTH_PORT: int(0, 65535).default(8080),
  BRIDGE_LOG_LEVEL: z
    .enum(['debug', 'info', 'warn', 'error'], { message: 'must be debug, info, warn or error' })
    .default('info'),
});

/** One vCenter to read from. */
export interface VcenterTarget {
  /** The SDK URL without credentials: the vCenter's id in checkpoints, logs and `source`. */
  readonly url: string;
  readonly username: string;
  readonly password: string;
}

/** The resolved configuration. */
export interface BridgeConfig {
  readonly vcenters: readonly VcenterTarget[];
  readonly insecure: boolean;
  readonly kafka: { readonly brokers: readonly string[]; readonly clientId: string };
  readonly environment: string;
  readonly tenantId: string;
  readonly topic: string;
  readonly rawTopic: string;
  readonly unmapped: 'raw' | 'ignore';
  readonly checkpointDir: string;
  readonly startFrom: string;
  readonly pageSize: number;
  readonly batchSize: number;
  readonly bufferSize: number;
  readonly pollIntervalMs: number;
  readonly requestTimeoutMs: number;
  readonly health: { readonly host: string; readonly port: number };
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/**
 * Parse the bridge's configuration from `env` (default `process.env`).
 * @throws BridgeConfigError naming every wrong variable.
 */
export function parseConfig(env: Record<string, string | undefined> = process.env): BridgeConfig {
  const picked: Record<string, string | undefined> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const result = envSchema.safeParse(picked);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? '(env)'),
      message: issue.message,
    }));
    const variables = [...new Set(problems.map((p) => p.variable))];
    throw new BridgeConfigError(
      variables,
      `Invalid bridge configuration:\n${problems.map((p) => `  - ${p.variable} ${p.message}`).join('\n')}`,
    );
  }
  const e = result.data;
  const vcenters: VcenterTarget[] = [];
  const seen = new Set<string>();
  for (const [index, raw] of e.VCENTER_URLS.split(',')
    .map((u) => u.trim())
    .filter(Boolean)
    .entries()) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      // Do not echo the value: it may hold a password.
      throw new BridgeConfigError(
        ['VCENTER_URLS'],
        `VCENTER_URLS entry ${index + 1} is not a URL (expected https://host/sdk)`,
      );
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new BridgeConfigError(
        ['VCENTER_URLS'],
        `VCENTER_URLS entry ${index + 1} must use https:// (or http://)`,
      );
    }
    const username = url.username ? decodeURIComponent(url.username) : e.VCENTER_USERNAME;
    const password = url.password ? decodeURIComponent(url.password) : e.VCENTER_PASSWORD;
    url.username = '';
    url.password = '';
    if (url.pathname === '/' || url.pathname === '') url.pathname = '/sdk';
    if (!username || !password) {
      throw new BridgeConfigError(
        ['VCENTER_USERNAME', 'VCENTER_PASSWORD'],
        `VCENTER_USERNAME and VCENTER_PASSWORD are required for ${url.toString()} (or put the credentials in its URL)`,
      );
    }
    if (seen.has(url.toString()))
      throw new BridgeConfigError(['VCENTER_URLS'], `VCENTER_URLS lists ${url.toString()} twice`);
    seen.add(url.toString());
    vcenters.push({ url: url.toString(), username, password });
  }
  if (vcenters.length === 0) throw new BridgeConfigError(['VCENTER_URLS'], 'VCENTER_URLS lists no vCenter');
  const rawTopic = e.BRIDGE_RAW_TOPIC ?? rawEventsTopic(e.BRIDGE_TOPIC);
  if (e.BRIDGE_TOPIC === rawTopic) {
    throw new BridgeConfigError(['BRIDGE_RAW_TOPIC'], 'BRIDGE_RAW_TOPIC must differ from BRIDGE_TOPIC');
  }
  return {
    vcenters,
    insecure: e.VCENTER_INSECURE,
    kafka: { brokers: e.KAFKA_BROKERS, clientId: e.KAFKA_CLIENT_ID },
    environment: e.BRIDGE_ENVIRONMENT,
    tenantId: e.BRIDGE_TENANT_ID,
    topic: e.BRIDGE_TOPIC,
    rawTopic,
    unmapped: e.BRIDGE_UNMAPPED,
    checkpointDir: e.BRIDGE_CHECKPOINT_DIR,
    startFrom: e.BRIDGE_START_FROM,
    pageSize: e.BRIDGE_PAGE_SIZE,
    batchSize: e.BRIDGE_BATCH_SIZE,
    bufferSize: e.BRIDGE_BUFFER_SIZE,
    pollIntervalMs: e.BRIDGE_POLL_INTERVAL_MS,
    requestTimeoutMs: e.BRIDGE_REQUEST_TIMEOUT_MS,
    health: { host: e.BRIDGE_HEALTH_HOST, port: e.BRIDGE_HEALTH_PORT },
    logLevel: e.BRIDGE_LOG_LEVEL,
  };
}
