/**
 * Global setup for every `*:cluster` project: the three-node cluster must already run (scripts/test.sh starts it
 * with scripts/kafka-cluster.sh after the other tests). Fails fast, with the command to run, when a node is down.
 */
import { connect } from 'node:net';
import { CLUSTER_BROKERS } from './cluster.js';

function reachable(hostPort: string): Promise<boolean> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve) => {
    const socket = connect({ host: host ?? '127.0.0.1', port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export default async function setup(): Promise<void> {
  if (CLUSTER_BROKERS.length !== 3) {
    throw new Error(
      'KAFKA_CLUSTER_BROKERS must name the three nodes (bash scripts/kafka-cluster.sh brokers prints it)',
    );
  }
  for (const broker of CLUSTER_BROKERS) {
    if (!(await reachable(broker))) {
      throw new Error(
        `No node of the three-node cluster answers at ${broker}. Start it with 'bash scripts/kafka-cluster.sh start' ` +
          `(or run 'bash scripts/test.sh', which starts it for the cluster tests).`,
      );
    }
  }
  process.env.KAFKA_CLUSTER_BROKERS = CLUSTER_BROKERS.join(',');
}
