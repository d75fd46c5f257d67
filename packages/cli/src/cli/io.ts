/** What a command reads and writes, so that commands are plain functions of their input. */
export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The whole of standard input (read when a command is given `-` or no file on a pipe). */
  readStdin: () => Promise<string>;
  /** True when standard input is a terminal (nothing is piped in). */
  stdinIsTty: boolean;
  /** True when standard error is a terminal: progress bars are drawn only then. */
  stderrIsTty?: boolean;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM: a long-running command (`tail`) stops cleanly and exits 0. */
  signal?: AbortSignal;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * Exit codes of every `vmware-events` command:
 * 0 success (valid, compatible, in sync, applied, sent, replayed), 1 the check failed (invalid events, incompatible
 * schemas, a plan with problems, a failed apply, a send or replay that failed), 2 bad usage or unreadable input
 * (including a topic that does not exist), 3 the cluster could not be reached, 4 `topics plan --check` found
 * changes to make.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3, changesPending: 4 } as const;

/** Bad flags or arguments: printed with the command's help, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Bad input that is not a usage error (a topic that does not exist): printed without the help, exit 2. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
