/**
 * Global setup for every `*:integration` project: the real services must already be running
 * (scripts/test.sh starts them once per run). This only checks that they answer, and fails fast
 * with the command to run when they do not.
 */
import { connect } from 'node:net';

function reachable(hostPort: string, timeoutMs = 2000): Promise<boolean> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve) => {
    const socket = connect({ host: host ?? '127.0.0.1', port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export default async function setup(): Promise<void> {
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  process.env.KAFKA_BROKERS = brokers.join(',');
  if (!(await reachable(brokers[0]!))) {
    throw new Error(
      `No Kafka broker answers at ${brokers[0]}. Start one with 'bash scripts/kafka.sh start' ` +
        `(or run the whole suite with 'bash scripts/test.sh', which starts everything).`,
    );
  }
}
