/** `vmware-events compat`: forwards to the schema package's compatibility CLI (one implementation, two names). */
import { runSchemaCli } from '@org/vmware-events-schema';
import type { CommandIo } from './io.js';

/** Runs `compat …` and returns the exit code (0 compatible, 1 incompatible, 2 usage or file error). */
export function runCompatCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  return runSchemaCli(
    ['compat', ...argv],
    { stdout: io.stdout, stderr: io.stderr },
    { program: 'vmware-events' },
  );
}
