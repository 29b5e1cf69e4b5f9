import { describe, expect, it } from 'vitest';
import { ArError, isArError } from './index.js';

class ArWidgetError extends ArError<'AR_WIDGET_BROKEN' | 'AR_WIDGET_GONE'> {}

describe('ArError', () => {
  it('carries a stable code, the subclass name and a default non-retryable flag', () => {
    const error = new ArWidgetError('AR_WIDGET_BROKEN', 'The widget broke. Replace it.');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ArWidgetError');
    expect(error.code).toBe('AR_WIDGET_BROKEN');
    expect(error.retryable).toBe(false);
    expect(error.message).toBe('The widget broke. Replace it.');
  });

  it('keeps the cause it wraps and the retryable flag it is given', () => {
    const cause = new Error('socket hang up');
    const error = new ArError('AR_NET_RESET', 'Connection dropped; retrying is safe.', {
      cause,
      retryable: true,
    });
    expect(error.cause).toBe(cause);
    expect(error.retryable).toBe(true);
    expect(Object.hasOwn(new ArError('AR_X', 'no cause'), 'cause')).toBe(false);
  });

  it('is recognised structurally, with or without a code filter', () => {
    const error = new ArWidgetError('AR_WIDGET_GONE', 'gone');
    expect(isArError(error)).toBe(true);
    expect(isArError(error, 'AR_WIDGET_GONE')).toBe(true);
    expect(isArError(error, 'AR_WIDGET_BROKEN')).toBe(false);
    expect(isArError({ code: 'AR_COPY', retryable: false })).toBe(true);
    expect(isArError(new Error('plain'))).toBe(false);
    expect(isArError({ code: 'ENOENT', retryable: false })).toBe(false);
    expect(isArError(null)).toBe(false);
    expect(isArError('AR_WIDGET_GONE')).toBe(false);
  });
});
