/**
 * govmomi's vCenter simulator and govc for the demo, the benchmark and the tests: find the binaries
 * (VCSIM_BIN / GOVC_BIN, `bash scripts/vcsim.sh path`, or the install cache), start vcsim on
 * 127.0.0.1 with a free port, and run govc against it.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The path of `vcsim` or `govc`. Throws with the install command when neither is found. */
export function findGoTool(name: 'vcsim' | 'govc'): string {
  const fromEnv = process.env[name === 'vcsim' ? 'VCSIM_BIN' : 'GOVC_BIN'];
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const cache =
    process.env.VMW_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'vmware-events-sdk');
  const cached = join(cache, 'go/bin', name);
  if (existsSync(cached)) return cached;
  // Not installed yet: the project's script installs it (once) and prints the paths.
  const out = spawnSync('bash', [join(ROOT, 'scripts/vcsim.sh'), 'path'], { encoding: 'utf8' });
  const m = new RegExp(`${name === 'vcsim' ? 'VCSIM_BIN' : 'GOVC_BIN'}=(\\S+)`).exec(out.stdout ?? '');
  if (out.status === 0 && m && existsSync(m[1]!)) return m[1]!;
  throw new Error(`${name} not found; run 'bash scripts/vcsim.sh install'`);
}

/** A running simulator. */
export interface Simulator {
  /** SDK URL with the simulator's credentials (GOVC_URL form). */
  readonly url: string;
  /** SDK URL without credentials. */
  readonly endpoint: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Run govc against this simulator; resolves with its stdout. */
  govc(...args: string[]): Promise<string>;
  /** Stop the simulator (SIGKILL) and wait for it to exit. */
  stop(): Promise<void>;
}

/** Start vcsim on 127.0.0.1 (a free port unless `port` is given) and parse the GOVC_URL it prints. */
export async function startSimulator(port = 0, extraArgs: readonly string[] = []): Promise<Simulator> {
  const child = spawn(findGoTool('vcsim'), ['-l', `127.0.0.1:${port}`, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = async () => {
    if (exited) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  };
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`vcsim printed no GOVC_URL: ${buf}`)), 20_000);
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /GOVC_URL=(\S+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr.on('data', (c: Buffer) => (buf += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`vcsim exited with ${code}: ${buf.slice(-500)}`));
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  const parsed = new URL(url);
  const govcBin = findGoTool('govc');
  return {
    url,
    endpoint: `${parsed.protocol}//${parsed.host}${parsed.pathname}`,
    port: Number(parsed.port),
    process: child,
    stop,
    async govc(...args) {
      const { stdout } = await execFileAsync(govcBin, args, {
        env: { ...process.env, GOVC_URL: url, GOVC_INSECURE: '1' },
      });
      return stdout;
    },
  };
}
