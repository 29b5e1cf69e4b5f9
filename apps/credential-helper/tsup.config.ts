import { defineConfig } from 'tsup';

// One bundled file (plus lazily loaded chunks) so a `get` does no module resolution: the warm
// path loads the entry alone; zod, google-auth-library and the file-locking code sit in chunks
// that only the slow path imports.
export default defineConfig({
  entry: { 'docker-credential-gar': 'src/main.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  shims: true,
  noExternal: [/.*/],
  clean: true,
  // Bundled CommonJS dependencies call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __arCreateRequire } from 'node:module'; const require = __arCreateRequire(import.meta.url);",
  },
  esbuildOptions(options) {
    // jsonc-parser's UMD build hides its requires from bundlers; its ESM build does not.
    options.mainFields = ['module', 'main'];
    options.conditions = ['@ar/source'];
  },
});
