import { randomUUID } from 'node:crypto';
import { ConsumerError } from '../errors.js';
import type { ClaimResult, DedupStore } from './dedup.js';
import { serializeSequenceState } from './sequence.js';
import type { SequenceState, SequenceStore } from './sequence.js';

/**
 * The few Redis calls the stores make. An `ioredis` client (`new Redis(url)`) fits as it is; so does
 * any client with an `eval` of the same shape.
 */
export interface RedisClientLike {
  /** EVAL script numkeys key… arg… */
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  /** Close the connection gracefully (called only for a client the store created). */
  quit(): Promise<unknown>;
}

/** Where the Redis stores get their client: one you own, or a URL for a client the store creates and closes. */
export type RedisConnection = { client: RedisClientLike } | { url: string };

async function connectRedis(
  connection: RedisConnection,
): Promise<{ client: RedisClientLike; owned: boolean }> {
  if ('client' in connection) return { client: connection.client, owned: false };
  let mod: { Redis: new (url: string, options: Record<string, unknown>) => RedisClientLike };
  try {
    mod = await import('ioredis');
  } catch (cause) {
    throw new ConsumerError(
      'CONSUMER_STORE_UNAVAILABLE',
      "The Redis stores need the 'ioredis' package: install it (pnpm add ioredis) or pass { client }",
      { cause },
    );
  }
  return {
    client: new mod.Redis(connection.url, { maxRetriesPerRequest: 3, lazyConnect: false }),
    owned: true,
  };
}

async function call(
  client: RedisClientLike,
  what: string,
  script: string,
  keys: string[],
  args: Array<string | number>,
) {
  try {
    return await client.eval(script, keys.length, ...keys, ...args);
  } catch (cause) {
    throw new ConsumerError('CONSUMER_STORE_UNAVAILABLE', `Redis ${what} failed`, { cause, retriable: true });
  }
}

const CLAIM = `
local ok = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
if ok then return 'claimed' end
local v = redis.call('GET', KEYS[1])
if v == 'done' then return 'duplicate' end
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 'claimed'
end
return 'in-progress'`;
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
const COMPLETE = `redis.call('SET', KEYS[1], 'done', 'PX', ARGV[1]) return 1`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Options of {@link createRedisDedupStore}. */
export interface RedisDedupStoreOptions {
  /** Key prefix. Default `vmw:dedup:`. */
  prefix?: string;
  /** How long a completed event id is remembered, in ms. Default 7 days. */
  completedTtlMs?: number;
}

/** The Redis dedup store, plus what a handler needs to complete an event atomically with its own writes. */
export interface RedisDedupStore extends DedupStore {
  /**
   * The Redis command that marks `eventId` done (`SET <key> done PX <ttl>`). A handler whose side effect is
   * a write to the same Redis can put it in its own MULTI/EXEC with this command: the side effect and the
   * completion then commit together, so even a crash right after the handler never repeats the effect.
   */
  completionCommand(eventId: string): [command: string, ...args: Array<string | number>];
}

/**
 * A dedup store in Redis, shared by every instance of a service and kept across restarts.
 * The claim is a lease (`SET key <owner> NX PX leaseMs`) owned by this store instance; completion
 * replaces it with `done` for `completedTtlMs`. Each call is one atomic Lua script.
 */
export async function createRedisDedupStore(
  connection: RedisConnection,
  options: RedisDedupStoreOptions = {},
): Promise<RedisDedupStore> {
  const { client, owned } = await connectRedis(connection);
  const prefix = options.prefix ?? 'vmw:dedup:';
  const completedTtlMs = options.completedTtlMs ?? 7 * 24 * 3600_000;
  const owner = `pending:${randomUUID()}`;
  const key = (eventId: string) => prefix + eventId;
  return {
    async claim(eventId, leaseMs) {
      return (await call(
        client,
        'claim',
        CLAIM,
        [key(eventId)],
        [owner, Math.max(1, Math.round(leaseMs))],
      )) as ClaimResult;
    },
    async renew(eventId, leaseMs) {
      return (
        (await call(client, 'renew', RENEW, [key(eventId)], [owner, Math.max(1, Math.round(leaseMs))])) === 1
      );
    },
    async complete(eventId) {
      await call(client, 'complete', COMPLETE, [key(eventId)], [completedTtlMs]);
    },
    async release(eventId) {
      await call(client, 'release', RELEASE, [key(eventId)], [owner]);
    },
    async close() {
      if (owned) await client.quit();
    },
    completionCommand(eventId) {
      return ['SET', key(eventId), 'done', 'PX', completedTtlMs];
    },
  };
}

const CAS = `
local v = redis.call('GET', KEYS[1])
if (v or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;
const GET = `return redis.call('GET', KEYS[1])`;

/** Options of {@link createRedisSequenceStore}. */
export interface RedisSequenceStoreOptions {
  /** Key prefix. Default `vmw:seq:`. */
  prefix?: string;
  /** How long a VM's last position is kept after its last event, in ms. Default 30 days. */
  ttlMs?: number;
}

/** The stale-event positions in Redis, shared by every instance (compare-and-set in one Lua script). */
export async function createRedisSequenceStore(
  connection: RedisConnection,
  options: RedisSequenceStoreOptions = {},
): Promise<SequenceStore> {
  const { client, owned } = await connectRedis(connection);
  const prefix = options.prefix ?? 'vmw:seq:';
  const ttlMs = options.ttlMs ?? 30 * 24 * 3600_000;
  return {
    async get(scope) {
      const raw = await call(client, 'get', GET, [prefix + scope], []);
      return typeof raw === 'string' ? (JSON.parse(raw) as SequenceState) : undefined;
    },
    async compareAndSet(scope, expected, next) {
      const result = await call(
        client,
        'compare-and-set',
        CAS,
        [prefix + scope],
        [expected ? serializeSequenceState(expected) : '', serializeSequenceState(next), ttlMs],
      );
      return result === 1;
    },
    async close() {
      if (owned) await client.quit();
    },
  };
}
