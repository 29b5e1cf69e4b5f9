import { closestMatch } from '@ar/errors';
import type { z } from 'zod';
import type { ConfigIssue } from './errors.js';
import { schemaAt } from './json-schema.js';
import { formatPath } from './paths.js';

/** How a value is shown back in a message: short, and never when the key holds a secret. */
function describeValue(value: unknown, path: readonly (string | number)[]): string {
  if (schemaAt(path)?.['x-secret']) return '<redacted>';
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function messageFor(issue: z.core.$ZodIssue, value: unknown, path: readonly (string | number)[]): string {
  const got = `, got ${describeValue(value, path)}`;
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${issue.expected === 'int' ? 'an integer' : `a ${issue.expected}`}${got}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${got}`;
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'must not be empty';
      return issue.message.startsWith('Too small')
        ? `must be at least ${issue.minimum}${got}`
        : issue.message + got;
    case 'too_big':
      return issue.message.startsWith('Too big')
        ? `must be at most ${issue.maximum}${got}`
        : issue.message + got;
    default:
      return issue.message + got;
  }
}

/** Turns zod's issues on one source's values into located, readable config issues. */
export function toConfigIssues(
  error: z.ZodError,
  values: unknown,
  sourceOf: (path: string) => string,
): ConfigIssue[] {
  return error.issues.flatMap((issue): ConfigIssue[] => {
    const path = issue.path.map((key) => (typeof key === 'number' ? key : String(key)));
    if (issue.code === 'unrecognized_keys') {
      const known = Object.keys(schemaAt(path)?.properties ?? {});
      return issue.keys.map((key) => {
        const suggestion = closestMatch(key, known);
        const keyPath = [...path, key];
        return {
          kind: 'unknown-key',
          path: formatPath(keyPath),
          message: suggestion
            ? `unknown key; did you mean "${suggestion}"?`
            : `unknown key; known keys here: ${known.join(', ')}`,
          source: sourceOf(keyPath.join('.')),
        };
      });
    }
    return [
      {
        kind: 'invalid-value',
        path: formatPath(path),
        message: messageFor(issue, valueAt(values, path), path),
        source: sourceOf(path.join('.')),
      },
    ];
  });
}
