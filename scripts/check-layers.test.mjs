// Run with `node --test scripts/`: proves the dependency-direction check fails on wrong imports.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkLayers } from './check-layers.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));

test('the real tree keeps its layers', () => {
  assert.deepEqual(checkLayers(join(here, '..')), []);
});

test('a fixture with every kind of wrong dependency fails, naming each one (tests may import declared devDependencies, even higher ones; bundled apps build theirs in, other apps may not)', () => {
  const problems = checkLayers(join(here, 'fixtures', 'layers-wrong')).sort();
  assert.deepEqual(problems, [
    'apps/api/src/index.ts: imports @ar/auth, which @ar/api does not declare in dependencies',
    'apps/cli/package.json: @ar/cli must not depend on the app @ar/api (apps are never imported)',
    'apps/credential-helper/package.json: @ar/docker-credential-gar must not depend on the app @ar/cli (apps are never imported)',
    'dependency cycle: @ar/docker -> @ar/emulator -> @ar/docker',
    'packages/auth/package.json: @ar/auth (domain) must not depend on @ar/core (facade, a higher layer); inject a function instead',
    'packages/auth/src/index.ts: imports @ar/config, which @ar/auth does not declare in dependencies',
    'packages/config/src/index.ts: imports @ar/registry, which @ar/config does not declare in dependencies',
    'packages/core/src/index.ts: imports @ar/test-support, which @ar/core does not declare in dependencies',
    'packages/docker/package.json: @ar/docker (adapters) must not depend on @ar/emulator, another adapter; compose them in @ar/core',
    'packages/emulator/package.json: @ar/emulator (adapters) must not depend on @ar/docker, another adapter; compose them in @ar/core',
    'packages/mystery: @ar/mystery has no layer; add it to LAYERS in scripts/check-layers.mjs',
    'packages/registry/package.json: @ar/test-support may only be a devDependency',
  ]);
});

test('an adapter depending on another adapter fails, and an app running an adapter core composes fails (types, tests and the emulator server are fine)', () => {
  const problems = checkLayers(join(here, 'fixtures', 'layers-adapters')).sort();
  assert.deepEqual(problems, [
    'apps/api/src/app.ts: imports @ar/registry at run time; apps reach it through @ar/core (type-only imports are fine)',
    'apps/api/src/app.ts: imports @ar/registry at run time; apps reach it through @ar/core (type-only imports are fine)',
    'packages/registry/package.json: @ar/registry (adapters) must not depend on @ar/docker, another adapter; compose them in @ar/core',
    'packages/registry/src/index.ts: @ar/registry (adapters) must not depend on @ar/docker, another adapter; compose them in @ar/core',
  ]);
});
