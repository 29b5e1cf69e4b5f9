import type { Access } from '../auth/access.js';
import { PERMISSIONS } from '../auth/iam.js';
import { ANONYMOUS } from '../auth/identity.js';
import { asEmulatorError, EmulatorError } from '../errors.js';
import { type Exchange, header, sendGoogleError, sendJson } from '../http/exchange.js';
import type { Artifacts } from '../registry/artifacts.js';
import type { CleanupRunner } from './cleanup-runner.js';

const PATH =
  /^\/emulator\/v1\/(projects\/[^/]+\/locations\/[^/]+\/repositories\/[^/:]+)(:runCleanupPolicies|\/cleanupRuns)$/;

/**
 * Emulator-only endpoints (AR has none: it runs policies on its own schedule):
 * `POST /emulator/v1/projects/P/locations/L/repositories/R:runCleanupPolicies` evaluates now and
 * answers the run; `GET …/repositories/R/cleanupRuns` answers `{ runs }`, the recorded runs
 * (dry-run ones say what would have gone). Same auth as the REST API: update, resp. get, on the repository.
 */
export class CleanupApi {
  constructor(
    private readonly artifacts: Artifacts,
    private readonly access: Access,
    private readonly runner: CleanupRunner,
  ) {}

  static matches(path: string): boolean {
    return path.startsWith('/emulator/v1/');
  }

  async handle(exchange: Exchange): Promise<void> {
    try {
      exchange.req.resume();
      this.#route(exchange);
    } catch (error) {
      sendGoogleError(exchange, asEmulatorError(error));
    }
  }

  #route(exchange: Exchange): void {
    const principal = this.access.principalOf(header(exchange, 'authorization'));
    exchange.log.principal = principal;
    if (principal === ANONYMOUS) {
      throw new EmulatorError(
        'AR_EMULATOR_UNAUTHENTICATED',
        'Send an access token (Authorization: Bearer …).',
      );
    }
    const match = PATH.exec(exchange.url.pathname);
    const method = exchange.req.method ?? 'GET';
    const run = match?.[2] === ':runCleanupPolicies' && method === 'POST';
    const list = match?.[2] === '/cleanupRuns' && method === 'GET';
    if (match === null || (!run && !list)) {
      throw new EmulatorError(
        'AR_EMULATOR_NOT_FOUND',
        `No method ${method} ${exchange.url.pathname}: POST …/repositories/R:runCleanupPolicies or GET …/repositories/R/cleanupRuns.`,
      );
    }
    const repo = this.artifacts.repositoryByResource(match[1]!);
    if (repo === undefined)
      throw new EmulatorError('AR_EMULATOR_NOT_FOUND', `Requested entity was not found: ${match[1]}.`);
    this.access.require(principal, repo, run ? PERMISSIONS.repoUpdate : PERMISSIONS.repoGet);
    sendJson(exchange, 200, run ? this.runner.run(repo) : { runs: this.runner.runs(repo) });
  }
}
