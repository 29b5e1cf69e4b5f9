import { defineConfig } from 'tsup';

// One bundle, so `npx @ar/cli` runs without the workspace; `gar --help` and `gar --version` load
// the entry and commander only: every command's code sits in a chunk its action imports.
export default defineConfig({
  entry: { gar: 'src/main.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  shims: true,
  // Everything but the packages that load native addons (the emulator's SQLite, dockerode's ssh2):
  // they stay dependencies, installed with the CLI.
  noExternal: [/^(?!(better-sqlite3|dockerode)$)/],
  external: ['better-sqlite3', 'dockerode'],
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
