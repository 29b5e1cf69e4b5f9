import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@ar/emulator';
import { RegistryClient, type RegistryClientOptions } from '../../src/client.js';
import type { CredentialProvider } from '../../src/http/auth.js';

export const PROJECT = 'my-project';
export const WRITER = `pusher@${PROJECT}.iam.gserviceaccount.com`;
export const READER = `reader@${PROJECT}.iam.gserviceaccount.com`;

/** An in-process emulator (a local Artifact Registry on loopback) with a writer and a reader. */
export interface EmulatorFixture {
  readonly emulator: Emulator;
  readonly host: string;
  readonly dir: string;
  writer: CredentialProvider;
  reader: CredentialProvider;
  client(credentials: CredentialProvider | undefined, options?: RegistryClientOptions): RegistryClient;
  stop(): Promise<void>;
}

export async function startEmulatorFixture(): Promise<EmulatorFixture> {
  const emulator = await startEmulator({
    seed: {
      projects: [
        {
          id: PROJECT,
          serviceAccounts: [{ id: 'pusher' }, { id: 'reader' }],
          repositories: [
            {
              id: 'repo',
              location: 'us-central1',
              iam: [
                { role: 'roles/artifactregistry.writer', members: [`serviceAccount:${WRITER}`] },
                { role: 'roles/artifactregistry.reader', members: [`serviceAccount:${READER}`] },
              ],
            },
            {
              id: 'frozen',
              location: 'us-central1',
              immutableTags: true,
              iam: [{ role: 'roles/artifactregistry.writer', members: [`serviceAccount:${WRITER}`] }],
            },
          ],
        },
      ],
    },
  });
  const dir = await mkdtemp(join(tmpdir(), 'ar-registry-test-'));
  const clients: RegistryClient[] = [];
  // Each call mints afresh, as @ar/auth does on forceRefresh; the emulator accepts oauth2accesstoken.
  const tokenFor =
    (principal: string): CredentialProvider =>
    async () => ({
      username: 'oauth2accesstoken',
      password: emulator.mintAccessToken(principal).accessToken,
    });
  return {
    emulator,
    host: emulator.host(),
    dir,
    writer: tokenFor(`serviceAccount:${WRITER}`),
    reader: tokenFor(`serviceAccount:${READER}`),
    client(credentials, options = {}) {
      const client = new RegistryClient({
        credentials,
        retry: { minDelayMs: 1, maxDelayMs: 20 },
        ...options,
      });
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.close()));
      await emulator.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
