import { createPrivateKey } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CredentialStore,
  classifyLogin,
  generateServiceAccountKey,
  parseBasicAuthorization,
  parseServiceAccountKey,
  type ServiceAccountKey,
} from './credentials.js';

const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;

let key: ServiceAccountKey;
beforeAll(async () => {
  key = await generateServiceAccountKey({ projectId: 'p1', accountName: 'pusher' });
});

describe('parseBasicAuthorization', () => {
  it('is undefined without a header', () => {
    expect(parseBasicAuthorization(undefined)).toBeUndefined();
    expect(parseBasicAuthorization('  ')).toBeUndefined();
  });

  it('splits at the first colon, so passwords may hold colons', () => {
    expect(parseBasicAuthorization(basic('_json_key', '{"a":"b:c"}'))).toEqual({
      username: '_json_key',
      password: '{"a":"b:c"}',
    });
    expect(parseBasicAuthorization(`basic   ${Buffer.from('u:').toString('base64')}`)).toEqual({
      username: 'u',
      password: '',
    });
  });

  it.each([
    ['a Bearer header', 'Bearer abc'],
    ['Basic without a colon', `Basic ${Buffer.from('nocolon').toString('base64')}`],
    ['Basic with junk', 'Basic ***'],
    ['Basic alone', 'Basic'],
  ])('calls %s malformed', (_what, header) => {
    expect(parseBasicAuthorization(header)).toBe('malformed');
  });
});

describe('classifyLogin', () => {
  it('recognises the three username forms', () => {
    expect(classifyLogin({ username: 'oauth2accesstoken', password: 'ya29.x' })).toEqual({
      form: 'access_token',
      token: 'ya29.x',
    });
    expect(classifyLogin({ username: '_json_key', password: JSON.stringify(key) })).toEqual({
      form: 'json_key',
      key,
    });
    const base64 = Buffer.from(JSON.stringify(key)).toString('base64');
    expect(classifyLogin({ username: '_json_key_base64', password: base64 })).toEqual({
      form: 'json_key_base64',
      key,
    });
  });

  it('tells a key that does not parse, and an unsupported username', () => {
    expect(classifyLogin({ username: '_json_key', password: 'not json' })).toEqual({
      form: 'json_key',
      key: undefined,
    });
    expect(classifyLogin({ username: '_json_key_base64', password: '%%%' })).toEqual({
      form: 'json_key_base64',
      key: undefined,
    });
    expect(classifyLogin({ username: 'admin', password: 'x' })).toEqual({
      form: 'unsupported',
      username: 'admin',
    });
  });
});

describe('generateServiceAccountKey', () => {
  it('makes a key file with a usable RSA private key', () => {
    expect(key).toMatchObject({
      type: 'service_account',
      project_id: 'p1',
      client_email: 'pusher@p1.iam.gserviceaccount.com',
    });
    expect(key.private_key_id).toMatch(/^[0-9a-f]{40}$/);
    expect(createPrivateKey(key.private_key).asymmetricKeyType).toBe('rsa');
    expect(parseServiceAccountKey(JSON.stringify(key))).toEqual(key);
    expect(parseServiceAccountKey('{"client_email":"x"}')).toBeUndefined();
    expect(parseServiceAccountKey('[]')).toBeUndefined();
  });
});

