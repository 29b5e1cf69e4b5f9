import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeStandInCredentialHelper } from './docker-config.js';
import { runChecked } from './run.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ar-docker-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeStandInCredentialHelper', () => {
  it('writes a docker config pointing at a helper that answers get, and logs calls without secrets', async () => {
    const helper = await writeStandInCredentialHelper({
      dir,
      registry: '127.0.0.1:5000',
      username: 'oauth2accesstoken',
      secret: 'ya29.sekret',
      basePath: '/usr/bin:/bin',
    });
    expect(JSON.parse(await readFile(join(helper.env.DOCKER_CONFIG, 'config.json'), 'utf8'))).toEqual({
      credHelpers: { '127.0.0.1:5000': 'e2estandin' },
    });
    expect(helper.env.PATH).toBe(`${helper.binDir}:/usr/bin:/bin`);
    expect(helper.helperPath).toBe(join(helper.binDir, 'docker-credential-e2estandin'));

    const get = await runChecked('docker-credential-e2estandin', ['get'], {
      input: '127.0.0.1:5000',
      env: helper.env,
    });
    expect(JSON.parse(get.stdout)).toEqual({
      ServerURL: '127.0.0.1:5000',
      Username: 'oauth2accesstoken',
      Secret: 'ya29.sekret',
    });
    await helper.setAnswer('oauth2accesstoken', 'ya29.other');
    const again = await runChecked(helper.helperPath, ['get'], { input: '127.0.0.1:5000' });
    expect(JSON.parse(again.stdout).Secret).toBe('ya29.other');
    await runChecked(helper.helperPath, ['store'], {
      input: JSON.stringify({ ServerURL: 'x', Username: 'u', Secret: 'ya29.stored' }),
    });

    expect(await helper.calls()).toEqual([
      { action: 'get', serverUrl: '127.0.0.1:5000' },
      { action: 'get', serverUrl: '127.0.0.1:5000' },
      { action: 'store', serverUrl: '' },
    ]);
    const log = await readFile(join(dir, 'credential-calls.log'), 'utf8');
    expect(log).not.toContain('ya29');
  });
});
