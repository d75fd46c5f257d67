// The `vmware-events` command. Everything testable lives in cli/main.ts.
import { text } from 'node:stream/consumers';
import { runVmwareEvents } from './cli/main.js';

// Ctrl-C (or SIGTERM) asks a long-running command to stop cleanly; a second one ends the process at once.
const stopping = new AbortController();
const onSignal = (signal: NodeJS.Signals) => {
  if (stopping.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
  stopping.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// `vmware-events tail | head`: when the reader goes away, stop like Ctrl-C instead of crashing on EPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  stopping.abort();
});

runVmwareEvents(process.argv.slice(2), {
  stdout: (chunk) => process.stdout.write(chunk),
  stderr: (chunk) => process.stderr.write(chunk),
  readStdin: () => text(process.stdin),
  stdinIsTty: process.stdin.isTTY === true,
  stderrIsTty: process.stderr.isTTY === true,
  signal: stopping.signal,
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  },
  (error: unknown) => {
    process.stderr.write(
      `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
