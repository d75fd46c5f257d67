/**
 * `pnpm generate:asyncapi` (also run by `pnpm generate`): writes docs/asyncapi.yaml from schemas/ and the SDK's
 * conventions. `pnpm check:asyncapi` (CI) fails when the file differs from what this would write, or when the
 * AsyncAPI parser finds an error in it.
 */
import { writeFileSync } from 'node:fs';
import { ASYNCAPI_FILE, renderAsyncApi } from './render.js';

writeFileSync(ASYNCAPI_FILE, await renderAsyncApi());
process.stdout.write('generated docs/asyncapi.yaml\n');
