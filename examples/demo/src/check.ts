/**
 * `tsx src/check.ts <part1.txt> <part2.txt>`: checks the saved output of both demo parts (scripts/demo.sh --check
 * runs it). Prints one line per check and exits 0 when every check passed, 1 otherwise, 2 on bad usage.
 */
import { readFile } from 'node:fs/promises';
import { checkBridgePart, checkProducerConsumerPart, formatChecks } from './check-transcript.js';

async function main(argv: string[]): Promise<number> {
  if (argv.length !== 2) {
    process.stderr.write('usage: tsx src/check.ts <part1 transcript> <part2 transcript>\n');
    return 2;
  }
  const [part1, part2] = await Promise.all(argv.map((file) => readFile(file, 'utf8')));
  const { ok, text } = formatChecks([...checkProducerConsumerPart(part1!), ...checkBridgePart(part2!)]);
  process.stdout.write(text);
  return ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo check: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
