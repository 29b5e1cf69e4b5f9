import { defineConfig } from 'tsup';

// The library entry (createApi, for embedding and tests) and the `ar-api` bin. Dependencies stay
// external: the service is installed with npm (or a container image), not run as one file.
export default defineConfig({
  entry: { index: 'src/index.ts', main: 'src/main.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: { entry: { index: 'src/index.ts' }, compilerOptions: { customConditions: [] } },
  sourcemap: true,
  clean: true,
});
