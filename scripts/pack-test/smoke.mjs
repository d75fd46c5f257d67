import { createRequire } from 'node:module';
import * as schema from '@org/vmware-events-schema';
import * as producer from '@org/vmware-events-producer';
import * as consumer from '@org/vmware-events-consumer';
import * as cli from '@org/vmware-events-cli';

const runChecks = createRequire(import.meta.url)('./checks.cjs');
await runChecks({ schema, producer, consumer, cli }, `ESM (Node ${process.version})`);
