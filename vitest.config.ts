import { defineConfig } from 'vitest/config';

// Four tiers: `unit` needs nothing but Node; `tools` needs external binaries
// (terraform, actionlint, hadolint, buildah) but no servers; `integration` runs against
// the local stack (kube-apiserver, etcd, kwok, moto, registry) that its global setup starts;
// `e2e` runs against the stack with a real node, where pods really run (root;
// test/stack/real-nodes/): the demo's path, switches under load, graceful shutdown.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'tools',
          include: ['test/tools/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 900_000,
          // Builds and terraform plans are CPU-heavy; two cores.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/stack/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 1_200_000,
          // one real node, image builds and load tests: one file at a time
          fileParallelism: false,
        },
      },
    ],
  },
});
