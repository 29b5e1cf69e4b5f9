import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modemOptions, resolveEngineConnection } from './connection.js';

describe('resolveEngineConnection', () => {
  let dir: string;
  const base = { certPath: undefined, tlsVerify: false, configDir: '/nonexistent/.docker' };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ar-docker-conn-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('uses the first default socket that exists, and remembers every one it looked at', async () => {
    const present = join(dir, 'present.sock');
    await writeFile(present, '');
    const connection = resolveEngineConnection(
      { ...base, host: undefined },
      { defaultSockets: [join(dir, 'missing.sock'), present], platform: 'linux' },
    );
    expect(connection).toMatchObject({ kind: 'unix', socketPath: present, address: `unix://${present}` });
    expect(connection.lookedAt).toEqual([`unix://${join(dir, 'missing.sock')}`, `unix://${present}`]);
  });

  it('falls back to the last default socket when none exists', () => {
    const connection = resolveEngineConnection(
      { ...base, host: undefined },
      { defaultSockets: [join(dir, 'a.sock'), join(dir, 'b.sock')], platform: 'linux' },
    );
    expect(connection.address).toBe(`unix://${join(dir, 'b.sock')}`);
  });

  it('takes unix:// and tcp:// hosts as Docker does', () => {
    expect(resolveEngineConnection({ ...base, host: 'unix:///run/x.sock' })).toMatchObject({
      kind: 'unix',
      socketPath: '/run/x.sock',
    });
    expect(resolveEngineConnection({ ...base, host: 'tcp://10.0.0.5:2375' })).toMatchObject({
      kind: 'tcp',
      host: '10.0.0.5',
      port: 2375,
      protocol: 'http',
    });
    // A bare HOST:PORT is tcp; [::1] loses its brackets for the socket layer.
    expect(resolveEngineConnection({ ...base, host: '[::1]:2375' })).toMatchObject({
      host: '::1',
      port: 2375,
    });
  });

  it('speaks TLS with DOCKER_TLS_VERIFY, reading the certificates from DOCKER_CERT_PATH', async () => {
    const certs = join(dir, 'certs');
    await rm(certs, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(certs));
    await writeFile(join(certs, 'ca.pem'), 'CA');
    await writeFile(join(certs, 'cert.pem'), 'CERT');
    await writeFile(join(certs, 'key.pem'), 'KEY');
    const connection = resolveEngineConnection({
      ...base,
      host: 'tcp://engine.test:2376',
      certPath: certs,
      tlsVerify: true,
    });
    expect(connection).toMatchObject({ kind: 'tcp', protocol: 'https', port: 2376 });
    if (connection.kind !== 'tcp') throw new Error('tcp expected');
    expect(connection.tls?.verify).toBe(true);
    expect(connection.tls?.ca?.toString()).toBe('CA');
    const options = modemOptions(connection);
    expect(options).toMatchObject({ protocol: 'https', host: 'engine.test', port: 2376 });
    expect((options.agent as { options: { rejectUnauthorized: boolean } }).options.rejectUnauthorized).toBe(
      true,
    );
  });

  it('names the missing CA file when TLS verification is asked for', () => {
    expect(() =>
      resolveEngineConnection({
        ...base,
        host: 'tcp://engine.test:2376',
        certPath: join(dir, 'none'),
        tlsVerify: true,
      }),
    ).toThrow(
      expect.objectContaining({ code: 'AR_DOCKER_INVALID_HOST', message: expect.stringContaining('ca.pem') }),
    );
  });

  it('refuses addresses it cannot dial, saying what would work', () => {
    for (const host of ['ssh://me@box', 'unix://relative.sock', 'ftp://x:1', 'tcp://']) {
      expect(() => resolveEngineConnection({ ...base, host })).toThrow(
        expect.objectContaining({ code: 'AR_DOCKER_INVALID_HOST' }),
      );
    }
  });

  it('clears every option docker-modem would otherwise take from DOCKER_HOST', () => {
    const options = modemOptions(resolveEngineConnection({ ...base, host: 'unix:///run/x.sock' }));
    // Own keys set to undefined override docker-modem's environment defaults in Object.assign.
    for (const key of ['host', 'port', 'protocol', 'ca', 'cert', 'key', 'agent'])
      expect(Object.hasOwn(options, key) && options[key] === undefined).toBe(true);
    expect(options.socketPath).toBe('/run/x.sock');
  });
});
