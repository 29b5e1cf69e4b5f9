import { readFile } from 'node:fs/promises';
import { ArAuthError, sourceAbsent } from '../errors.js';
import type { TokenSource } from '../source.js';

/**
 * A static OAuth access token: `auth.accessToken` (GAR_ACCESS_TOKEN) or the file named by
 * `auth.accessTokenFile` (CLOUDSDK_AUTH_ACCESS_TOKEN_FILE). It cannot be refreshed, so it is
 * handed out as is and never cached.
 */
export const accessTokenSource: TokenSource = {
  name: 'access-token',
  async detect({ config }) {
    const { accessToken, accessTokenFile } = config.auth;
    if (accessToken) {
      return {
        source: 'access-token',
        identity: 'access-token:config',
        origin: 'auth.accessToken (GAR_ACCESS_TOKEN)',
        cacheable: false,
        fetchToken: async () => ({ token: accessToken }),
      };
    }
    if (!accessTokenFile)
      throw sourceAbsent('no static access token (GAR_ACCESS_TOKEN, CLOUDSDK_AUTH_ACCESS_TOKEN_FILE)');
    return {
      source: 'access-token',
      identity: `access-token:${accessTokenFile}`,
      origin: accessTokenFile,
      cacheable: false,
      // Read on every fetch: whoever writes the file may rotate the token.
      fetchToken: async () => {
        let token: string;
        try {
          token = (await readFile(accessTokenFile, 'utf8')).trim();
        } catch (error) {
          throw new ArAuthError(
            'AR_AUTH_SOURCE_BROKEN',
            `Cannot read the access token file ${accessTokenFile} (${(error as NodeJS.ErrnoException).code ?? 'error'}). Write a fresh token there, or unset CLOUDSDK_AUTH_ACCESS_TOKEN_FILE.`,
            { cause: error },
          );
        }
        if (!token) {
          throw new ArAuthError(
            'AR_AUTH_SOURCE_BROKEN',
            `The access token file ${accessTokenFile} is empty. Write a token into it.`,
          );
        }
        return { token };
      },
    };
  },
};
