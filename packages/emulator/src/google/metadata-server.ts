import type { Identity } from '../auth/identity.js';
import { serviceAccountPrincipal } from '../auth/identity.js';
import type { Exchange } from '../http/exchange.js';
import type { MetadataStore } from '../store/metadata.js';

export interface MetadataIdentity {
  /** The service account the "VM" runs as. */
  serviceAccount: string;
  /** Project ID the metadata server reports. Default: the service account's project. */
  projectId?: string;
  /** Zone reported under instance/zone. Default `us-central1-a`. */
  zone?: string;
}

interface Answer {
  status: number;
  body: string | object;
  type?: string;
}

function text(status: number, body: string, type?: string): Answer {
  return { status, body, ...(type === undefined ? {} : { type }) };
}

function json(body: object): Answer {
  return { status: 200, body };
}

const DEFAULT_SCOPES = ['https://www.googleapis.com/auth/cloud-platform'];

/**
 * Stand-in for the GCE metadata server (`http://metadata.google.internal/computeMetadata/v1/`):
 * requires `Metadata-Flavor: Google` and answers with it, as gcp-metadata checks both.
 */
export class MetadataServer {
  constructor(
    private readonly identity: Identity,
    private readonly store: MetadataStore,
    private readonly config: () => MetadataIdentity | undefined,
  ) {}

  handle(exchange: Exchange): void {
    const answer = this.#answer(exchange);
    const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    exchange.res.writeHead(answer.status, {
      'Metadata-Flavor': 'Google',
      Server: 'Metadata Server for VM',
      'Content-Type':
        typeof answer.body === 'string' ? (answer.type ?? 'application/text') : 'application/json',
      'Content-Length': Buffer.byteLength(body),
    });
    exchange.res.end(body);
  }

  #answer(exchange: Exchange): Answer {
    const { req } = exchange;
    if (req.headers['metadata-flavor'] !== 'Google' || req.headers['x-forwarded-for'] !== undefined) {
      return text(403, 'Missing required header "Metadata-Flavor": "Google"\n', 'text/html');
    }
    const config = this.config();
    if (config === undefined) {
      return text(404, 'No service account is attached to this emulated instance.\n');
    }
    const account = this.store.serviceAccount(config.serviceAccount);
    const projectId = config.projectId ?? account?.project ?? 'unknown-project';
    const path = exchange.url.pathname.replace(/^\/computeMetadata\/v1\/?/, '').replace(/\/+$/, '');
    const recursive = exchange.url.searchParams.get('recursive') === 'true';
    const accountPath = /^instance\/service-accounts\/([^/]+)(?:\/(.*))?$/.exec(path);
    if (accountPath !== null) {
      const [, who = '', what = ''] = accountPath;
      if (who !== 'default' && who !== config.serviceAccount) return text(404, 'Not found\n');
      switch (what) {
        case '':
          if (recursive) {
            return json({
              aliases: ['default'],
              email: config.serviceAccount,
              scopes: DEFAULT_SCOPES,
            });
          }
          return text(200, 'aliases\nemail\nidentity\nscopes\ntoken\n');
        case 'email':
          return text(200, config.serviceAccount);
        case 'aliases':
          return text(200, 'default');
        case 'scopes':
          return text(200, `${DEFAULT_SCOPES.join('\n')}\n`);
        case 'token': {
          const scopes =
            exchange.url.searchParams.get('scopes')?.split(',').filter(Boolean) ?? DEFAULT_SCOPES;
          const minted = this.identity.mintAccessToken(serviceAccountPrincipal(config.serviceAccount), {
            scopes,
          });
          exchange.log.principal = minted.principal;
          return json({
            access_token: minted.accessToken,
            expires_in: minted.expiresInSeconds,
            token_type: 'Bearer',
          });
        }
        default:
          return text(404, 'Not found\n');
      }
    }
    switch (path) {
      case 'instance':
        return text(200, 'attributes/\nhostname\nid\nservice-accounts/\nzone\n');
      case 'instance/service-accounts':
        return text(200, `default/\n${config.serviceAccount}/\n`);
      case 'instance/zone':
        return text(
          200,
          `projects/${this.store.projectNumber(projectId) ?? '0'}/zones/${config.zone ?? 'us-central1-a'}`,
        );
      case 'instance/hostname':
        return text(200, 'emulated-instance.c.internal');
      case 'instance/id':
        return text(200, '1234567890123456789');
      case 'project/project-id':
        return text(200, projectId);
      case 'project/numeric-project-id':
        return text(200, this.store.projectNumber(projectId) ?? '0');
      case 'universe/universe-domain':
        return text(200, 'googleapis.com');
      case '':
        return text(200, 'instance/\nproject/\n');
      default:
        return text(404, 'Not found\n');
    }
  }
}
