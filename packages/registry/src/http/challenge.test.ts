import { describe, expect, it } from 'vitest';
import { parseChallenges, pickChallenge } from './challenge.js';

describe('parseChallenges', () => {
  it('reads a distribution Bearer challenge with quoted parameters', () => {
    const [c] = parseChallenges(
      'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"',
    );
    expect(c).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.example/token',
        service: 'registry.example',
        scope: 'repository:a/b:pull,push',
      },
    });
  });

  it('handles escapes, bare tokens, error parameters and several challenges', () => {
    const all = parseChallenges(
      'Basic realm="say \\"hi\\"", Bearer realm=https://x/t, error="insufficient_scope"',
    );
    expect(all).toEqual([
      { scheme: 'basic', params: { realm: 'say "hi"' } },
      { scheme: 'bearer', params: { realm: 'https://x/t', error: 'insufficient_scope' } },
    ]);
    expect(pickChallenge('Basic realm="r", Bearer realm="t"')?.scheme).toBe('bearer');
    expect(pickChallenge(undefined)).toBeUndefined();
  });
});
