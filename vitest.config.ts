import { defineConfig } from 'vitest/config';

// Tiers by folder: `unit` is the pure core (no I/O, no network); `int` talks to an
// in-process s3rver over HTTP, real SQLite files and real HTTP servers on 127.0.0.1.
export default defineConfig({
  test: {
    // The JSON report feeds the plain "N passed, N failed" line .ci/run prints at the end.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest/results.json' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'int',
          include: ['test/int/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
