import { defineConfig } from 'tsup';

// One self-contained bundle: `npm install @ar/cli` installs no other package. `gar --help` and
// `gar --version` load the entry and commander only: every command's code sits in a chunk its
// action imports.
export default defineConfig({
  entry: { gar: 'src/main.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  shims: true,
  // Every workspace package and library is a devDependency and built in (tsup bundles all but
  // `dependencies` and `peerDependencies`). Left out: native addons, each optional where it is
  // loaded. better-sqlite3 (an optional peer) serves `gar emulator start` on Node < 22.13 only;
  // dockerode's ssh2 falls back to JavaScript without cpu-features and its own sshcrypto.node.
  external: ['better-sqlite3', 'cpu-features', /\.node$/],
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
