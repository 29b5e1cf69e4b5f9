import { isArError } from '@ar/errors';
import { describe, expect, it } from 'vitest';
import {
  parseDuration,
  parsePolicyFile,
  policiesFromRest,
  policiesFromShorthands,
  policiesToFile,
  policiesToRest,
} from './index.js';

const FILE = JSON.stringify([
  {
    name: 'delete-untagged',
    action: { type: 'Delete' },
    condition: { tagState: 'untagged', olderThan: '30d' },
  },
  { name: 'keep-releases', action: { type: 'Keep' }, condition: { tagState: 'tagged', tagPrefixes: ['v'] } },
  {
    name: 'keep-5',
    action: { type: 'Keep' },
    mostRecentVersions: { packageNamePrefixes: ['app'], keepCount: 5 },
  },
]);

describe('the gcloud policy file and the REST form', () => {
  it('converts the file gcloud reads to REST policies (upper-case enums, durations in seconds)', () => {
    expect(policiesToRest(parsePolicyFile(FILE))).toEqual({
      'delete-untagged': {
        id: 'delete-untagged',
        action: 'DELETE',
        condition: { tagState: 'UNTAGGED', olderThan: '2592000s' },
      },
      'keep-releases': {
        id: 'keep-releases',
        action: 'KEEP',
        condition: { tagState: 'TAGGED', tagPrefixes: ['v'] },
      },
      'keep-5': {
        id: 'keep-5',
        action: 'KEEP',
        mostRecentVersions: { packageNamePrefixes: ['app'], keepCount: 5 },
      },
    });
  });

  it('round-trips file → REST → file → REST unchanged', () => {
    const once = parsePolicyFile(FILE);
    expect(parsePolicyFile(JSON.stringify(policiesToFile(once)))).toEqual(once);
    expect(policiesToFile(once)[0]).toEqual({
      name: 'delete-untagged',
      action: { type: 'Delete' },
      condition: { tagState: 'untagged', olderThan: '30d' },
    });
  });

  it("reads what gcloud sends: ids, '2592000.0s' durations, proto enum numbers", () => {
    expect(
      policiesFromRest({
        a: { id: 'a', action: 'DELETE', condition: { tagState: 'ANY', olderThan: '2592000.0s' } },
        b: { action: 2, condition: { tagState: 1 } },
      }),
    ).toEqual([
      { id: 'a', action: 'DELETE', condition: { tagState: 'ANY', olderThan: '2592000s' } },
      { id: 'b', action: 'KEEP', condition: { tagState: 'TAGGED' } },
    ]);
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['not an array', '{"a":1}', /expected array/],
    ['a duplicate name', JSON.stringify([JSON.parse(FILE)[0], JSON.parse(FILE)[0]]), /twice/],
    [
      'both condition and mostRecentVersions',
      '[{"name":"x","action":{"type":"Keep"},"condition":{},"mostRecentVersions":{"keepCount":1}}]',
      /not both/,
    ],
    [
      'mostRecentVersions on a DELETE',
      '[{"name":"x","action":{"type":"Delete"},"mostRecentVersions":{"keepCount":1}}]',
      /only allowed with action KEEP/,
    ],
    ['an unknown action', '[{"name":"x","action":{"type":"Drop"},"condition":{}}]', /DELETE, KEEP/],
    [
      'a bad duration',
      '[{"name":"x","action":{"type":"Delete"},"condition":{"olderThan":"soon"}}]',
      /not a duration/,
    ],
    [
      'an unknown field',
      '[{"name":"x","action":{"type":"Delete"},"condition":{"olderthan":"1d"}}]',
      /olderthan/,
    ],
    [
      'tag prefixes on untagged',
      '[{"name":"x","action":{"type":"Delete"},"condition":{"tagState":"untagged","tagPrefixes":["v"]}}]',
      /tagPrefixes need/,
    ],
  ])('refuses %s with AR_CLEANUP_POLICY_INVALID naming the problem', (_what, text, message) => {
    let caught: unknown;
    try {
      parsePolicyFile(text);
    } catch (error) {
      caught = error;
    }
    expect(isArError(caught, 'AR_CLEANUP_POLICY_INVALID')).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });
});

describe('parseDuration', () => {
  it.each([
    ['30d', 30 * 86_400_000],
    ['1h30m', 5_400_000],
    ['2592000s', 2_592_000_000],
    ['2592000.0s', 2_592_000_000],
    ['P30D', 30 * 86_400_000],
    ['PT12H', 43_200_000],
    ['1w', 604_800_000],
  ])('%s is %d ms, as gcloud reads it', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'P', 'PT', '30', 'd30', '-1d', 'soon'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(/not a duration/);
  });
});

describe('policiesFromShorthands', () => {
  it('turns prune flags into one ANDed DELETE policy and KEEP policies', () => {
    expect(
      policiesFromShorthands({
        keepLast: 3,
        olderThan: '30d',
        untagged: true,
        keepTagPrefixes: ['release'],
        grace: '1h',
      }),
    ).toEqual([
      { id: 'keep-last', action: 'KEEP', mostRecentVersions: { keepCount: 3 } },
      { id: 'keep-tag-prefix', action: 'KEEP', condition: { tagState: 'TAGGED', tagPrefixes: ['release'] } },
      { id: 'grace', action: 'KEEP', condition: { newerThan: '3600s' } },
      { id: 'prune', action: 'DELETE', condition: { tagState: 'UNTAGGED', olderThan: '2592000s' } },
    ]);
  });

  it('refuses flags that say nothing, a bad keep-last, and untagged with tag prefixes', () => {
    expect(() => policiesFromShorthands({})).toThrow(/Nothing says what to prune/);
    expect(() => policiesFromShorthands({ keepLast: 0 })).toThrow(/at least 1/);
    expect(() => policiesFromShorthands({ untagged: true, tagPrefixes: ['v'] })).toThrow(
      /exclude each other/,
    );
  });
});
