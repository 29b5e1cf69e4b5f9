// The vitest global setup that fails a run whose tests leave temp files behind.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import setup from '../vitest.temp-dirs.mjs';

const realStderr = process.stderr.write;
afterEach(() => {
  process.exitCode = undefined;
  process.stderr.write = realStderr;
});

function captureStderr() {
  let text = '';
  process.stderr.write = (chunk) => {
    text += chunk;
    return true;
  };
  return () => text;
}

test('a run whose tests leave a temp dir fails, names it, and leaves nothing in /tmp', () => {
  const outer = tmpdir();
  const teardown = setup();
  const runDir = tmpdir();
  assert.notEqual(runDir, outer, 'the run has a temp dir of its own');
  const leaked = mkdtempSync(join(tmpdir(), 'ar-config-'));
  const stderr = captureStderr();
  teardown();
  assert.equal(process.exitCode, 1);
  assert.match(stderr(), /tests left 1 temp entry behind: ar-config-/);
  assert.equal(existsSync(leaked), false);
  assert.equal(existsSync(runDir), false);
  assert.equal(tmpdir(), outer);
});

test('a run that cleans up passes', () => {
  const teardown = setup();
  const stderr = captureStderr();
  teardown();
  assert.equal(process.exitCode, undefined);
  assert.equal(stderr(), '');
});
