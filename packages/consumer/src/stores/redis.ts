import { createHash, randomUUID } from 'node:crypto';
import { ConsumerError } from '../errors.js';
import type { BeginResult, ClaimResult, DedupStore, FusedEventStore, SequencedEvent } from './dedup.js';
import { advanceSequence, judgeSequence, serializeSequenceState } from './sequence.js';
import type { SequenceState, SequenceStore } from './sequence.js';

/**
 * The few Redis calls the stores make. An `ioredis` client (`new Redis(url)`) fits as it is; so does
 * any client with an `eval` of the same shape.
 */
export interface RedisClientLike {
  /** EVAL script numkeys key… arg… */
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  /**
   * EVALSHA sha1 numkeys key… arg… (optional). When the client has it, the stores send a script's SHA1
   * instead of its text, and fall back to EVAL once when the server answers NOSCRIPT.
   */
  evalsha?(sha1: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  /** Close the connection gracefully (called only for a client the store created). */
  quit(): Promise<unknown>;
}

/** Where the Redis stores get their client: one you own, or a URL for a client the store creates and closes. */
export type RedisConnection = { client: RedisClientLike } | { url: string };

function urlOf(connection: RedisConnection): string | undefined {
  return 'url' in connection ? connection.url : undefined;
}

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

/** A Lua script and its SHA1 (what EVALSHA names it by). */
interface Script {
  text: string;
  sha1: string;
}

function script(text: string): Script {
  return { text, sha1: createHash('sha1').update(text).digest('hex') };
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

async function call(
  client: RedisClientLike,
  what: string,
  lua: Script,
  keys: string[],
  args: Array<string | number>,
) {
  try {
    if (client.evalsha) {
      try {
        return await client.evalsha(lua.sha1, keys.length, ...keys, ...args);
      } catch (error) {
        if (!isNoScript(error)) throw error;
        // Not in the server's script cache yet (first call, restart, SCRIPT FLUSH): EVAL loads it.
      }
    }
    return await client.eval(lua.text, keys.length, ...keys, ...args);
  } catch (cause) {
    throw new ConsumerError('CONSUMER_STORE_UNAVAILABLE', `Redis ${what} failed`, { cause, retriable: true });
  }
}

// KEYS[1] event key; ARGV[1] owner token, ARGV[2] lease ms. Sets `claimed` true or returns the verdict.
const CLAIM_STEP = String.raw`
local claimed = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
if not claimed then
  local v = redis.call('GET', KEYS[1])
  if v == 'done' then return {'duplicate'} end
  if v then return {'in-progress'} end
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end`;

/**
 * The stale rule of `judgeSequence` (stores/sequence.ts) in Lua: RFC 1982 order over 31-bit keys, a new
 * instance starts a new sequence, a retired instance is stale. Returns the stale reason and last key, or nil.
 * The integration test "the Lua stale check agrees with judgeSequence/advanceSequence" keeps both in step.
 */
const JUDGE = String.raw`
local function judge(s, uuid, key)
  if s.instanceUuid ~= uuid then
    for _, r in ipairs(s.retired or {}) do
      if r == uuid then return 'retired-instance', s.eventKey end
    end
    return nil
  end
  local d = (key - s.eventKey) % 2147483648
  if d == 0 then return 'same-key', s.eventKey end
  if d <= 1073741824 then return nil end
  return 'older', s.eventKey
end
local escapes = { ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f', ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' }
-- A JSON string exactly as JavaScript's JSON.stringify writes it, so serializeSequenceState compares equal.
local function str(s)
  return '"' .. (string.gsub(s, '[%z\1-\31"\\]', function(c)
    return escapes[c] or string.format('\\u%04x', string.byte(c))
  end)) .. '"'
end`;

const CLAIM = script(`${CLAIM_STEP}
return {'claimed'}`);

// KEYS[1] event key, KEYS[2] VM position key; ARGV[1] owner, ARGV[2] lease ms, ARGV[3] completed TTL ms,
// ARGV[4] instanceUuid, ARGV[5] eventKey. Claim, then judge; a stale event is marked done at once.
const BEGIN = script(`${JUDGE}
${CLAIM_STEP}
local raw = redis.call('GET', KEYS[2])
if raw then
  local reason, lastKey = judge(cjson.decode(raw), ARGV[4], tonumber(ARGV[5]))
  if reason then
    redis.call('SET', KEYS[1], 'done', 'PX', ARGV[3])
    return {'stale', reason, lastKey}
  end
end
return {'claimed'}`);

// KEYS[1] event key, KEYS[2] VM position key; ARGV[1] completed TTL ms, ARGV[2] position TTL ms,
// ARGV[3] instanceUuid, ARGV[4] eventKey (decimal). advanceSequence, then mark done, in one step.
const FINISH = script(`${JUDGE}
local uuid, key = ARGV[3], tonumber(ARGV[4])
local raw = redis.call('GET', KEYS[2])
local retired = {}
local write = true
if raw then
  local s = cjson.decode(raw)
  if judge(s, uuid, key) then
    write = false -- a newer event of this VM was processed meanwhile: never move backwards
  elseif s.instanceUuid ~= uuid then
    retired[1] = s.instanceUuid
    for _, r in ipairs(s.retired or {}) do
      if r ~= uuid and #retired < 8 then retired[#retired + 1] = r end
    end
  else
    retired = s.retired or {}
  end
end
if write then
  local parts = {}
  for i, r in ipairs(retired) do parts[i] = str(r) end
  local state = '{"instanceUuid":' .. str(uuid) .. ',"eventKey":' .. ARGV[4] .. ',"retired":[' .. table.concat(parts, ',') .. ']}'
  redis.call('SET', KEYS[2], state, 'PX', ARGV[2])
end
redis.call('SET', KEYS[1], 'done', 'PX', ARGV[1])
if write then return 1 end
return 0`);

const RENEW = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`);
const COMPLETE = script(`redis.call('SET', KEYS[1], 'done', 'PX', ARGV[1]) return 1`);
const RELEASE = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`);

/** What a Redis dedup store needs to know of a Redis sequence store to fuse with it. */
interface RedisSequenceInternals {
  client: RedisClientLike;
  url: string | undefined;
  prefix: string;
  ttlMs: number;
}

/** The Redis sequence stores this module created (so a Redis dedup store can recognise one). */
const redisSequenceStores = new WeakMap<SequenceStore, RedisSequenceInternals>();

const CAS = script(`
local v = redis.call('GET', KEYS[1])
if (v or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`);
const GET = script(`return redis.call('GET', KEYS[1])`);

function lease(leaseMs: number): number {
  return Math.max(1, Math.round(leaseMs));
}

/** True for an ioredis Cluster client: the two keys of a fused step may live on different nodes. */
function isCluster(client: RedisClientLike): boolean {
  return (client as { isCluster?: unknown }).isCluster === true;
}

/** Event keys the Lua scripts handle exactly like the TypeScript rule (integers within ±2^31). */
function fitsLua(eventKey: number): boolean {
  return Number.isInteger(eventKey) && Math.abs(eventKey) <= 2 ** 31;
}

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
  /**
   * The fused steps with `sequences` when it is a Redis sequence store on the same client or URL (and the
   * client is not a Redis Cluster client, where the two keys could live on different nodes); else undefined.
   */
  fuseWith(sequences: SequenceStore): FusedEventStore | undefined;
}

