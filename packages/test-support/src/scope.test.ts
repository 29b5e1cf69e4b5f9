import { describe, expect, it } from 'vitest';
import { formatScope, grantScopes, mergeScopes, parseScopes } from './scope.js';

describe('parseScopes', () => {
  it('parses repository and registry scopes, from several values and space-separated lists', () => {
    expect(parseScopes(['repository:e2e/hello:pull,push', 'registry:catalog:* repository:a/b:pull'])).toEqual(
      [
        { type: 'repository', name: 'e2e/hello', actions: ['pull', 'push'] },
        { type: 'registry', name: 'catalog', actions: ['*'] },
        { type: 'repository', name: 'a/b', actions: ['pull'] },
      ],
    );
  });

  it('keeps colons inside the name and a resource class in the type', () => {
    expect(parseScopes(['repository(plugin):host:5000/x:pull'])).toEqual([
      { type: 'repository(plugin)', name: 'host:5000/x', actions: ['pull'] },
    ]);
  });

  it('merges scopes of the same resource', () => {
    expect(parseScopes(['repository:a:pull', 'repository:a:push,pull'])).toEqual([
      { type: 'repository', name: 'a', actions: ['pull', 'push'] },
    ]);
    expect(mergeScopes([])).toEqual([]);
  });

  it('gives no scope for no value', () => {
    expect(parseScopes([])).toEqual([]);
    expect(parseScopes([''])).toEqual([]);
  });

  it.each(['repository', 'repository:name', ':name:pull', 'repository::pull', 'repository:name:'])(
    'refuses the malformed scope %j',
    (scope) => {
      expect(() => parseScopes([scope])).toThrow(/Malformed scope/);
    },
  );

  it('formats scopes back to their wire form', () => {
    expect(formatScope({ type: 'repository', name: 'e2e/hello', actions: ['pull', 'push'] })).toBe(
      'repository:e2e/hello:pull,push',
    );
  });
});

describe('grantScopes', () => {
  const asked = parseScopes([
    'repository:e2e/hello:pull,push',
    'repository:other/x:pull',
    'registry:catalog:*',
  ]);

  it('grants every scope asked when unrestricted', () => {
    expect(grantScopes(asked, undefined)).toEqual(asked);
    expect(grantScopes(asked, {})).toEqual(asked);
  });

  it('limits actions for a reader-only credential', () => {
    expect(grantScopes(asked, { actions: ['pull'] })).toEqual([
      { type: 'repository', name: 'e2e/hello', actions: ['pull'] },
      { type: 'repository', name: 'other/x', actions: ['pull'] },
    ]);
  });

  it('limits repositories to the allowed prefixes, and then grants no registry scope', () => {
    expect(grantScopes(asked, { repositories: ['e2e/'] })).toEqual([
      { type: 'repository', name: 'e2e/hello', actions: ['pull', 'push'] },
    ]);
    expect(grantScopes(asked, { repositories: ['e2e/'], actions: ['pull'] })).toEqual([
      { type: 'repository', name: 'e2e/hello', actions: ['pull'] },
    ]);
    expect(grantScopes(asked, { repositories: [] })).toEqual([]);
  });

  it('grants the allowed actions for an asked `*`, and everything for an allowed `*`', () => {
    const star = parseScopes(['repository:e2e/x:*']);
    expect(grantScopes(star, { actions: ['pull', 'push'] })).toEqual([
      { type: 'repository', name: 'e2e/x', actions: ['pull', 'push'] },
    ]);
    expect(grantScopes(asked, { actions: ['*'] })).toEqual(asked);
  });

  it('drops a scope left with no action', () => {
    expect(grantScopes(parseScopes(['repository:e2e/x:push']), { actions: ['pull'] })).toEqual([]);
  });
});
