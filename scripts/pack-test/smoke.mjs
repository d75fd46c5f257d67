import { createRequire } from 'node:module';
import * as schema from '@org/vmware-events-schema';
import * as producer from '@org/vmware-events-producer';
import * as consumer from '@org/vmware-events-consumer';

const runChecks = createRequire(import.meta.url)('./checks.cjs');
await runChecks({ schema, producer, consumer }, `ESM (Node ${process.version})`);
