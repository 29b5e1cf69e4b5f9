import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  target: 'node20',
  platform: 'node',
  noExternal: [/.*/],
  esbuildOptions(options) {
    // jsonc-parser's UMD build hides its requires from bundlers; its ESM build does not.
    options.mainFields = ['module', 'main'];
    options.conditions = ['@ar/source'];
  },
};

// Two bundles. The entry, `docker-credential-gar.cjs`, is one CommonJS file that imports only Node
// built-ins: a warm `get` loads it alone (CommonJS, as Node starts an ES module entry a few
// milliseconds slower). Everything else is `commands.js`, an ES module whose heavy dependencies
// (zod, google-auth-library, file locking) sit in chunks that load on use.
export default defineConfig([
  {
    ...shared,
    entry: { 'docker-credential-gar': 'src/main.ts' },
    format: ['cjs'],
    outExtension: () => ({ js: '.cjs' }),
    esbuildPlugins: [
      {
        name: 'commands-stay-apart',
        setup(build) {
          build.onResolve({ filter: /^\.\/commands\.js$/ }, () => ({
            path: './commands.js',
            external: true,
          }));
        },
      },
    ],
  },
  {
    ...shared,
    entry: { commands: 'src/commands.ts' },
    format: ['esm'],
    splitting: true,
    shims: true,
    // Bundled CommonJS dependencies call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __arCreateRequire } from 'node:module'; const require = __arCreateRequire(import.meta.url);",
    },
  },
]);
