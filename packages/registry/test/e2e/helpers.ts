import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AllowedCredential, type CredentialSpec, e2eEnv, tokenAdminClient } from '@ar/test-support';
import { RegistryClient, type RegistryClientOptions } from '../../src/client.js';
import type { CredentialProvider } from '../../src/http/auth.js';

export const env = e2eEnv();
export const admin = tokenAdminClient(env.tokenAdmin);

/** A credential the token server accepts, as the provider shape @ar/auth gives the client. */
export async function credential(
  spec: Partial<CredentialSpec> = {},
): Promise<{ allowed: AllowedCredential; provider: CredentialProvider }> {
  const allowed = await admin.allow({ kind: 'access_token', ...spec } as CredentialSpec);
  return { allowed, provider: async () => ({ username: allowed.username, password: allowed.password }) };
}

export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function tempDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'ar-registry-e2e-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export function makeClient(
  provider: CredentialProvider | undefined,
  options: RegistryClientOptions = {},
): RegistryClient {
  // Short backoff: these tests inject failures on purpose and should not wait long for each.
  return new RegistryClient({ credentials: provider, retry: { minDelayMs: 5, maxDelayMs: 200 }, ...options });
}
