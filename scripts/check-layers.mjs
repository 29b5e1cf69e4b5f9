#!/usr/bin/env node
// Dependency-direction check: dependencies point down the layers of docs/architecture, never up,
// never from one app to another, never from one adapter to another (core composes them), and
// never around in a cycle; apps reach the adapters core composes through core, at run time. It
// reads both what each package declares (package.json: what users install) and what its sources
// import (what actually runs).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Lower rank = lower layer. Apps are every workspace under apps/. */
export const LAYERS = {
  '@ar/errors': { layer: 'bottom', rank: 0 },
  '@ar/config': { layer: 'bottom', rank: 0 },
  '@ar/image-ref': { layer: 'domain', rank: 1 },
  '@ar/auth': { layer: 'domain', rank: 1 },
  '@ar/cleanup-policy': { layer: 'domain', rank: 1 },
  '@ar/registry': { layer: 'adapters', rank: 2 },
  '@ar/docker': { layer: 'adapters', rank: 2 },
  '@ar/emulator': { layer: 'adapters', rank: 2 },
  '@ar/core': { layer: 'facade', rank: 3 },
};
const APP = { layer: 'apps', rank: 4 };
/** Private test helpers: any package may use them, in devDependencies only. */
const TEST_SUPPORT = '@ar/test-support';
/**
 * The adapters @ar/core composes: apps may name their types, but run them only through core. (The
 * emulator is a server an app may start, not something core composes.)
 */
const COMPOSED_BY_CORE = new Set(['@ar/registry', '@ar/docker']);
/**
 * Apps published as self-contained bundles: the packages they build in are devDependencies (a
 * user installs nothing else), so here their devDependencies count as what they run on.
 */
const BUNDLED_APPS = new Set(['@ar/cli', '@ar/docker-credential-gar']);

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"](@ar\/[a-z0-9-]+)/g;
/** `import type … from` / `export type … from`: erased at build, nothing of the package runs. */
const TYPE_ONLY =
  /\b(?:import|export)\s+type\s+(?:\{[^}]*\}|\*\s+as\s+[\w$]+|[\w$]+)\s+from\s*['"](@ar\/[a-z0-9-]+)/g;

/** Where each match's module name starts: the same place for an IMPORT and a TYPE_ONLY match. */
const nameAt = (match) => match.index + match[0].length - match[1].length;

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
    if (a.layer === 'adapters' && b.layer === 'adapters' && from.name !== to)
      return `${from.name} (adapters) must not depend on ${to}, another adapter; compose them in @ar/core`;
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
      const typeOnly = new Set([...text.matchAll(TYPE_ONLY)].map(nameAt));
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
        } else if (
          ws.group === 'apps' &&
          !test &&
          COMPOSED_BY_CORE.has(dep) &&
          !typeOnly.has(nameAt(match))
        ) {
          problems.push(
            `${at}: imports ${dep} at run time; apps reach it through @ar/core (type-only imports are fine)`,
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
      'Layers, lowest first: bottom (errors, config) < domain (auth, image-ref) < adapters (registry, docker, emulator; never each other) < facade (core) < apps.',
    );
    process.exit(1);
  }
  console.log(`Dependency direction: ${workspaces(root).length} workspaces checked, no problems.`);
}
