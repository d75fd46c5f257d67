import { createHash, randomUUID } from 'node:crypto';
import { ConsumerError } from '../errors.js';
import type { BeginResult, EventStore, SequencedEvent } from './event-store.js';
import { advanceSequence, judgeSequence, serializeSequenceState } from './sequence.js';
import type { SequenceState } from './sequence.js';

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
 * The stale rule of `judgeSequence` (stores/sequence.ts) in Lua: RFC 1982 order over 32-bit keys, a new
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
  local d = (key - s.eventKey) % 4294967296
  if d == 0 then return 'same-key', s.eventKey end
  if d <= 2147483648 then return nil end
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

const CAS = script(`
local v = redis.call('GET', KEYS[1])
if (v or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`);
const GET = script(`return redis.call('GET', KEYS[1])`);

function lease(leaseMs: number): number {
  return Math.max(1, Math.round(leaseMs));
}

/** True for an ioredis Cluster client: the two keys of one step may live on different nodes. */
function isCluster(client: RedisClientLike): boolean {
  return (client as { isCluster?: unknown }).isCluster === true;
}

/** Event keys the Lua scripts handle exactly like the TypeScript rule (integers within ±2^31). */
function fitsLua(eventKey: number): boolean {
  return Number.isInteger(eventKey) && Math.abs(eventKey) <= 2 ** 31;
}

/** Options of {@link createRedisEventStore}. */
export interface RedisEventStoreOptions {
  /**
   * Prefix of every key: event ids under `<prefix>dedup:`, VM positions under `<prefix>seq:`. Default `vmw:`.
   * Stores with different prefixes share nothing.
   */
  prefix?: string;
  /** How long a completed event id is remembered, in ms. Default 7 days. */
  completedTtlMs?: number;
  /** How long a VM's last position is kept after its last event, in ms. Default 30 days. */
  positionTtlMs?: number;
}

/** The Redis event store, plus what a handler needs to complete an event atomically with its own writes. */
export interface RedisEventStore extends EventStore {
  /**
   * The Redis command that marks `eventId` done (`SET <key> done PX <ttl>`). A handler whose side effect is
   * a write to the same Redis can put it in its own MULTI/EXEC with this command: the side effect and the
   * completion then commit together, so even a crash right after the handler never repeats the effect.
   */
  completionCommand(eventId: string): [command: string, ...args: Array<string | number>];
}

/**
 * An {@link EventStore} in Redis, shared by every instance of a service and kept across restarts. Each step is one
 * atomic Lua script (sent by SHA1): `begin` claims (`SET key <owner> NX PX leaseMs`, the lease owned by this store
 * instance) and judges the VM's position, `finish` moves the position and marks the event done, so a processed event
 * costs two round trips and a duplicate or stale one costs one. With a Redis Cluster client, where the event's and
 * the VM's keys may live on different nodes, each key gets its own script (claim, read the position, then mark done
 * or compare-and-set the position): the same rules, more round trips.
 */
export async function createRedisEventStore(
  connection: RedisConnection,
  options: RedisEventStoreOptions = {},
): Promise<RedisEventStore> {
  const { client, owned } = await connectRedis(connection);
  const prefix = options.prefix ?? 'vmw:';
  const completedTtlMs = options.completedTtlMs ?? 7 * 24 * 3600_000;
  const positionTtlMs = options.positionTtlMs ?? 30 * 24 * 3600_000;
  const owner = `pending:${randomUUID()}`;
  const eventKey = (eventId: string) => `${prefix}dedup:${eventId}`;
  const positionKey = (sequence: SequencedEvent) => `${prefix}seq:${sequence.scope}`;
  /** One script per key (a Redis Cluster, or keys the Lua numbers would not compare exactly: a custom decoder). */
  const separate = (sequence: SequencedEvent) => isCluster(client) || !fitsLua(sequence.position.eventKey);

  const claim = async (eventId: string, leaseMs: number): Promise<BeginResult> => {
    const [kind] = (await call(client, 'claim', CLAIM, [eventKey(eventId)], [owner, lease(leaseMs)])) as [
      'claimed' | 'duplicate' | 'in-progress',
    ];
    return { kind };
  };
  const complete = async (eventId: string): Promise<void> => {
    await call(client, 'complete', COMPLETE, [eventKey(eventId)], [completedTtlMs]);
  };
  const readPosition = async (sequence: SequencedEvent): Promise<SequenceState | undefined> => {
    const raw = await call(client, 'get', GET, [positionKey(sequence)], []);
    return typeof raw === 'string' ? (JSON.parse(raw) as SequenceState) : undefined;
  };

  /** begin with one script per key: claim, then judge the position read on its own. */
  const beginSeparately = async (eventId: string, leaseMs: number, sequence: SequencedEvent) => {
    const claimed = await claim(eventId, leaseMs);
    if (claimed.kind !== 'claimed') return claimed;
    const verdict = judgeSequence(await readPosition(sequence), sequence.position);
    if (!verdict.stale) return claimed;
    await complete(eventId);
    return { kind: 'stale', reason: verdict.reason, lastKey: verdict.lastKey } as const;
  };
  /** finish with one script per key: compare-and-set the position (re-read on a concurrent change), then done. */
  const finishSeparately = async (eventId: string, sequence: SequencedEvent) => {
    for (let i = 0; i < 5; i += 1) {
      const state = await readPosition(sequence);
      const next = advanceSequence(state, sequence.position);
      if (next === state) break; // a newer event was processed meanwhile: never move backwards
      const written = await call(
        client,
        'compare-and-set',
        CAS,
        [positionKey(sequence)],
        [state ? serializeSequenceState(state) : '', serializeSequenceState(next), positionTtlMs],
      );
      if (written === 1) break;
    }
    await complete(eventId);
  };

  return {
    async begin(eventId, leaseMs, sequence) {
      if (sequence === undefined) return claim(eventId, leaseMs);
      if (separate(sequence)) return beginSeparately(eventId, leaseMs, sequence);
      const reply = (await call(
        client,
        'claim',
        BEGIN,
        [eventKey(eventId), positionKey(sequence)],
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
      return { kind: reply[0] as 'claimed' | 'duplicate' | 'in-progress' };
    },
    async renew(eventId, leaseMs) {
      return (await call(client, 'renew', RENEW, [eventKey(eventId)], [owner, lease(leaseMs)])) === 1;
    },
    async finish(eventId, sequence) {
      if (sequence === undefined) return complete(eventId);
      if (separate(sequence)) return finishSeparately(eventId, sequence);
      await call(
        client,
        'complete',
        FINISH,
        [eventKey(eventId), positionKey(sequence)],
        [completedTtlMs, positionTtlMs, sequence.position.instanceUuid, String(sequence.position.eventKey)],
      );
    },
    async release(eventId) {
      await call(client, 'release', RELEASE, [eventKey(eventId)], [owner]);
    },
    async close() {
      if (owned) await client.quit();
    },
    completionCommand(eventId) {
      return ['SET', eventKey(eventId), 'done', 'PX', completedTtlMs];
    },
  };
}
