#!/usr/bin/env node
// Release check: packs every publishable workspace package as `npm publish` would (its prepack
// builds it), installs the tarballs into empty projects outside the workspace, and uses them as
// a user would. gar and docker-credential-gar are installed alone, offline: they must need no
// other package. The libraries are installed together, their third-party dependencies from the
// npm registry, then imported, required and type-checked by a small consumer.
//
//   node scripts/pack-check.mjs [NODE...]   extra Node binaries run the installed bins too
//
// Everything happens in one temp dir, removed at the end whatever happened.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const BUNDLED = ['@ar/cli', '@ar/docker-credential-gar'];
const extraNodes = process.argv.slice(2);

/** Every workspace under packages/ and apps/ that is not private, with its manifest. */
function publishable() {
  return ['packages', 'apps'].flatMap((group) =>
    readdirSync(join(root, group))
      .map((name) => join(root, group, name))
      .filter((dir) => statSync(join(dir, 'package.json'), { throwIfNoEntry: false }))
      .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
      .filter(({ manifest }) => !manifest.private),
  );
}

function run(command, args, options = {}) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options });
}

/** Runs and returns status and output, for commands whose failure is the expected answer. */
function attempt(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)}s`;

function check(ok, what, detail = '') {
  if (!ok) throw new Error(`pack-check: ${what}${detail ? `\n${detail}` : ''}`);
  console.log(`  ok  ${what} [${elapsed()}]`);
}

/** Every file a manifest promises: `exports` targets (but workspace-only conditions) and bins. */
function promisedFiles(manifest) {
  const files = new Set(['package.json', 'README.md', 'LICENSE']);
  const walk = (value, condition) => {
    if (typeof value === 'string') {
      if (condition !== '@ar/source') files.add(value.replace(/^\.\//, ''));
    } else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) walk(inner, key);
    }
  };
  walk(manifest.exports);
  walk(manifest.bin);
  return [...files];
}

function packAll(packages, destination) {
  mkdirSync(destination);
  // Each package's prepack (a turbo build) prints to stdout, which run() captures and drops.
  const workspaces = packages.flatMap(({ manifest }) => ['-w', manifest.name]);
  run('npm', ['pack', ...workspaces, '--pack-destination', destination, '--loglevel=warn'], { cwd: root });
  const rows = [];
  for (const { manifest } of packages) {
    const file = join(
      destination,
      `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`,
    );
    const listing = run('tar', ['-tzf', file])
      .split('\n')
      .filter(Boolean)
      .map((entry) => entry.replace(/^package\//, ''));
    const missing = promisedFiles(manifest).filter((promised) => !listing.includes(promised));
    check(
      missing.length === 0,
      `${manifest.name}: the tarball holds its LICENSE, README and every promised file`,
      `missing: ${missing.join(', ')}`,
    );
    rows.push({ name: manifest.name, file, bytes: statSync(file).size, files: listing.length });
  }
  return rows;
}

function npmInstall(cwd, specs, extra = []) {
  run('npm', ['install', '--no-fund', '--no-audit', '--no-update-notifier', ...extra, ...specs], { cwd });
}

/** Starts `gar emulator start`, waits for its banner, stops it with SIGTERM. */
function emulatorStarts(node, gar, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [gar, 'emulator', 'start', '--port', '0'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let stopping = false;
    const collect = (chunk) => {
      output += chunk;
      if (!stopping && output.includes('Press Ctrl-C to stop.')) {
        stopping = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout.setEncoding('utf8').on('data', collect);
    child.stderr.setEncoding('utf8').on('data', collect);
    child.on('error', reject);
    child.on('close', (status) =>
      resolve({ started: output.includes('Artifact Registry emulator running.'), status, output }),
    );
  });
}

async function checkTools(work, tarballs) {
  const tools = join(work, 'tools');
  mkdirSync(tools);
  writeFileSync(join(tools, 'package.json'), '{ "private": true }\n');
  // --offline: were anything else needed, npm would have to fetch it and fail.
  npmInstall(tools, tarballs, ['--offline']);
  const lock = JSON.parse(readFileSync(join(tools, 'node_modules', '.package-lock.json'), 'utf8'));
  const installed = Object.keys(lock.packages);
  check(
    installed.length === 2,
    'gar and docker-credential-gar install alone, offline: nothing but their own two packages',
    installed.join(', '),
  );

  const home = join(work, 'home');
  mkdirSync(home);
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
  };
  const modules = join(tools, 'node_modules');
  const gar = join(modules, '@ar', 'cli', 'dist', 'gar.js');
  const helper = join(modules, '@ar', 'docker-credential-gar', 'dist', 'docker-credential-gar.cjs');

  for (const node of [process.execPath, ...extraNodes]) {
    const version = run(node, ['--version']).trim();
    // On this Node through the bin links npm made (`#!/usr/bin/env node` finds it on PATH).
    const via = (bin, file) => (args, options) =>
      node === process.execPath
        ? attempt(join(modules, '.bin', bin), args, options)
        : attempt(node, [file, ...args], options);
    const help = via('gar', gar)(['--help'], { env });
    check(
      help.status === 0 && help.stdout.includes('Usage: gar'),
      `gar --help (node ${version})`,
      help.stderr,
    );
    const get = via('docker-credential-gar', helper)(['get'], { env, input: 'registry.example.com' });
    check(
      get.status === 1 && get.stdout.trim() === 'credentials not found in native keychain',
      `docker-credential-gar get registry.example.com: Docker's "credentials not found in native keychain" (node ${version})`,
      `status ${get.status}: ${get.stdout}${get.stderr}`,
    );
    const hasNodeSqlite =
      attempt(node, ['-e', "process.exit(process.getBuiltinModule?.('node:sqlite') ? 0 : 1)"]).status === 0;
    const emulator = await emulatorStarts(node, gar, env);
    if (hasNodeSqlite) {
      check(
        emulator.started && emulator.status === 0,
        `gar emulator start runs on node:sqlite, no native module installed (node ${version})`,
        emulator.output,
      );
    } else {
      check(
        !emulator.started && emulator.status !== 0 && emulator.output.includes('install better-sqlite3'),
        `gar emulator start without better-sqlite3 says what to install (node ${version})`,
        emulator.output,
      );
    }
  }
}

