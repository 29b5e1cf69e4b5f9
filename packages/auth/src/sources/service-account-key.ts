import { sourceAbsent } from '../errors.js';
import type { TokenSource } from '../source.js';
import { readCredentialsFile } from './credentials-file.js';
import { clientFromJson, tokenFromClient } from './google-client.js';

/**
 * A service-account key file named by `auth.credentialsFile` (GOOGLE_APPLICATION_CREDENTIALS).
 * Other credential types in that file are left to the `adc` source.
 */
export const serviceAccountKeySource: TokenSource = {
  name: 'service-account-key',
  async detect({ config }) {
    const path = config.auth.credentialsFile;
    if (!path) throw sourceAbsent('no key file (GOOGLE_APPLICATION_CREDENTIALS, auth.credentialsFile)');
    const file = await readCredentialsFile(path, 'GOOGLE_APPLICATION_CREDENTIALS / auth.credentialsFile');
    if (file.type !== 'service_account')
      throw sourceAbsent(`${path} holds ${file.type} credentials, not a service-account key`);
    return {
      source: 'service-account-key',
      ...(file.account ? { account: file.account } : {}),
      identity: `service-account-key:${file.account}:${path}`,
      origin: path,
      files: [path],
      cacheable: true,
      serviceAccountKey: file.text,
      fetchToken: async (scopes) =>
        tokenFromClient(
          await clientFromJson(file.json, scopes, config),
          `the key of ${file.account} (${path})`,
        ),
    };
  },
};
