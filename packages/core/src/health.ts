import type { Auth } from '@ar/auth';
import { isArError } from '@ar/errors';
import type { RegistryClient } from '@ar/registry';

/** One health check's outcome, as `gar doctor` prints it and `/readyz` serves it. */
export interface HealthCheck {
  /** `token`, `api`, or `registry HOST`. */
  readonly name: string;
  readonly ok: boolean;
  /** What was seen, for a person. */
  readonly detail?: string;
  /** Why it failed: the error's message, and its code when it is an `ArError`. */
  readonly error?: { readonly code?: string; readonly message: string };
}

export interface HealthReport {
  /** Every check passed. */
  readonly ok: boolean;
  readonly checks: readonly HealthCheck[];
}

export interface HealthOptions {
  /** Registry hosts to ping with the client's credentials (`GET /v2/`). */
  readonly registries?: readonly string[];
  /** Also list a few repositories of this project and location through the REST API. */
  readonly api?: { readonly project: string; readonly location: string };
  /** The time limit of the token and registry checks (the REST client sets its own); default 10 s. */
  readonly timeoutMs?: number;
}

interface HealthDeps {
  readonly auth: Auth;
  readonly registry: RegistryClient;
  readonly apiUrl: string;
  readonly listRepositories: (
    project: string,
    location: string,
    limit: number,
  ) => Promise<readonly unknown[]>;
}

/** Runs one check; any error becomes a failed result, never a throw. */
async function run(
  name: string,
  timeoutMs: number,
  check: (signal: AbortSignal) => Promise<string>,
): Promise<HealthCheck> {
  try {
    return { name, ok: true, detail: await check(AbortSignal.timeout(timeoutMs)) };
  } catch (error) {
    const message = (error as Error).message.split('\n').join(' ');
    return {
      name,
      ok: false,
      error: isArError(error) ? { code: error.code, message } : { message },
    };
  }
}

/** The health of everything a client talks to: token source, REST API, registries; checked in parallel. */
export async function checkHealth(deps: HealthDeps, options: HealthOptions = {}): Promise<HealthReport> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const { api } = options;
  const checks = await Promise.all([
    run('token', timeoutMs, async (signal) => {
      const described = await deps.auth.describe({ signal });
      const left =
        described.expiresAt === undefined
          ? undefined
          : Math.round((described.expiresAt - Date.now()) / 60_000);
      return `${described.source} (${described.origin}) as ${described.account ?? 'an unnamed account'}${left === undefined ? '' : `, ${left} min left`}`;
    }),
    ...(api
      ? [
          // The REST client takes no signal per call: this check ends when its request does.
          run('api', timeoutMs, async () => {
            const seen = await deps.listRepositories(api.project, api.location, 5);
            return `${deps.apiUrl} answers; ${seen.length} repositories seen in ${api.project}/${api.location}`;
          }),
        ]
      : []),
    ...(options.registries ?? []).map((host) =>
      run(`registry ${host}`, timeoutMs, async (signal) => {
        await deps.registry.ping(host, { signal });
        return `${new URL('v2/', deps.registry.baseUrl(host))} answers with these credentials`;
      }),
    ),
  ]);
  return { ok: checks.every((check) => check.ok), checks };
}
