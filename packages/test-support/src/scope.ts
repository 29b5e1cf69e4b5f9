/**
 * Scopes of the distribution token-auth spec (`repository:NAME:pull,push`,
 * `registry:catalog:*`) and the rule that turns the scopes a client asked for into the
 * access a credential gets.
 */

/** One resource scope: what the client asks for, and what a token grants (`access` claim). */
export interface ResourceScope {
  /** `repository`, `repository(plugin)`, `registry`, ... */
  type: string;
  /** Repository name (`e2e/hello`) or `catalog`. */
  name: string;
  /** `pull`, `push`, `delete`, `*`. */
  actions: string[];
}

/**
 * What a credential may be granted. JSON-serializable, so it travels through the admin API
 * and the config file. Omitted fields do not restrict.
 */
export interface AccessRestriction {
  /**
   * Repository-name prefixes the credential may get access to (`e2e/` = every repository under
   * `e2e/`; `e2e/hello` = that repository and any name starting with it). Non-repository scopes
   * (`registry:catalog:*`) are granted only when this is omitted.
   */
  repositories?: string[];
  /**
   * Actions it may get (`['pull']` for a reader). `*` in this list allows every action; a
   * repository scope asking `*` gets the listed actions; `registry:catalog:*` needs `*` here.
   */
  actions?: string[];
}

export class ScopeError extends Error {
  override name = 'ScopeError';
}

/**
 * Parses the `scope` query values of a token request. Each value may hold several scopes
 * separated by spaces. The name is everything between the first and the last `:`.
 */
export function parseScopes(values: readonly string[]): ResourceScope[] {
  const scopes: ResourceScope[] = [];
  for (const value of values) {
    for (const part of value.split(' ')) {
      if (part === '') continue;
      const first = part.indexOf(':');
      const last = part.lastIndexOf(':');
      if (first <= 0 || last === first || last === part.length - 1) {
        throw new ScopeError(`Malformed scope "${part}": expected TYPE:NAME:ACTIONS`);
      }
      const name = part.slice(first + 1, last);
      if (name === '') throw new ScopeError(`Malformed scope "${part}": the resource name is empty`);
      const actions = part
        .slice(last + 1)
        .split(',')
        .filter((action) => action !== '');
      scopes.push({ type: part.slice(0, first), name, actions });
    }
  }
  return mergeScopes(scopes);
}

/** Formats scopes back to their wire form (`repository:e2e/hello:pull,push`). */
export function formatScope(scope: ResourceScope): string {
  return `${scope.type}:${scope.name}:${scope.actions.join(',')}`;
}

/** Merges scopes that name the same resource, keeping the union of their actions in first-seen order. */
export function mergeScopes(scopes: readonly ResourceScope[]): ResourceScope[] {
  const byKey = new Map<string, ResourceScope>();
  for (const scope of scopes) {
    const key = `${scope.type}\u0000${scope.name}`;
    const existing = byKey.get(key);
    if (existing === undefined) {
      byKey.set(key, { type: scope.type, name: scope.name, actions: [...new Set(scope.actions)] });
    } else {
      for (const action of scope.actions)
        if (!existing.actions.includes(action)) existing.actions.push(action);
    }
  }
  return [...byKey.values()];
}

function isRepositoryType(type: string): boolean {
  return type === 'repository' || type.startsWith('repository(');
}

/**
 * The access granted for `requested` under `restriction`: everything asked when unrestricted;
 * otherwise only the allowed actions on repositories matching an allowed prefix. A scope
 * left with no action is dropped (the token server still answers 200, as the spec says: the
 * registry then refuses the operation).
 */
export function grantScopes(
  requested: readonly ResourceScope[],
  restriction: AccessRestriction | undefined,
): ResourceScope[] {
  const merged = mergeScopes(requested);
  if (restriction === undefined) return merged;
  const { repositories, actions: allowedActions } = restriction;
  const granted: ResourceScope[] = [];
  for (const scope of merged) {
    if (repositories !== undefined) {
      if (!isRepositoryType(scope.type)) continue;
      if (!repositories.some((prefix) => scope.name.startsWith(prefix))) continue;
    }
    let actions = scope.actions;
    if (allowedActions !== undefined && !allowedActions.includes('*')) {
      // A repository `*` (every action) becomes the allowed actions; elsewhere (`registry:catalog:*`)
      // `*` is granted only when `*` is allowed.
      actions =
        scope.actions.includes('*') && isRepositoryType(scope.type)
          ? [...allowedActions]
          : scope.actions.filter((action) => allowedActions.includes(action));
    }
    if (actions.length > 0) granted.push({ type: scope.type, name: scope.name, actions });
  }
  return granted;
}
