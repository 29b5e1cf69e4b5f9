import { readFileSync } from 'node:fs';
import { ArAuthError, AUTH_ERROR_KINDS } from '@ar/auth';
import { ArConfigError, CONFIG_ERROR_KINDS } from '@ar/config';
import {
  ArCleanupPolicyError,
  ArCoreError,
  CLEANUP_POLICY_ERROR_CODES,
  CLEANUP_POLICY_ERROR_KINDS,
  CORE_ERROR_KINDS,
} from '@ar/core';
import { DOCKER_ERROR_CODES, DOCKER_ERROR_KINDS, DockerError } from '@ar/docker';
import { EMULATOR_ERROR_CODES, EMULATOR_ERROR_KINDS, EmulatorError } from '@ar/emulator';
import { ArError, ERROR_KINDS } from '@ar/errors';
import { ArImageRefError, IMAGE_REF_ERROR_CODES, IMAGE_REF_ERROR_KINDS } from '@ar/image-ref';
import { REGISTRY_ERROR_CODES, REGISTRY_ERROR_KINDS, RegistryError } from '@ar/registry';
import { describe, expect, it } from 'vitest';
import { ERROR_HINTS, hintFor } from './error-hints.js';
import { EXIT, EXIT_BY_KIND, EXIT_OVERRIDES, exitStatusOf } from './exit-codes.js';

/** Every package whose errors reach gar: its kind table and an error of each code, made by its own class. */
const PACKAGES: { name: string; kinds: Readonly<Record<string, string>>; make(code: string): ArError }[] = [
  { name: '@ar/auth', kinds: AUTH_ERROR_KINDS, make: (code) => new ArAuthError(code as never, 'm') },
  {
    name: '@ar/cleanup-policy',
    kinds: CLEANUP_POLICY_ERROR_KINDS,
    make: (code) => new ArCleanupPolicyError(code as never, 'm'),
  },
  { name: '@ar/config', kinds: CONFIG_ERROR_KINDS, make: () => new ArConfigError([]) },
  { name: '@ar/core', kinds: CORE_ERROR_KINDS, make: (code) => new ArCoreError(code as never, 'm') },
  { name: '@ar/docker', kinds: DOCKER_ERROR_KINDS, make: (code) => new DockerError(code as never, 'm') },
  {
    name: '@ar/emulator',
    kinds: EMULATOR_ERROR_KINDS,
    make: (code) => new EmulatorError(code as never, 'm'),
  },
  {
    name: '@ar/image-ref',
    kinds: IMAGE_REF_ERROR_KINDS,
    make: (code) =>
      new ArImageRefError(code as never, 'm', { input: '', inputLength: 0, part: '', offset: 0 }),
  },
  {
    name: '@ar/registry',
    kinds: REGISTRY_ERROR_KINDS,
    make: (code) => new RegistryError(code as never, 'm'),
  },
];
const ALL_CODES = PACKAGES.flatMap(({ kinds }) => Object.keys(kinds));
const STATUSES = new Set<number>(Object.values(EXIT));

