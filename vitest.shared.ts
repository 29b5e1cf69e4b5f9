import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * One vitest config for every workspace package. Workspace imports resolve through the
 * `@ar/source` export condition to TypeScript sources, so tests never need a prior build.
 * Unit tests live beside the code (`src/**\/*.test.ts`); real-server tests under `test/e2e`.
 */
export default defineConfig({
  resolve: { conditions: ['@ar/source', 'node', 'import', 'default'] },
  ssr: { resolve: { conditions: ['@ar/source', 'node', 'import', 'default'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    // Fails the run when a test leaves a temp file or directory behind (see the file).
    globalSetup: [fileURLToPath(new URL('./vitest.temp-dirs.mjs', import.meta.url))],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
