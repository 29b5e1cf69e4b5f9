import { describe, expect, it } from 'vitest';
import { ArError, ERROR_KINDS, errorKind, isArError } from './index.js';

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

  it('carries the kind it is given, and none when it is given none', () => {
    const error = new ArWidgetError('AR_WIDGET_GONE', 'gone', { kind: 'NOT_FOUND' });
    expect(error.kind).toBe('NOT_FOUND');
    expect(errorKind(error)).toBe('NOT_FOUND');
    const unclassified = new ArError('AR_PLUGIN_FAILED', 'a plugin failed');
    expect(unclassified.kind).toBeUndefined();
    expect(errorKind(unclassified)).toBeUndefined();
  });

  it('recognises copies with and without a kind, and reads only kinds it knows', () => {
    const older = { code: 'AR_OLD', retryable: false };
    const newer = { code: 'AR_NEW', retryable: true, kind: 'UNIMPLEMENTED' };
    const known = { code: 'AR_COPY', retryable: false, kind: 'UNAVAILABLE' };
    expect(isArError(older)).toBe(true);
    expect(isArError(newer)).toBe(true);
    expect(isArError({ code: 'AR_BAD', retryable: false, kind: 42 })).toBe(false);
    expect(errorKind(older)).toBeUndefined();
    expect(errorKind(newer)).toBeUndefined();
    expect(errorKind(known)).toBe('UNAVAILABLE');
    expect(errorKind(new Error('plain'))).toBeUndefined();
  });

  it('lists each kind once, in google.rpc.Code spelling', () => {
    expect(new Set(ERROR_KINDS).size).toBe(ERROR_KINDS.length);
    for (const kind of ERROR_KINDS) expect(kind).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
  });
});
