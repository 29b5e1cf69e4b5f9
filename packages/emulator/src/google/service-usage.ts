import type { Access } from '../auth/access.js';
import { ANONYMOUS } from '../auth/identity.js';
import { asEmulatorError, EmulatorError } from '../errors.js';
import { type Exchange, header, sendGoogleError, sendJson } from '../http/exchange.js';
import { projectIdProblem } from '../names.js';
import type { MetadataStore } from '../store/metadata.js';

/** The Google APIs the emulator stands in for: enabled in every project. */
const SERVED = new Set([
  'artifactregistry.googleapis.com',
  'iamcredentials.googleapis.com',
  'serviceusage.googleapis.com',
  'sts.googleapis.com',
]);

const SERVICE_PATH = /^\/v1\/projects\/([^/]+)\/services\/([^/]+)$/;

/**
 * Service Usage `services.get` (`GET /v1/projects/P/services/NAME`): gcloud asks it before using
 * an API it treats as optional. The APIs the emulator serves answer ENABLED; any other (say
 * `containeranalysis.googleapis.com`, which `gcloud artifacts docker images describe` asks about)
 * DISABLED, so gcloud does not go on to call a Google API the emulator does not have.
 */
export class ServiceUsageApi {
  constructor(
    private readonly access: Access,
    private readonly store: MetadataStore,
  ) {}

  static matches(path: string): boolean {
    return SERVICE_PATH.test(path);
  }

  handle(exchange: Exchange): void {
    try {
      const principal = this.access.principalOf(header(exchange, 'authorization'));
      exchange.log.principal = principal;
      if (principal === ANONYMOUS) {
        throw new EmulatorError(
          'AR_EMULATOR_UNAUTHENTICATED',
          'Request is missing required authentication credential.',
        );
      }
      const [, project = '', service = ''] = SERVICE_PATH.exec(exchange.url.pathname) ?? [];
      if ((exchange.req.method ?? 'GET') !== 'GET') {
        throw new EmulatorError(
          'AR_EMULATOR_NOT_FOUND',
          'The emulator serves only services.get of Service Usage.',
        );
      }
      const problem = projectIdProblem(project);
      if (problem !== undefined) throw new EmulatorError('AR_EMULATOR_INVALID_ARGUMENT', `${problem}.`);
      this.store.ensureProject(project);
      const parent = `projects/${this.store.projectNumber(project)}`;
      sendJson(exchange, 200, {
        name: `${parent}/services/${service}`,
        parent,
        config: { name: service },
        state: SERVED.has(service) ? 'ENABLED' : 'DISABLED',
      });
    } catch (error) {
      exchange.req.resume();
      sendGoogleError(exchange, asEmulatorError(error));
    }
  }
}
