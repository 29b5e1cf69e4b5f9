/**
 * What the request-logging hook receives. URLs are redacted (query values other than a few
 * well-known, non-secret ones are replaced) and no header value is ever included, so a
 * `--verbose` log can be pasted in a bug report.
 */
export type RequestLogEvent =
  | {
      readonly type: 'response';
      readonly method: string;
      readonly url: string;
      readonly status: number;
      readonly durationMs: number;
    }
  | {
      readonly type: 'error';
      readonly method: string;
      readonly url: string;
      readonly code: string;
      readonly message: string;
      readonly durationMs: number;
    }
  | {
      readonly type: 'retry';
      readonly method: string;
      readonly url: string;
      readonly attempt: number;
      readonly delayMs: number;
      readonly reason: string;
    }
  | {
      readonly type: 'token';
      readonly registry: string;
      readonly scopes: readonly string[];
      readonly reason: string;
    };

export type RequestLogger = (event: RequestLogEvent) => void;

const SAFE_QUERY_PARAMETERS = new Set([
  'n',
  'last',
  'digest',
  'mount',
  'from',
  'service',
  'scope',
  // The REST API's paging and ordering (never its pageToken).
  'pageSize',
  'orderBy',
]);

export function redactUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  for (const name of [...copy.searchParams.keys()]) {
    if (!SAFE_QUERY_PARAMETERS.has(name)) copy.searchParams.set(name, 'REDACTED');
  }
  return copy.href;
}

/** One line per event, as `gar --verbose` prints them; only what the event holds, so never a secret. */
export function formatRequestLogEvent(event: RequestLogEvent): string {
  switch (event.type) {
    case 'response':
      return `${event.method} ${event.url} → ${event.status} (${Math.round(event.durationMs)} ms)`;
    case 'error':
      return `${event.method} ${event.url} → ${event.code}: ${event.message} (${Math.round(event.durationMs)} ms)`;
    case 'retry':
      return `retry ${event.attempt} of ${event.method} ${event.url} in ${Math.round(event.delayMs)} ms: ${event.reason}`;
    case 'token':
      return `token for ${event.registry} (${event.scopes.join(' ')}): ${event.reason}`;
  }
}
