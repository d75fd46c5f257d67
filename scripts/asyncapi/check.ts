/**
 * `pnpm check:asyncapi` (CI, through the schema package's check:generated): docs/asyncapi.yaml must be exactly what
 * the generator writes from schemas/, and the AsyncAPI parser (@asyncapi/parser, the reference implementation) must
 * find no error in it. Warnings are printed.
 */
import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';
import { ASYNCAPI_FILE, renderAsyncApi } from './render.js';

const SEVERITY = ['error', 'warning', 'info', 'hint'];

async function main(): Promise<number> {
  const want = await renderAsyncApi();
  let have: string;
  try {
    have = readFileSync(ASYNCAPI_FILE, 'utf8');
  } catch {
    have = '';
  }
  if (have !== want) {
    process.stderr.write(
      'docs/asyncapi.yaml is out of date with schemas/ (or the generator): run `pnpm generate` and commit the result. Never edit it by hand.\n',
    );
    return 1;
  }
  const { document, diagnostics } = await new Parser().parse(have, { source: ASYNCAPI_FILE });
  for (const d of diagnostics) {
    process.stdout.write(
      `  ${SEVERITY[d.severity] ?? d.severity} ${d.code} at ${d.path.join('.') || '(document)'}: ${d.message}\n`,
    );
  }
  const errors = diagnostics.filter((d) => Number(d.severity) === 0); // DiagnosticSeverity.Error
  if (document === undefined || errors.length > 0) {
    process.stderr.write(`docs/asyncapi.yaml is not a valid AsyncAPI document: ${errors.length} error(s)\n`);
    return 1;
  }
  const counts = [document.channels().length, document.operations().length, document.messages().length];
  process.stdout.write(
    `docs/asyncapi.yaml matches schemas/ and is valid AsyncAPI ${document.version()}: ${counts[0]} channels, ${counts[1]} operations, ${counts[2]} messages\n`,
  );
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `check:asyncapi: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
