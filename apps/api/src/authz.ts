import type { ArResolvedConfig } from '@ar/config';
import { ArApiError } from './errors.js';

export type Role = 'read' | 'write' | 'admin';
export type CallerConfig = ArResolvedConfig['api']['callers'][number];

/** Who is calling, once authenticated. */
export interface Caller {
  name: string;
  /** `api-key` or `id-token`: logged, never the credential itself. */
  via: 'api-key' | 'id-token';
  grants: CallerConfig['grants'];
}

const RANK: Record<Role, number> = { read: 1, write: 2, admin: 3 };

/** Grant prefixes match whole path segments: `host/p/rel` covers `host/p/rel/app`, not `host/p/releases`. */
function covers(prefix: string, path: string): boolean {
  const p = prefix.toLowerCase().replace(/\/+$/, '');
  const target = path.toLowerCase();
  return target === p || target.startsWith(`${p}/`);
}

/** The strongest role any of the caller's grants gives on `path`, or undefined. */
export function roleOn(caller: Caller, path: string): Role | undefined {
  let best: Role | undefined;
  for (const grant of caller.grants) {
    if (covers(grant.prefix, path) && (!best || RANK[grant.role] > RANK[best])) best = grant.role;
  }
  return best;
}

/** Throws 403 unless a grant covers `path` with at least `role` (admin ⊃ write ⊃ read). */
export function authorize(caller: Caller, path: string, role: Role): void {
  const has = roleOn(caller, path);
  if (has && RANK[has] >= RANK[role]) return;
  throw new ArApiError(
    'AR_API_FORBIDDEN',
    `Caller "${caller.name}" needs the ${role} role on ${path}${has ? ` (has ${has})` : ''}. Ask the operator for a grant on a prefix of it (api.callers[].grants).`,
  );
}

/**
 * True when some grant of the caller's lies under `scope` or covers it: who may list the
 * repositories of a project (the list is then filtered to what they may read).
 */
export function hasAnyGrantWithin(caller: Caller, scope: string): boolean {
  return caller.grants.some((grant) => covers(grant.prefix, scope) || covers(scope, grant.prefix));
}
