import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { envBindings } from './env.js';
import { configJsonSchema } from './json-schema.js';
import { arConfigFileSchema } from './schema.js';

const shipped = JSON.parse(readFileSync(new URL('../schema.json', import.meta.url), 'utf8'));

describe('schema.json', () => {
  it('is exactly what the zod schema generates (run `npm run schema` after changing the schema)', () => {
    expect(shipped).toEqual(configJsonSchema());
  });

  // Editors validate with the JSON Schema, resolveConfig with zod: they must agree.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('email', /^[^@\s]+@[^@\s]+\.[^@\s]+$/);
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:/i);
  const validate = ajv.compile(shipped);

  const samples: Array<[string, unknown, boolean]> = [
    ['empty file', {}, true],
    [
      'a full file',
      {
        $schema: './schema.json',
        project: 'my-project',
        location: 'us-west1',
        repository: 'my-repo',
        activeProfile: 'ci',
        auth: {
          sources: ['adc', 'gcloud'],
          keyMode: 'json-key',
          delegates: ['a@p.iam.gserviceaccount.com'],
          refreshMarginSeconds: 0,
        },
        endpoints: { oauth2TokenUrl: 'http://127.0.0.1:9/token', metadataHost: '127.0.0.1:8999' },
        registries: { 'localhost:5000': { endpoint: 'http://127.0.0.1:5000', insecure: true, google: true } },
        transfer: { concurrency: 64, retries: 0, requestTimeoutSeconds: 1 },
        docker: { host: 'unix:///var/run/docker.sock', tlsVerify: true },
        api: {
          port: 0,
          callers: [{ name: 'bot', grants: [{ prefix: 'us-docker.pkg.dev/p', role: 'read' }] }],
        },
        emulator: { port: 5005 },
        output: { format: 'yaml', color: 'never', progress: 'always' },
        log: { level: 'debug', file: '/tmp/gar.log' },
        profiles: { ci: { project: 'ci-project', transfer: { concurrency: 1 } } },
      },
      true,
    ],
    ['an unknown top-level key', { projet: 'x' }, false],
    ['an unknown nested key', { transfer: { concurency: 2 } }, false],
    ['an out-of-range integer', { transfer: { concurrency: 0 } }, false],
    ['a fractional integer', { transfer: { retries: 1.5 } }, false],
    ['a bad enum value', { output: { format: 'xml' } }, false],
    ['a string where a number goes', { api: { port: '80' } }, false],
    ['an empty token source list', { auth: { sources: [] } }, false],
    ['an unknown key in a registry entry', { registries: { h: { insecur: true } } }, false],
    ['an unknown key in a profile', { profiles: { p: { trasnfer: {} } } }, false],
    ['a bad API key hash', { api: { callers: [{ name: 'x', apiKeySha256: 'abc' }] } }, false],
    ['a non-object', [], false],
  ];

  it.each(samples)('agrees with the zod schema on %s', (_name, sample, valid) => {
    expect(arConfigFileSchema.safeParse(sample).success).toBe(valid);
    expect(validate(sample)).toBe(valid);
  });

  it('marks secrets and file paths for tools', () => {
    expect(shipped.properties.auth.properties.accessToken['x-secret']).toBe(true);
    expect(shipped.properties.auth.properties.credentialsFile['x-path']).toBe(true);
  });
});

describe('environment bindings', () => {
  it('give every scalar and list key its own GAR_ variable, and no variable two keys', () => {
    const bindings = envBindings();
    const own = bindings.filter((b) => b.variable.startsWith('GAR_'));
    const variables = own.map((b) => b.variable);
    expect(new Set(variables).size).toBe(variables.length);
    const keys = new Set(own.map((b) => b.path.join('.')));
    for (const key of [
      'project',
      'auth.sources',
      'auth.accessToken',
      'transfer.concurrency',
      'docker.tlsVerify',
      'log.file',
    ]) {
      expect(keys.has(key)).toBe(true);
    }
    expect(keys.has('registries')).toBe(false);
    expect(keys.has('api.callers')).toBe(false);
    expect(keys.has('profiles')).toBe(false);
    expect(variables).toContain('GAR_ACCESS_TOKEN');
    expect(variables).not.toContain('GAR_AUTH_ACCESS_TOKEN');
  });
});