describe('CredentialStore', () => {
  it('accepts an allowed access token, and forgets it once revoked', async () => {
    const store = new CredentialStore(Date.now);
    const allowed = await store.allow({
      kind: 'access_token',
      token: 'ya29.good',
      subject: 'me@example.test',
    });
    expect(allowed).toMatchObject({
      username: 'oauth2accesstoken',
      password: 'ya29.good',
      subject: 'me@example.test',
    });
    const check = store.check({ username: 'oauth2accesstoken', password: 'ya29.good' });
    expect(check).toEqual({ ok: true, credential: allowed });
    expect(store.check({ username: 'oauth2accesstoken', password: 'ya29.bad' })).toEqual({
      ok: false,
      reason: 'unknown access token',
    });
    expect(store.revoke(allowed.id)).toBe(true);
    expect(store.revoke(allowed.id)).toBe(false);
    expect(store.check({ username: 'oauth2accesstoken', password: 'ya29.good' }).ok).toBe(false);
  });

  it('generates a token when none is given, and refuses the same token or id twice', async () => {
    const store = new CredentialStore(Date.now);
    const generated = await store.allow({ kind: 'access_token', id: 'one' });
    expect(generated.token).toMatch(/^ya29\.e2e-/);
    await expect(store.allow({ kind: 'access_token', token: generated.token! })).rejects.toThrow(
      /already allowed/,
    );
    await expect(store.allow({ kind: 'access_token', id: 'one' })).rejects.toThrow(/already allowed/);
  });

  it('accepts an allowed key as _json_key and as _json_key_base64, not another key', async () => {
    const store = new CredentialStore(Date.now);
    const allowed = await store.allow({ kind: 'service_account_key', key, access: { actions: ['pull'] } });
    expect(allowed.subject).toBe(key.client_email);
    expect(allowed.username).toBe('_json_key');
    expect(store.check({ username: '_json_key', password: allowed.password })).toMatchObject({ ok: true });
    expect(store.check({ username: '_json_key', password: JSON.stringify(key, null, 2) })).toMatchObject({
      ok: true,
    });
    expect(store.check({ username: '_json_key_base64', password: allowed.jsonKeyBase64! })).toMatchObject({
      ok: true,
      credential: { access: { actions: ['pull'] } },
    });
    const other = await generateServiceAccountKey();
    expect(store.check({ username: '_json_key', password: JSON.stringify(other) })).toEqual({
      ok: false,
      reason: `unknown service-account key ${other.client_email}`,
    });
    expect(store.check({ username: '_json_key', password: '{' })).toMatchObject({ ok: false });
    expect(store.check({ username: 'someone', password: 'x' })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/unsupported username "someone"/),
    });
  });

  it('generates a key when none is given, and takes key JSON text', async () => {
    const store = new CredentialStore(Date.now);
    const generated = await store.allow({ kind: 'service_account_key' });
    expect(generated.key?.type).toBe('service_account');
    const fromText = await store.allow({ kind: 'service_account_key', key: JSON.stringify(key) });
    expect(fromText.key).toEqual(key);
    await expect(store.allow({ kind: 'service_account_key', key: '{}' })).rejects.toThrow(
      /service-account key/,
    );
  });

  it('refuses a credential once its validity has passed', async () => {
    let now = 1_000_000;
    const store = new CredentialStore(() => now);
    const allowed = await store.allow({ kind: 'access_token', token: 't', validForSeconds: 10 });
    expect(allowed.expiresAt).toBe(new Date(1_010_000).toISOString());
    now += 9_999;
    expect(store.check({ username: 'oauth2accesstoken', password: 't' }).ok).toBe(true);
    now += 1;
    expect(store.check({ username: 'oauth2accesstoken', password: 't' })).toEqual({
      ok: false,
      reason: `credential ${allowed.id} has expired`,
    });
  });

  it('lists credentials without their secrets', async () => {
    const store = new CredentialStore(Date.now);
    await store.allow({ kind: 'access_token', token: 'ya29.secret-value', id: 't1', tokenTtlSeconds: 5 });
    await store.allow({ kind: 'service_account_key', key, id: 'k1' });
    const listed = store.list();
    expect(listed).toEqual([
      { id: 't1', kind: 'access_token', subject: 't1', tokenTtlSeconds: 5 },
      { id: 'k1', kind: 'service_account_key', subject: key.client_email },
    ]);
    expect(JSON.stringify(listed)).not.toContain('secret-value');
    expect(JSON.stringify(listed)).not.toContain('PRIVATE KEY');
  });

  it('refuses malformed specs', async () => {
    const store = new CredentialStore(Date.now);
    await expect(store.allow({ kind: 'password' } as never)).rejects.toThrow(/Unknown credential kind/);
    await expect(store.allow({ kind: 'access_token', tokenTtlSeconds: 0 })).rejects.toThrow(/positive/);
    await expect(store.allow({ kind: 'access_token', access: { actions: 'pull' } as never })).rejects.toThrow(
      /access.actions/,
    );
    await expect(store.allow(null as never)).rejects.toThrow(/must be an object/);
  });
});
