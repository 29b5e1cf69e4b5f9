#!/usr/bin/env node
// Dependency-direction check: dependencies point down the layers of docs/architecture, never up,
// never from one app to another, and never around in a cycle. It reads both what each package
// declares (package.json: what users install) and what its sources import (what actually runs).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Lower rank = lower layer. Apps are every workspace under apps/. */
export const LAYERS = {
  '@ar/errors': { layer: 'bottom', rank: 0 },
  '@ar/config': { layer: 'bottom', rank: 0 },
  '@ar/image-ref': { layer: 'domain', rank: 1 },
  '@ar/auth': { layer: 'domain', rank: 1 },
  '@ar/registry': { layer: 'adapters', rank: 2 },
  '@ar/docker': { layer: 'adapters', rank: 2 },
  '@ar/emulator': { layer: 'adapters', rank: 2 },
  '@ar/core': { layer: 'facade', rank: 3 },
};
const APP = { layer: 'apps', rank: 4 };
/** Private test helpers: any package may use them, in devDependencies only. */
const TEST_SUPPORT = '@ar/test-support';
/**
 * Apps published as self-contained bundles: the packages they build in are devDependencies (a
 * user installs nothing else), so here their devDependencies count as what they run on.
 */
const BUNDLED_APPS = new Set(['@ar/cli', '@ar/docker-credential-gar']);

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"](@ar\/[a-z0-9-]+)/g;

function workspaces(root) {
  return ['packages', 'apps'].flatMap((group) => {
    const dir = join(root, group);
    let names = [];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    return names
      .filter((name) => statSync(join(dir, name, 'package.json'), { throwIfNoEntry: false }))
      .map((name) => {
        const path = join(dir, name);
        const manifest = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8'));
        return { path, group, manifest, name: manifest.name };
      });
  });
}

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (/\.(c|m)?[jt]sx?$/.test(entry.name)) yield path;
  }
}

const isTestFile = (path) => /\.(test|e2e)\.|\/test\/|\/bench\//.test(path);

/** Every problem in the tree at `root`, as "where: what" lines; empty when the layers hold. */
export function checkLayers(root) {
  const problems = [];
  const all = workspaces(root);
  const byName = new Map(all.map((ws) => [ws.name, ws]));
  const place = (ws) => (ws.group === 'apps' ? APP : LAYERS[ws.name]);

  const allowed = (from, to) => {
    if (to === TEST_SUPPORT) return 'test-only';
    const target = byName.get(to);
    if (!target) return `${to} is not a workspace package`;
    const a = place(from);
    const b = place(target);
    if (!b) return `${to} has no layer; add it to LAYERS in scripts/check-layers.mjs`;
    if (b === APP) return `${from.name} must not depend on the app ${to} (apps are never imported)`;
    if (b.rank > a.rank)
      return `${from.name} (${a.layer}) must not depend on ${to} (${b.layer}, a higher layer); inject a function instead`;
    return null;
  };

  for (const ws of all) {
    const where = relative(root, ws.path);
    if (ws.name !== TEST_SUPPORT && !place(ws)) {
      problems.push(`${where}: ${ws.name} has no layer; add it to LAYERS in scripts/check-layers.mjs`);
      continue;
    }
    if (ws.name === TEST_SUPPORT) continue;
    const dev = ws.manifest.devDependencies ?? {};
    const builtIn = BUNDLED_APPS.has(ws.name) ? dev : {};
    const runtime = {
      ...ws.manifest.dependencies,
      ...ws.manifest.peerDependencies,
      ...ws.manifest.optionalDependencies,
      ...Object.fromEntries(Object.entries(builtIn).filter(([name]) => name !== TEST_SUPPORT)),
    };
    for (const dep of Object.keys(runtime).filter((d) => d.startsWith('@ar/'))) {
      const verdict = allowed(ws, dep);
      if (verdict === 'test-only') problems.push(`${where}/package.json: ${dep} may only be a devDependency`);
      else if (verdict) problems.push(`${where}/package.json: ${verdict}`);
    }
    for (const dep of Object.keys(dev).filter((d) => d.startsWith('@ar/') && !(d in runtime))) {
      const verdict = allowed(ws, dep);
      if (verdict && verdict !== 'test-only' && byName.get(dep)?.group === 'apps') {
        problems.push(`${where}/package.json: ${verdict}`);
      }
    }
    for (const file of sourceFiles(ws.path)) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(IMPORT)) {
        const dep = match[1];
        if (dep === ws.name) continue;
        const test = isTestFile(relative(ws.path, file).replaceAll('\\', '/').replace(/^/, '/'));
        const declared = dep in runtime || (test && dep in dev);
        const at = `${relative(root, file)}`;
        if (!declared) {
          problems.push(
            `${at}: imports ${dep}, which ${ws.name} does not declare in ${test ? 'dependencies or devDependencies' : 'dependencies'}`,
          );
          continue;
        }
        const verdict = allowed(ws, dep);
        // Tests may use any non-app package they declare (auth's tests run against the emulator).
        const testOfDevDependency = test && dep in dev && byName.get(dep)?.group !== 'apps';
        if (verdict && !testOfDevDependency) {
          problems.push(
            `${at}: ${verdict === 'test-only' ? `${dep} may only be imported by tests` : verdict}`,
          );
        }
      }
    }
  }
  problems.push(...findCycles(all));
  return problems;
}

function findCycles(all) {
  const edges = new Map(
    all.map((ws) => [
      ws.name,
      Object.keys({ ...ws.manifest.dependencies, ...ws.manifest.peerDependencies }).filter((d) =>
        d.startsWith('@ar/'),
      ),
    ]),
  );
  const problems = [];
  const state = new Map();
  const visit = (name, stack) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'active') {
      problems.push(`dependency cycle: ${[...stack.slice(stack.indexOf(name)), name].join(' -> ')}`);
      return;
    }
    state.set(name, 'active');
    for (const next of edges.get(name) ?? []) visit(next, [...stack, name]);
    state.set(name, 'done');
  };
  for (const name of edges.keys()) visit(name, []);
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? join(fileURLToPath(import.meta.url), '..', '..');
  const problems = checkLayers(root);
  if (problems.length > 0) {
    console.error(
      `Dependency direction: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
    console.error(
      'Layers, lowest first: bottom (errors, config) < domain (auth, image-ref) < adapters (registry, docker, emulator) < facade (core) < apps.',
    );
    process.exit(1);
  }
  console.log(`Dependency direction: ${workspaces(root).length} workspaces checked, no problems.`);
}