/**
 * A dedup store in Redis, shared by every instance of a service and kept across restarts.
 * The claim is a lease (`SET key <owner> NX PX leaseMs`) owned by this store instance; completion
 * replaces it with `done` for `completedTtlMs`. Each call is one atomic Lua script (sent by SHA1).
 *
 * With a Redis sequence store on the same client or URL, the store fuses the steps of an event
 * ({@link DedupStore.fuseWith}): claim + stale check is one script, and position advance + completion is
 * another, so an event costs two round trips instead of three.
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
  const url = urlOf(connection);
  const fused = new WeakMap<SequenceStore, FusedEventStore | null>();

  const fuse = (seq: RedisSequenceInternals): FusedEventStore => {
    const seqKey = (sequence: SequencedEvent) => seq.prefix + sequence.scope;
    const plainClaim = async (eventId: string, leaseMs: number): Promise<BeginResult> => {
      const [kind] = (await call(client, 'claim', CLAIM, [key(eventId)], [owner, lease(leaseMs)])) as [
        ClaimResult,
      ];
      return { kind };
    };
    return {
      async begin(eventId, leaseMs, sequence) {
        if (!fitsLua(sequence.position.eventKey)) return plainBegin(eventId, leaseMs, sequence);
        const reply = (await call(
          client,
          'claim',
          BEGIN,
          [key(eventId), seqKey(sequence)],
          [
            owner,
            lease(leaseMs),
            completedTtlMs,
            sequence.position.instanceUuid,
            String(sequence.position.eventKey),
          ],
        )) as [string, string?, number?];
        if (reply[0] === 'stale') {
          return {
            kind: 'stale',
            reason: reply[1] as 'older' | 'same-key' | 'retired-instance',
            lastKey: Number(reply[2]),
          };
        }
        return { kind: reply[0] as ClaimResult };
      },
      async finish(eventId, sequence) {
        if (!fitsLua(sequence.position.eventKey)) return plainFinish(eventId, sequence);
        await call(
          client,
          'complete',
          FINISH,
          [key(eventId), seqKey(sequence)],
          [completedTtlMs, seq.ttlMs, sequence.position.instanceUuid, String(sequence.position.eventKey)],
        );
      },
    };
    // Keys beyond what Lua numbers compare exactly (a custom decoder): the separate steps, same rules.
    async function plainBegin(eventId: string, leaseMs: number, sequence: SequencedEvent) {
      const claimed = await plainClaim(eventId, leaseMs);
      if (claimed.kind !== 'claimed') return claimed;
      const raw = await call(client, 'get', GET, [seqKey(sequence)], []);
      const state = typeof raw === 'string' ? (JSON.parse(raw) as SequenceState) : undefined;
      const verdict = judgeSequence(state, sequence.position);
      if (!verdict.stale) return claimed;
      await call(client, 'complete', COMPLETE, [key(eventId)], [completedTtlMs]);
      return { kind: 'stale', reason: verdict.reason, lastKey: verdict.lastKey } as const;
    }
    async function plainFinish(eventId: string, sequence: SequencedEvent) {
      for (let i = 0; i < 5; i += 1) {
        const raw = await call(client, 'get', GET, [seqKey(sequence)], []);
        const state = typeof raw === 'string' ? (JSON.parse(raw) as SequenceState) : undefined;
        const next = advanceSequence(state, sequence.position);
        if (next === state) break;
        const written = await call(
          client,
          'compare-and-set',
          CAS,
          [seqKey(sequence)],
          [state ? serializeSequenceState(state) : '', serializeSequenceState(next), seq.ttlMs],
        );
        if (written === 1) break;
      }
      await call(client, 'complete', COMPLETE, [key(eventId)], [completedTtlMs]);
    }
  };

  return {
    async claim(eventId, leaseMs) {
      const claimed = (await call(client, 'claim', CLAIM, [key(eventId)], [owner, lease(leaseMs)])) as [
        ClaimResult,
      ];
      return claimed[0];
    },
    async renew(eventId, leaseMs) {
      return (await call(client, 'renew', RENEW, [key(eventId)], [owner, lease(leaseMs)])) === 1;
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
    fuseWith(sequences) {
      const known = fused.get(sequences);
      if (known !== undefined) return known ?? undefined;
      const seq = redisSequenceStores.get(sequences);
      const sameServer =
        seq !== undefined && (seq.client === client || (url !== undefined && seq.url === url));
      const result = seq && sameServer && !isCluster(client) ? fuse(seq) : null;
      fused.set(sequences, result);
      return result ?? undefined;
    },
  };
}

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
  const store: SequenceStore = {
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
  redisSequenceStores.set(store, { client, url: urlOf(connection), prefix, ttlMs });
  return store;
}