describe('exit statuses', () => {
  it('gives every code of every package a kind, set by the package’s own error class', () => {
    // The code lists some packages export and their kind tables name the same codes.
    for (const [list, kinds] of [
      [CLEANUP_POLICY_ERROR_CODES, CLEANUP_POLICY_ERROR_KINDS],
      [DOCKER_ERROR_CODES, DOCKER_ERROR_KINDS],
      [EMULATOR_ERROR_CODES, EMULATOR_ERROR_KINDS],
      [IMAGE_REF_ERROR_CODES, IMAGE_REF_ERROR_KINDS],
      [REGISTRY_ERROR_CODES, REGISTRY_ERROR_KINDS],
    ] as const)
      expect(Object.keys(kinds).sort()).toEqual([...list].sort());
    for (const { name, kinds, make } of PACKAGES) {
      for (const [code, kind] of Object.entries(kinds)) {
        expect(code, name).toMatch(/^AR_[A-Z]+(_[A-Z]+)+$/);
        expect(ERROR_KINDS, code).toContain(kind);
        const error = make(code);
        expect(error.code, name).toBe(code);
        expect(error.kind, code).toBe(kind);
      }
    }
    expect(new Set(ALL_CODES).size).toBe(ALL_CODES.length);
  });

  it('maps every code of every package to a documented status: its kind’s, or a deliberate override', () => {
    for (const { kinds, make } of PACKAGES) {
      for (const [code, kind] of Object.entries(kinds)) {
        const status = exitStatusOf(make(code));
        expect(STATUSES, code).toContain(status);
        expect(status, code).toBe(
          (EXIT_OVERRIDES as Record<string, number>)[code] ?? EXIT_BY_KIND[kind as keyof typeof EXIT_BY_KIND],
        );
      }
    }
    for (const status of Object.values(EXIT_BY_KIND)) expect(STATUSES).toContain(status);
    for (const code of Object.keys(EXIT_OVERRIDES)) expect(ALL_CODES).toContain(code);
  });

  it('keeps the root README’s exit status table true: each kind and each code named in its row', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Exit statuses'), readme.indexOf('### Configuration'));
    const rows = [...section.matchAll(/^\| (\d) +\|[^|]*\|([^|]*)\|(.*)\|$/gm)];
    expect(rows.map((row) => Number(row[1]))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const documentedKinds: string[] = [];
    let named = 0;
    for (const [, status, kinds, codes] of rows) {
      for (const [, kind] of kinds!.matchAll(/`([A-Z_]+)`/g)) {
        expect(EXIT_BY_KIND[kind as keyof typeof EXIT_BY_KIND], kind).toBe(Number(status));
        documentedKinds.push(kind!);
      }
      for (const [, pattern] of codes!.matchAll(/`(AR_[A-Z_]+\*?)`/g)) {
        const matching = pattern!.endsWith('*')
          ? ALL_CODES.filter((code) => code.startsWith(pattern!.slice(0, -1)))
          : [pattern!];
        expect(matching.length, pattern).toBeGreaterThan(0);
        for (const code of matching) {
          const owner = PACKAGES.find(({ kinds }) => code in kinds);
          expect(owner, code).toBeDefined();
          expect(exitStatusOf(owner!.make(code)), code).toBe(Number(status));
          named++;
        }
      }
    }
    expect(documentedKinds.sort()).toEqual([...ERROR_KINDS].sort());
    expect(named).toBeGreaterThan(20);
  });

  it('exits by the kind for a code it does not know, and falls back when there is no kind', () => {
    expect(exitStatusOf(new ArError('AR_VAULT_SEALED', 'sealed', { kind: 'UNAVAILABLE' }))).toBe(
      EXIT.unavailable,
    );
    expect(exitStatusOf(new ArError('AR_VAULT_SEALED', 'sealed'))).toBeUndefined();
    // A newer bundled copy's kind this copy does not know: treated as no kind.
    expect(
      exitStatusOf({ code: 'AR_VAULT_SEALED', retryable: false, kind: 'UNIMPLEMENTED' }),
    ).toBeUndefined();
    expect(exitStatusOf(new Error('a bug'))).toBeUndefined();
  });

  it('hints only for codes that exist, and never the two wrong hints it used to give', () => {
    for (const [code, hint] of Object.entries(ERROR_HINTS)) {
      expect(ALL_CODES, code).toContain(code);
      expect(hint, code).not.toMatch(/gar auth login|--format docker-archive/);
    }
    expect(hintFor(new RegistryError('AR_REGISTRY_ARCHIVE_INVALID', 'm'))).toContain(
      '`gar pull IMAGE --to docker-archive:FILE`',
    );
    expect(hintFor(new RegistryError('AR_REGISTRY_TIMEOUT', 'm'))).toBeUndefined();
    expect(hintFor(new Error('plain'))).toBeUndefined();
  });
});
