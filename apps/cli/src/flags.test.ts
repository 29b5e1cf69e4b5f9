import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { flagOverrides, GLOBAL_FLAGS } from './flags.js';

const schema = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve('@ar/config/schema.json'), 'utf8'),
);

function node(path: string) {
  return path.split('.').reduce((at, key) => at?.properties?.[key], schema);
}

describe('global flags', () => {
  it.each(GLOBAL_FLAGS.filter((flag) => flag.path))(
    '$flags sets a real config key with valid values',
    (flag) => {
      const target = node(flag.path!);
      expect(target, flag.path).toBeDefined();
      if (flag.choices) expect(target.enum).toEqual(flag.choices);
      if (flag.value !== undefined) expect(target.enum).toContain(flag.value);
    },
  );

  it('turns flags into overrides and names the flag as their source', () => {
    const { values, source } = flagOverrides({
      project: 'p',
      format: 'json',
      verbose: true,
      progress: false,
      quiet: undefined,
    });
    expect(values).toEqual({
      project: 'p',
      output: { format: 'json', progress: 'never' },
      log: { level: 'debug' },
    });
    expect(source('output.format')).toBe('--format');
    expect(source('output.progress')).toBe('--no-progress');
    expect(flagOverrides({ progress: true }).values).toEqual({});
  });

  it('marks each --insecure-registry host insecure', () => {
    const { values, source } = flagOverrides({ insecureRegistry: ['registry.lan:5000', 'mirror.lan'] });
    expect(values).toEqual({
      registries: { 'registry.lan:5000': { insecure: true }, 'mirror.lan': { insecure: true } },
    });
    expect(source('registries.mirror.lan.insecure')).toBe('--insecure-registry');
    expect(node('registries').additionalProperties.properties.insecure.type).toBe('boolean');
  });
});
