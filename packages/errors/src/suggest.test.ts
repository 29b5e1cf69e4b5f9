import { describe, expect, it } from 'vitest';
import { closestMatch } from './suggest.js';

describe('closestMatch', () => {
  it('suggests the nearest candidate for a plausible typo', () => {
    expect(closestMatch('concurency', ['concurrency', 'retries', 'timeoutSeconds'])).toBe('concurrency');
    expect(closestMatch('us-west-1', ['us-west1', 'us-east1', 'europe-west1'])).toBe('us-west1');
    expect(closestMatch('PROJECT', ['project', 'location'])).toBe('project');
  });

  it('suggests nothing when every candidate is far away', () => {
    expect(closestMatch('zzzzzz', ['concurrency', 'retries'])).toBeUndefined();
    expect(closestMatch('x', [])).toBeUndefined();
  });

  it('takes an explicit distance limit', () => {
    expect(closestMatch('asia', ['asxx'])).toBeUndefined();
    expect(closestMatch('asia', ['asxx'], { maxDistance: 2 })).toBe('asxx');
  });

  it('prefers the first of equally close candidates', () => {
    expect(closestMatch('ab', ['aa', 'bb'])).toBe('aa');
  });
});
