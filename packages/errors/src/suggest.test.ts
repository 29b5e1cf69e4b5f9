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

  it('prefers the first of equally close candidates', () => {
    expect(closestMatch('ab', ['aa', 'bb'])).toBe('aa');
  });
});
