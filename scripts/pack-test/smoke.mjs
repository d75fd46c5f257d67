import { createRequire } from 'node:module';
import * as schema from '@org/vmware-events-schema';
import * as producer from '@org/vmware-events-producer';
import * as consumer from '@org/vmware-events-consumer';
import * as producerTesting from '@org/vmware-events-producer/testing';
import * as consumerTesting from '@org/vmware-events-consumer/testing';
import * as cli from '@org/vmware-events-cli';

const runChecks = createRequire(import.meta.url)('./checks.cjs');
await runChecks(
  { schema, producer, consumer, cli, producerTesting, consumerTesting },
  `ESM (Node ${process.version})`,
);
