/**
 * `pnpm --filter @org/vmware-events-schema generate`: regenerate src/generated/ from schemas/.
 */
import { relative } from 'node:path';
import { generate } from './lib/generate.js';
import { GENERATED_DIR, REPO_ROOT } from './lib/schemas.js';

const files = await generate();
process.stdout.write(`generated ${files.length} files in ${relative(REPO_ROOT, GENERATED_DIR)}/\n`);
