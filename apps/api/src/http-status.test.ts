import { readFileSync } from 'node:fs';
import { AUTH_ERROR_KINDS } from '@ar/auth';
import { CONFIG_ERROR_KINDS } from '@ar/config';
import { CLEANUP_POLICY_ERROR_KINDS, CORE_ERROR_KINDS } from '@ar/core';
import { ERROR_KINDS } from '@ar/errors';
import { IMAGE_REF_ERROR_KINDS } from '@ar/image-ref';
import { REGISTRY_ERROR_KINDS } from '@ar/registry';
import { describe, expect, it } from 'vitest';
import { ERROR_HINTS, withHint } from './error-hints.js';
import { API_ERROR_KINDS, ArApiError } from './errors.js';
import { HTTP_STATUS_BY_KIND, HTTP_STATUS_OVERRIDES, httpStatusOf } from './http-status.js';

/** Every code the service can meet, by the package that owns it, with its kind. */
const TABLES: Record<string, Readonly<Record<string, string>>> = {
  '@ar/api': API_ERROR_KINDS,
  '@ar/auth': AUTH_ERROR_KINDS,
  '@ar/cleanup-policy': CLEANUP_POLICY_ERROR_KINDS,
  '@ar/config': CONFIG_ERROR_KINDS,
  '@ar/core': CORE_ERROR_KINDS,
  '@ar/image-ref': IMAGE_REF_ERROR_KINDS,
  '@ar/registry': REGISTRY_ERROR_KINDS,
};
const KINDS = new Map(Object.values(TABLES).flatMap((table) => Object.entries(table)));

describe('HTTP statuses', () => {
  it('gives every code of every package a kind and an error status', () => {
    expect(KINDS.size).toBe(Object.values(TABLES).reduce((n, table) => n + Object.keys(table).length, 0));
    for (const [code, kind] of KINDS) {
      expect(ERROR_KINDS, code).toContain(kind);
      const status = httpStatusOf(code, kind as (typeof ERROR_KINDS)[number]);
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(600);
    }
    for (const code of Object.keys(HTTP_STATUS_OVERRIDES)) expect(KINDS.has(code), code).toBe(true);
    for (const kind of ERROR_KINDS) expect(HTTP_STATUS_BY_KIND[kind], kind).toBeGreaterThanOrEqual(400);
  });

  it('answers for its own codes by the kind its error class gives them', () => {
    for (const code of Object.keys(API_ERROR_KINDS) as (keyof typeof API_ERROR_KINDS)[]) {
      const error = new ArApiError(code, 'm');
      expect(error.kind).toBe(API_ERROR_KINDS[code]);
      expect(httpStatusOf(code)).toBe(httpStatusOf(code, error.kind));
    }
  });

  it('keeps the README table true: every kind and every code in it, under its status', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Error codes → HTTP status'));
    const listed = new Map<string, number>();
    const documentedKinds: string[] = [];
    for (const [, status, kinds, codes] of section.matchAll(/^\| (\d{3}) +\|([^|]*)\|(.*)\|$/gm)) {
      for (const [, kind] of kinds!.matchAll(/`([A-Z_]+)`/g)) {
        expect(HTTP_STATUS_BY_KIND[kind as keyof typeof HTTP_STATUS_BY_KIND], kind).toBe(Number(status));
        documentedKinds.push(kind!);
      }
      for (const [, pattern] of codes!.matchAll(/`(AR_[A-Z_]+\*?)`/g)) {
        const matching = pattern!.endsWith('*')
          ? [...KINDS.keys()].filter((code) => code.startsWith(pattern!.slice(0, -1)))
          : [pattern!];
        for (const code of matching) listed.set(code, Number(status));
      }
    }
    expect([...listed.keys()].sort()).toEqual([...KINDS.keys()].sort());
    expect(documentedKinds.sort()).toEqual([...ERROR_KINDS].sort());
    for (const [code, status] of listed)
      expect(httpStatusOf(code, KINDS.get(code) as (typeof ERROR_KINDS)[number]), code).toBe(status);
  });

  it('answers by the kind for a code it does not know, and 502 when there is no kind', () => {
    expect(httpStatusOf('AR_VAULT_SEALED', 'UNAVAILABLE')).toBe(503);
    expect(httpStatusOf('AR_VAULT_SEALED', 'INVALID_ARGUMENT')).toBe(400);
    expect(httpStatusOf('AR_VAULT_SEALED')).toBe(502);
  });

  it('advises in its own words: request fields, never a CLI flag or command', () => {
    for (const [code, hint] of Object.entries(ERROR_HINTS)) {
      expect(KINDS.has(code), code).toBe(true);
      expect(hint, code).not.toMatch(/--[a-z]|`gar /);
    }
    const message = withHint(
      'AR_CORE_MISSING_DEFAULT',
      'No project given, and no default project is configured.',
    );
    expect(message).toContain('the `project` and `location` fields');
    expect(withHint('AR_REGISTRY_TIMEOUT', 'Timed out.')).toBe('Timed out.');
  });
});
