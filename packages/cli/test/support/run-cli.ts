import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

/** The repository root: tsx runs there, so the root tsconfig maps the workspace packages to their sources. */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const bin = fileURLToPath(new URL('../../src/bin.ts', import.meta.url));

/** What a `vmware-events` process did. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `vmware-events <args>` as a process (the sources through tsx, as the built bin would run them), with `input`
 * piped to standard input (closed at once when absent) and `env` added to this process's environment.
 */
export function runCli(
  args: readonly string[],
  options: { input?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', bin, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** A `vmware-events` process still running (`tail`): wait for its output, then stop it like Ctrl-C does. */
export interface RunningCli {
  /** Resolves when stdout (or stderr) matches, with what was printed so far; rejects after `timeoutMs`. */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends SIGINT (Ctrl-C) and resolves with how the process ended. */
  interrupt(): Promise<CliRun>;
  /** How the process ended (without stopping it). */
  readonly exited: Promise<CliRun>;
}

/** Starts `vmware-events <args>` as a process that keeps running (see {@link runCli}); killed if the test forgets it. */
export function startCli(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): RunningCli {
  const child = spawn(process.execPath, ['--import', 'tsx', bin, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: options.timeoutMs ?? 90_000,
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const output = { stdout: '', stderr: '' };
  const waiters = new Set<() => void>();
  const changed = () => waiters.forEach((w) => w());
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => ((output.stdout += chunk), changed()));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => ((output.stderr += chunk), changed()));
  const exited = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      changed();
      resolve({ code, ...output });
    });
  });
  return {
    exited,
    waitFor(stream, pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(output[stream])) return;
          cleanup();
          resolve(output[stream]);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `no ${pattern} on ${stream} within ${timeoutMs} ms; stdout:\n${output.stdout}\nstderr:\n${output.stderr}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    interrupt() {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}
