import type { Identity } from '../auth/identity.js';
import { EmulatorError } from '../errors.js';
import { type Exchange, readBody } from '../http/exchange.js';
import type { MetadataStore } from '../store/metadata.js';

/** What Google's REST APIs share in the emulator: times, list pages, filters, bodies, operations. */

export const TYPE_PREFIX = 'type.googleapis.com/google.devtools.artifactregistry.v1';
const DEFAULT_PAGE_SIZE = 1000;

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function invalid(message: string): EmulatorError {
  return new EmulatorError('AR_EMULATOR_INVALID_ARGUMENT', message);
}

/** One page of a list answer, `{ [field]: page, nextPageToken? }`. Page tokens are base64 offsets. */
export function page<T>(items: readonly T[], exchange: Exchange, field: string): Record<string, unknown> {
  const sizeRaw = exchange.url.searchParams.get('pageSize');
  const size = sizeRaw === null || sizeRaw === '' || sizeRaw === '0' ? DEFAULT_PAGE_SIZE : Number(sizeRaw);
  if (!Number.isInteger(size) || size < 0) throw invalid(`pageSize ${sizeRaw} is not a positive integer.`);
  const token = exchange.url.searchParams.get('pageToken');
  const offset =
    token === null || token === '' ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) throw invalid('Invalid pageToken.');
  const next =
    offset + size < items.length ? Buffer.from(String(offset + size)).toString('base64url') : undefined;
  return {
    [field]: items.slice(offset, offset + size),
    ...(next === undefined ? {} : { nextPageToken: next }),
  };
}

/**
 * AR's list filters, `field="value"` terms joined by AND / OR (AND binds tighter), a `*` at either
 * end of a value matching any characters; case-insensitive, as AR documents. `fields` names what
 * may be filtered on and reads it from an item.
 */
export function listFilter<T>(
  expression: string | null,
  fields: Readonly<Record<string, (item: T) => string>>,
): (item: T) => boolean {
  if (expression === null || expression.trim() === '') return () => true;
  const term = /\s*([A-Za-z_]+)\s*=\s*"([^"]*)"\s*(?:(AND|OR)\b|$)/iy;
  const alternatives: Array<Array<(item: T) => boolean>> = [[]];
  while (term.lastIndex < expression.length) {
    const at = term.lastIndex;
    const match = term.exec(expression);
    if (match === null) {
      throw invalid(
        `Invalid filter at "${expression.slice(at)}": use field="value" terms joined by AND or OR.`,
      );
    }
    const [, field = '', value = '', joiner] = match;
    const read = fields[field.toLowerCase()];
    if (read === undefined) {
      throw invalid(
        `Invalid filter field "${field}": the emulator filters on ${Object.keys(fields).join(', ')}.`,
      );
    }
    const pattern = new RegExp(`^${value.split('*').map(escapeRegExp).join('.*')}$`, 'i');
    alternatives.at(-1)!.push((item) => pattern.test(read(item)));
    if (joiner?.toUpperCase() === 'OR') alternatives.push([]);
  }
  if (alternatives.at(-1)!.length === 0) throw invalid(`Invalid filter "${expression}": it ends in OR.`);
  return (item) => alternatives.some((all) => all.every((test) => test(item)));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Sorts by AR's `orderBy` (`update_time desc`, `createTime`), one field at a time; `fields`
 * names the sortable fields (snake_case) and reads each. No `orderBy` keeps the store's order.
 */
export function orderBy<T>(
  items: T[],
  expression: string | null,
  fields: Readonly<Record<string, (item: T) => number | string>>,
): T[] {
  if (expression === null || expression.trim() === '') return items;
  const [rawField = '', direction = 'asc', ...rest] = expression.trim().split(/\s+/);
  const field = rawField.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
  const read = fields[field];
  if (read === undefined || rest.length > 0 || !/^(asc|desc)$/i.test(direction)) {
    throw invalid(
      `Invalid orderBy "${expression}": use one of ${Object.keys(fields).join(', ')}, then asc or desc.`,
    );
  }
  const sign = /^desc$/i.test(direction) ? -1 : 1;
  return items.sort((a, b) => {
    const x = read(a);
    const y = read(b);
    return x < y ? -sign : x > y ? sign : 0;
  });
}

/** A JSON object body of at most 1 MiB (`{}` when empty). */
export async function readJsonObject(exchange: Exchange): Promise<Record<string, unknown>> {
  const body = await readBody(exchange.req, 1024 * 1024);
  if (body === undefined) throw invalid('Request body too large.');
  if (body.length === 0) return {};
  try {
    const value = JSON.parse(body.toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw invalid('Invalid JSON payload received.');
  }
}

/**
 * A long-running operation that is already done (the emulator's work is synchronous), kept so
 * that clients can poll it with `operations.get`.
 */
export function doneOperation(
  store: MetadataStore,
  identity: Identity,
  project: string,
  location: string,
  response: Record<string, unknown>,
): Record<string, unknown> {
  const name = `projects/${project}/locations/${location}/operations/${identity.newOperationId()}`;
  const now = iso(identity.now());
  const operation = {
    name,
    metadata: { '@type': `${TYPE_PREFIX}.OperationMetadata`, createTime: now, endTime: now },
    done: true,
    response,
  };
  store.putOperation(name, operation);
  return operation;
}

export const EMPTY_RESPONSE = { '@type': 'type.googleapis.com/google.protobuf.Empty' } as const;
