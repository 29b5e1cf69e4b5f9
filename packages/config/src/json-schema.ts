import { z } from 'zod';
import { arConfigFileSchema } from './schema.js';

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  default?: unknown;
  description?: string;
  'x-secret'?: boolean;
  'x-path'?: boolean;
  [keyword: string]: unknown;
};

let cached: JsonSchema | undefined;

/** The JSON Schema of a config file, as shipped in `@ar/config/schema.json`. */
export function configJsonSchema(): JsonSchema {
  cached ??= {
    ...(z.toJSONSchema(arConfigFileSchema, { io: 'input', target: 'draft-2020-12' }) as JsonSchema),
    $id: 'https://github.com/ar-toolkit/ar/packages/config/schema.json',
    title: 'gar config file',
  };
  return cached;
}

/** The schema node for a dotted path (`registries.HOST.caFile`), following records and arrays. */
export function schemaAt(path: readonly (string | number)[]): JsonSchema | undefined {
  let node: JsonSchema | undefined = configJsonSchema();
  for (const key of path) {
    if (!node) return undefined;
    if (typeof key === 'number') node = node.items;
    else if (node.properties && key in node.properties) node = node.properties[key];
    else node = typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined;
  }
  return node;
}
