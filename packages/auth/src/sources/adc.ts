import { join } from 'node:path';
import type { TokenSource } from '../source.js';
import { readCredentialsFile } from './credentials-file.js';
import { clientFromJson, tokenFromClient } from './google-client.js';

/**
 * Application Default Credentials from a file, as google-auth-library reads them: the file named by
 * `auth.credentialsFile` (GOOGLE_APPLICATION_CREDENTIALS), else gcloud's
 * `application_default_credentials.json` (`gcloud auth application-default login`). Any type:
 * authorized_user, service_account, external_account (workload identity federation),
 * impersonated_service_account. The metadata server is its own source.
 */
export const adcSource: TokenSource = {
  name: 'adc',
  async detect({ config }) {
    const named = config.auth.credentialsFile;
    const path = named ?? join(config.auth.gcloudConfigDir, 'application_default_credentials.json');
    const file = await readCredentialsFile(
      path,
      named ? 'GOOGLE_APPLICATION_CREDENTIALS / auth.credentialsFile' : 'the gcloud ADC file',
    );
    return {
      source: 'adc',
      ...(file.account ? { account: file.account } : {}),
      identity: `adc:${file.type}:${file.account ?? ''}:${path}`,
      origin: path,
      files: [path],
      cacheable: true,
      fetchToken: async (scopes) =>
        tokenFromClient(
          await clientFromJson(file.json, scopes, config),
          `${file.type} credentials in ${path}`,
        ),
    };
  },
};
