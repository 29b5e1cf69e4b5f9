import { isArError } from '@ar/errors';
import { describe, expect, it } from 'vitest';
import { quote } from './display.js';
import {
  ArImageRefError,
  IMAGE_REF_ERROR_CODES,
  MAX_REFERENCE_LENGTH,
  parseReference,
  tryParseReference,
} from './index.js';

describe('quote', () => {
  it('escapes quotes, backslashes, control, bidi and zero-width characters', () => {
    expect(quote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quote('line\nnext\ttab\r\u0000\u001b[31m')).toBe('"line\\nnext\\ttab\\r\\u0000\\u001b[31m"');
    expect(quote('admin\u202etxt.exe\u200b')).toBe('"admin\\u202etxt.exe\\u200b"');
    expect(quote('\u0085\u009f')).toBe('"\\u0085\\u009f"');
  });

  it('keeps printable unicode and surrogate pairs, escapes lone surrogates', () => {
    expect(quote('café 🐳')).toBe('"café 🐳"');
    expect(quote('a\ud800b\udc00')).toBe('"a\\ud800b\\udc00"');
  });

  it('cuts long text and says how long it was', () => {
    const quoted = quote('x'.repeat(1_000_000));
    expect(quoted).toBe(`"${'x'.repeat(200)}"… (1000000 characters, the first 200 shown)`);
  });

  it('never splits a surrogate pair at the cut', () => {
    const quoted = quote(`${'x'.repeat(199)}🐳🐳`);
    expect(quoted.startsWith(`"${'x'.repeat(199)}\\ud83d"`)).toBe(true);
  });
});

describe('ArImageRefError', () => {
  it('is an ArError with a stable code, the input, the offending part and its offset', () => {
    const input = 'us-west1-docker.pkg.dev/p/r/img:-bad';
    const error = (() => {
      try {
        parseReference(input);
      } catch (caught) {
        return caught;
      }
      throw new Error('expected a throw');
    })();
    expect(error).toBeInstanceOf(ArImageRefError);
    expect(isArError(error, 'AR_IMAGE_REF_INVALID_TAG')).toBe(true);
    expect(error).toMatchObject({
      name: 'ArImageRefError',
      retryable: false,
      input,
      inputLength: input.length,
      part: '-bad',
      offset: 32,
      message: `Invalid tag "-bad" in "${input}" at offset 32: a tag starts with a letter, digit or underscore and has at most 128 characters [A-Za-z0-9_.-].`,
    });
  });

  it('keeps messages and stored input bounded whatever the input size', () => {
    const huge = `${'a'.repeat(1_000_000)}\u0000`;
    const result = tryParseReference(huge);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('AR_IMAGE_REF_TOO_LONG');
    expect(result.error.message.length).toBeLessThan(500);
    expect(result.error.input.length).toBe(MAX_REFERENCE_LENGTH);
    expect(result.error.inputLength).toBe(huge.length);
  });

  it('escapes control characters of the input in the message', () => {
    const result = tryParseReference('ubuntu\n:latest');
    expect(result.ok ? '' : result.error.message).toContain('"ubuntu\\n:latest"');
    expect(result.ok ? '' : result.error.message).not.toContain('\n');
  });

  it('types a non-string input instead of throwing a TypeError', () => {
    for (const input of [undefined, null, 42, {}, ['ubuntu']]) {
      const result = tryParseReference(input as unknown as string);
      expect(result.ok ? 'ok' : result.error.code).toBe('AR_IMAGE_REF_NOT_A_STRING');
    }
    expect(() => parseReference(undefined as unknown as string)).toThrow(/expected a string, got undefined/);
  });

  it('has unique AR_IMAGE_REF_ codes', () => {
    expect(new Set(IMAGE_REF_ERROR_CODES).size).toBe(IMAGE_REF_ERROR_CODES.length);
    for (const code of IMAGE_REF_ERROR_CODES) expect(code).toMatch(/^AR_IMAGE_REF_[A-Z_]+$/);
  });
});
