import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ArUserConfig, resolveConfig } from '@ar/config';
import { onTestFinished } from 'vitest';

/**
 * A fresh temp HOME and a config resolved inside it, from overrides only (no user files, no real
 * env). Call it in a test: the HOME goes when the test finishes, passed or failed.
 */
export function tempHome(overrides: ArUserConfig = {}, env: Record<string, string> = {}) {
  const home = mkdtempSync(join(tmpdir(), 'ar-auth-'));
  onTestFinished(() => rmSync(home, { recursive: true, force: true }));
  const config = resolveConfig({
    homeDir: home,
    cwd: home,
    configFile: false,
    env: { HOME: home, ...env },
    overrides,
  }).config;
  return { home, config };
}

/** Writes an executable shell script and returns its path. */
export function script(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/**
 * Bundles a script that imports this package's TypeScript sources into one CommonJS file, so a
 * test can run it in real separate processes (to race them on the same files).
 */
export async function bundleScript(dir: string, name: string, contents: string): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(dir, `${name}.cjs`);
  await build({
    stdin: { contents, resolveDir: dir, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // jsonc-parser's UMD build hides its requires from bundlers; its ESM build does not.
    mainFields: ['module', 'main'],
    // Workspace packages resolve to their TypeScript sources, as in the tests themselves.
    conditions: ['@ar/source'],
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

/** The absolute path of a source module, for `import` statements inside bundled scripts. */
export const sourcePath = (relative: string) =>
  JSON.stringify(new URL(`../${relative}`, import.meta.url).pathname);