const CONSUMER_ESM = `import { resolveConfig } from '@ar/config';
import { type ArClient, createClient } from '@ar/core';
import { ArError } from '@ar/errors';
import { parseArImage } from '@ar/image-ref';

const { config } = resolveConfig({ env: {} });
const client: ArClient = createClient(config);
export const host: string = parseArImage('us-west1-docker.pkg.dev/my-project/my-repo/app:1.0').host;
export const failed = (error: unknown): string | undefined => (error instanceof ArError ? error.code : undefined);
await client.close();
`;

const CONSUMER_CJS = `import { ArError } from '@ar/errors';
import { parseArImage } from '@ar/image-ref';

export const code = (error: unknown): string | undefined => (error instanceof ArError ? error.code : undefined);
export const repository: string = parseArImage('us-docker.pkg.dev/my-project/my-repo/app:1').repository;
`;

function checkLibraries(work, libraries) {
  const consumer = join(work, 'consumer');
  mkdirSync(join(consumer, 'src'), { recursive: true });
  writeFileSync(join(consumer, 'package.json'), '{ "private": true, "type": "module" }\n');
  const typesNode = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies[
    '@types/node'
  ];
  // Without optional dependencies (better-sqlite3 is one: the libraries must load without it) and
  // without third-party install scripts: their native builds are not what is checked, and take
  // minutes on a machine that cannot download prebuilt binaries.
  npmInstall(
    consumer,
    [...libraries.map(({ file }) => file), `@types/node@${typesNode}`],
    ['--omit=optional', '--ignore-scripts'],
  );
  const names = libraries.map(({ name }) => name);

  const imported = attempt(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `for (const name of ${JSON.stringify(names)}) { const m = await import(name); if (Object.keys(m).length === 0) throw new Error(name + ' exports nothing'); }`,
    ],
    { cwd: consumer },
  );
  check(imported.status === 0, `ESM import of ${names.join(' ')}`, imported.stderr);
  const required = attempt(
    process.execPath,
    [
      '--input-type=commonjs',
      '-e',
      `for (const name of ${JSON.stringify(names)}) { const m = require(name); if (Object.keys(m).length === 0) throw new Error(name + ' exports nothing'); }`,
    ],
    { cwd: consumer },
  );
  check(
    required.status === 0,
    `require() of every library (node ${process.version}: Node's require(esm))`,
    required.stderr,
  );
  if (required.stderr.trim())
    console.log(`      require() printed: ${required.stderr.trim().split('\n')[0]}`);

  writeFileSync(join(consumer, 'src', 'index.ts'), CONSUMER_ESM);
  writeFileSync(join(consumer, 'src', 'legacy.cts'), CONSUMER_CJS);
  writeFileSync(
    join(consumer, 'tsconfig.json'),
    `${JSON.stringify({ compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, noEmit: true, types: ['node'] }, include: ['src'] }, null, 2)}\n`,
  );
  const tsc = attempt(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', consumer],
    { cwd: consumer },
  );
  check(
    tsc.status === 0,
    'tsc (module nodenext, strict, library .d.ts checked) on an ESM and a CommonJS consumer of @ar/core, @ar/config, @ar/errors, @ar/image-ref',
    tsc.stdout + tsc.stderr,
  );
}

const work = mkdtempSync(join(tmpdir(), 'ar-pack-check-'));
try {
  const packages = publishable();
  console.log(`pack-check: packing ${packages.length} packages into ${work}`);
  const rows = packAll(packages, join(work, 'tarballs'));
  console.table(
    rows.map(({ name, bytes, files }) => ({
      package: name,
      'tarball KiB': (bytes / 1024).toFixed(1),
      files,
    })),
  );
  console.log('pack-check: gar and docker-credential-gar, installed alone');
  await checkTools(
    work,
    rows.filter(({ name }) => BUNDLED.includes(name)).map(({ file }) => file),
  );
  console.log('pack-check: the libraries, installed together from their tarballs');
  checkLibraries(
    work,
    rows.filter(({ name }) => !BUNDLED.includes(name)),
  );
  console.log('pack-check: all good');
} finally {
  rmSync(work, { recursive: true, force: true });
}
