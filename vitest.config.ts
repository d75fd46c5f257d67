import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * One vitest project per package and kind of test:
 *   <package>:unit         never touches a broker or a server (fakes allowed)
 *   <package>:integration  runs against the real Kafka broker / Redis / vcsim that scripts/test.sh starts
 *   <package>:cluster      runs against the three-node cluster (scripts/kafka-cluster.sh) and kills its nodes;
 *                          defined only when KAFKA_CLUSTER_BROKERS names the cluster (so `--project producer:*`
 *                          never kills a cluster by accident); scripts/test.sh runs them on their own
 * Workspace packages resolve to their sources, so tests never need a build first.
 */
const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));
const file = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));
// The subpaths first: an alias also matches what starts with it and a slash.
const alias = {
  '@org/vmware-events-producer/testing': file('producer/src/testing.ts'),
  '@org/vmware-events-consumer/testing': file('consumer/src/testing.ts'),
  '@org/vmware-events-schema': src('schema'),
  '@org/vmware-events-producer': src('producer'),
  '@org/vmware-events-consumer': src('consumer'),
  '@org/vmware-events-cli': src('cli'),
};

const unit = (name: string, dir: string) => ({
  resolve: { alias },
  test: {
    name: `${name}:unit`,
    include: [`${dir}/test/unit/**/*.test.ts`],
    typecheck: { enabled: true, include: [`${dir}/test/unit/**/*.test-d.ts`], tsconfig: './tsconfig.json' },
  },
});

const integration = (name: string, dir: string) => ({
  resolve: { alias },
  test: {
    name: `${name}:integration`,
    include: [`${dir}/test/integration/**/*.test.ts`],
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

const cluster = (name: string, dir: string) => ({
  resolve: { alias },
  test: {
    name: `${name}:cluster`,
    include: [`${dir}/test/cluster/**/*.test.ts`],
    globalSetup: ['./test/cluster-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});

const withCluster = (process.env.KAFKA_CLUSTER_BROKERS ?? '') !== '';

const packages: Array<[string, string]> = [
  ['schema', 'packages/schema'],
  ['producer', 'packages/producer'],
  ['consumer', 'packages/consumer'],
  ['cli', 'packages/cli'],
  ['bridge', 'examples/vcenter-bridge'],
  ['demo', 'examples/demo'],
  ['scripts', 'scripts'], // repository tooling (the AsyncAPI generator)
];

export default defineConfig({
  test: {
    projects: packages.flatMap(([name, dir]) => [
      unit(name, dir),
      integration(name, dir),
      ...(withCluster ? [cluster(name, dir)] : []),
    ]),
    passWithNoTests: true,
  },
});
