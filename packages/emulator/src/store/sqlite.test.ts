import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { loadBetterSqlite3 } from './sqlite.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

it('says what to install when better-sqlite3 (an optional dependency) is missing', async () => {
  const project = await mkdtemp(join(tmpdir(), 'gar-emulator-no-sqlite-'));
  dirs.push(project);
  const from = pathToFileURL(join(project, 'index.js')).href;
  let thrown: unknown;
  try {
    loadBetterSqlite3(from);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toMatchObject({ code: 'AR_EMULATOR_START_FAILED' });
  expect((thrown as Error).message).toContain('install better-sqlite3');
  expect((thrown as Error).message).toContain('Node 22.13 or later');
  expect((thrown as Error).cause).toMatchObject({ code: 'MODULE_NOT_FOUND' });
});
