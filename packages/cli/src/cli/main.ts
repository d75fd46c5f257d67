/** `vmware-events`: one command for the tools around the SDK. Each subcommand lives in its own file. */
import pkg from '../../package.json' with { type: 'json' };
import { runCompatCommand } from './compat-command.js';
import { DLQ_HELP, runDlqCommand } from './dlq-command.js';
import { EXIT, InputError, UsageError } from './io.js';
import type { CommandIo } from './io.js';
import { PRODUCE_HELP, runProduceCommand } from './produce-command.js';
import { TAIL_HELP, runTailCommand } from './tail-command.js';
import { TOPICS_HELP, runTopicsCommand } from './topics-command.js';
import { VALIDATE_HELP, runValidateCommand } from './validate-command.js';

/** Help of `vmware-events`. */
export const MAIN_HELP = `Usage: vmware-events <command> [options]

Commands:
  tail               print live events, decoded, with filters on env/tenant/operation/VM (like kcat)
  produce            send events from JSON/NDJSON files or standard input, validated first
  dlq list|replay    list dead letters; replay them to their topic or to one consumer group's retry topic
  topics plan|apply  provision Kafka topics from a declarative topic plan (docs/topics.md)
  validate           check events against the SDK's JSON Schemas (files or standard input)
  compat             check that JSON Schema versions are compatible (docs/compatibility.md)

Options:
  -h, --help         this help; \`vmware-events <command> --help\` for a command's
  --version          the version

Documentation: docs/cli.md.
`;

const COMMANDS: Record<
  string,
  { run: (argv: readonly string[], io: CommandIo) => Promise<number>; help: string }
> = {
  tail: { run: runTailCommand, help: TAIL_HELP },
  produce: { run: runProduceCommand, help: PRODUCE_HELP },
  dlq: { run: runDlqCommand, help: DLQ_HELP },
  topics: { run: runTopicsCommand, help: TOPICS_HELP },
  validate: { run: runValidateCommand, help: VALIDATE_HELP },
  compat: { run: runCompatCommand, help: '' }, // prints its own help
};

/** Runs `vmware-events` with `argv` (without node and the script) and returns the exit code. */
export async function runVmwareEvents(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(MAIN_HELP);
    return EXIT.usage;
  }
  if (name === '-h' || name === '--help' || name === 'help') {
    io.stdout(MAIN_HELP);
    return EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${pkg.version}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr(`Unknown command '${name}'.\n\n${MAIN_HELP}`);
    return EXIT.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof InputError) {
      io.stderr(`error: ${error.message}\n`);
      return EXIT.usage;
    }
    // parseArgs reports unknown or malformed flags with a code; our own usage errors are UsageError.
    const code = (error as { code?: unknown }).code;
    if (error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      io.stderr(`error: ${(error as Error).message}\n\n${command.help}`);
      return EXIT.usage;
    }
    throw error;
  }
}
