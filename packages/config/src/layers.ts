import { schemaAt } from './json-schema.js';
import { normalizeFilePath } from './paths.js';

type Plain = Record<string, unknown>;

/** One source of settings. Later layers win, key by key. */
export interface Layer {
  values: Plain;
  /** Which source set the key at this dotted path (for messages); undefined if this layer did not. */
  originOf(path: string): string | undefined;
  /** Relative file paths in this layer resolve against this directory. */
  baseDir: string;
}

export const isPlainObject = (value: unknown): value is Plain =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Each leaf (scalar or array) with its path; records and sections are walked into. */
export function* leaves(value: Plain, path: string[] = []): Generator<[string[], unknown]> {
  for (const [key, child] of Object.entries(value)) {
    if (isPlainObject(child)) yield* leaves(child, [...path, key]);
    else yield [[...path, key], child];
  }
}

/** Deep merge: sections merge key by key, scalars and arrays replace. */
export function merge(target: Plain, source: Plain): Plain {
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const existing = target[key];
    target[key] = isPlainObject(value) && isPlainObject(existing) ? merge({ ...existing }, value) : value;
  }
  return target;
}

/** `~` and relative paths in keys marked `x-path` become absolute, against the layer's own directory. */
export function normalizePaths(layer: Layer, homeDir: string): Plain {
  const out = merge({}, layer.values);
  const visit = (node: Plain, path: string[]) => {
    for (const [key, child] of Object.entries(node)) {
      const childPath = [...path, key];
      if (isPlainObject(child)) visit(child, childPath);
      else if (typeof child === 'string' && schemaAt(childPath)?.['x-path']) {
        node[key] = normalizeFilePath(child, layer.baseDir, homeDir);
      }
    }
  };
  visit(out, []);
  return out;
}

/** Looks up a dotted path in an origins map, walking up to the nearest key that was set. */
export function nearestOrigin(origins: ReadonlyMap<string, string>, path: string): string | undefined {
  for (let key = path; key; key = key.slice(0, Math.max(0, key.lastIndexOf('.')))) {
    const found = origins.get(key);
    if (found) return found;
  }
  return undefined;
}
