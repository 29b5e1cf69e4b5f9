import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const e2e = process.argv.some((arg) => /(^|\/)test\/e2e/.test(arg));

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
    // Fails a unit run (`npm test`) when a test leaves a temp file or directory behind (see the
    // file). Not e2e runs (`vitest run test/e2e`): the tools they start (docker, podman, skopeo,
    // gcloud) keep temp files of their own in TMPDIR.
    globalSetup: e2e ? [] : [fileURLToPath(new URL('./vitest.temp-dirs.mjs', import.meta.url))],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
