import type { ArClient } from '@ar/core';

export interface Readiness {
  ready: boolean;
  checks: Array<{ name: string; ok: boolean; detail?: string; error?: { code: string; message: string } }>;
}

/**
 * The service is ready when its token source gives a token and every allowed registry host named
 * exactly (patterns cannot be pinged) answers the distribution API with those credentials: the
 * client's own health check, rendered for `/readyz`.
 */
export async function checkReadiness(
  client: ArClient,
  allowedHosts: readonly string[],
  timeoutMs: number,
): Promise<Readiness> {
  const report = await client.check({
    registries: allowedHosts.filter((host) => !host.includes('*')),
    timeoutMs,
  });
  return {
    ready: report.ok,
    checks: report.checks.map(({ name, ok, detail, error }) => ({
      name,
      ok,
      ...(detail ? { detail } : {}),
      ...(error
        ? {
            error: error.code
              ? { code: error.code, message: error.message }
              : { code: 'AR_API_NOT_READY', message: `${name} did not answer: ${error.message}` },
          }
        : {}),
    })),
  };
}
