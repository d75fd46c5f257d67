/**
 * Checkpoints: the last published position per vCenter, one small JSON file each, written atomically
 * (temp file in the same folder → fsync → rename → fsync of the folder), so a crash at any moment
 * leaves either the old or the new checkpoint, never a broken file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { compareEventKeys } from '@org/vmware-events-consumer';
import { BridgeError } from './errors.js';

/** The position of one vCenter's last published event. */
export interface Checkpoint {
  /** `about.instanceUuid` of the vCenter the position belongs to. */
  readonly instanceUuid: string;
  /** Key of the last event published (or deliberately skipped). */
  readonly lastEventKey: number;
  /** Its `createdTime`, exactly as vCenter wrote it (the resume `beginTime`, inclusive). */
  readonly lastCreatedTime: string;
}

/** Where checkpoints live. */
export interface CheckpointStore {
  load(vcenterId: string): Promise<Checkpoint | undefined>;
  save(vcenterId: string, checkpoint: Checkpoint): Promise<void>;
}

/**
 * True when event key `a` comes after `b`. Keys are int32 and wrap from 2^31 − 1 to −2^31 on long-lived vCenters,
 * so they are compared with 32-bit serial-number arithmetic (RFC 1982): `a` is after `b` when `(a − b) mod 2^32`
 * is in (0, 2^31]. It is the consumer's rule (`compareEventKeys`), so the bridge's resume and the consumers' stale
 * check never disagree about which event is newer.
 */
export function isKeyAfter(a: number, b: number): boolean {
  return compareEventKeys(a, b) > 0;
}

function fileName(vcenterId: string): string {
  const slug = vcenterId
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/[^a-zA-Z0-9.-]+/g, '_')
    .slice(0, 60);
  const hash = createHash('sha256').update(vcenterId).digest('hex').slice(0, 12);
  return `checkpoint-${slug}-${hash}.json`;
}

function isCheckpoint(value: unknown): value is Checkpoint {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.instanceUuid === 'string' &&
    v.instanceUuid !== '' &&
    typeof v.lastEventKey === 'number' &&
    Number.isInteger(v.lastEventKey) &&
    typeof v.lastCreatedTime === 'string' &&
    v.lastCreatedTime !== ''
  );
}

/** Checkpoints as files in `dir` (one per vCenter; the vCenter id is its endpoint URL). */
export class FileCheckpointStore implements CheckpointStore {
  readonly #dir: string;
  #ready: Promise<void> | undefined;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** The path of a vCenter's checkpoint file. */
  pathOf(vcenterId: string): string {
    return join(this.#dir, fileName(vcenterId));
  }

  async load(vcenterId: string): Promise<Checkpoint | undefined> {
    await this.#init();
    const file = this.pathOf(vcenterId);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new BridgeError('BRIDGE_CHECKPOINT', `cannot read checkpoint ${file}`, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new BridgeError('BRIDGE_CHECKPOINT', `checkpoint ${file} is not valid JSON; fix or delete it`, {
        cause,
      });
    }
    if (!isCheckpoint(parsed)) {
      throw new BridgeError(
        'BRIDGE_CHECKPOINT',
        `checkpoint ${file} lacks instanceUuid, lastEventKey (integer) or lastCreatedTime; fix or delete it`,
      );
    }
    return {
      instanceUuid: parsed.instanceUuid,
      lastEventKey: parsed.lastEventKey,
      lastCreatedTime: parsed.lastCreatedTime,
    };
  }

  async save(vcenterId: string, checkpoint: Checkpoint): Promise<void> {
    await this.#init();
    const file = this.pathOf(vcenterId);
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    const body = `${JSON.stringify({ ...checkpoint, vcenter: vcenterId, savedAt: new Date().toISOString() }, null, 2)}\n`;
    try {
      const handle = await open(tmp, 'w', 0o600);
      try {
        await handle.writeFile(body, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, file);
      const dir = await open(this.#dir, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      throw new BridgeError('BRIDGE_CHECKPOINT', `cannot write checkpoint ${file}`, {
        cause: error,
        retriable: true,
      });
    }
  }

  #init(): Promise<void> {
    this.#ready ??= (async () => {
      await mkdir(this.#dir, { recursive: true });
      // Temp files left by a crash mid-write are garbage: the rename never happened.
      for (const name of await readdir(this.#dir)) {
        if (name.startsWith('checkpoint-') && name.endsWith('.tmp'))
          await unlink(join(this.#dir, name)).catch(() => undefined);
      }
    })();
    return this.#ready;
  }
}
