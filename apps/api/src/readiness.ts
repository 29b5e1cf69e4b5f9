import type { ArClient } from '@ar/core';
import { isArError } from '@ar/errors';

export interface Readiness {
  ready: boolean;
  checks: Array<{ name: string; ok: boolean; detail?: string; error?: { code: string; message: string } }>;
}

async function check(
  name: string,
  timeoutMs: number,
  run: (signal: AbortSignal) => Promise<string | undefined>,
): Promise<Readiness['checks'][number]> {
  try {
    const detail = await run(AbortSignal.timeout(timeoutMs));
    return { name, ok: true, ...(detail ? { detail } : {}) };
  } catch (error) {
    return {
      name,
      ok: false,
      error: isArError(error)
        ? { code: error.code, message: error.message }
        : { code: 'AR_API_NOT_READY', message: `${name} did not answer: ${(error as Error).message}` },
    };
  }
}

/**
 * The service is ready when its token source gives a token and every allowed registry host named
 * exactly (patterns cannot be pinged) answers the distribution API with those credentials.
 */
export async function checkReadiness(
  client: ArClient,
  allowedHosts: readonly string[],
  timeoutMs: number,
): Promise<Readiness> {
  const hosts = allowedHosts.filter((host) => !host.includes('*'));
  const checks = await Promise.all([
    check('token', timeoutMs, async (signal) => {
      const token = await client.auth.accessToken({ signal });
      return `${token.source}${token.account ? ` as ${token.account}` : ''}`;
    }),
    ...hosts.map((host) =>
      check(`registry ${host}`, timeoutMs, async (signal) => {
        await client.registry.ping(host, { signal });
        return undefined;
      }),
    ),
  ]);
  return { ready: checks.every((c) => c.ok), checks };
}
