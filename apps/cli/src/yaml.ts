// Imported statically, in a module of its own that output.ts loads only for --format yaml: with
// code splitting, esbuild gives a dynamic import() of a CommonJS package (yaml's Node build) a
// default export only, so `(await import('yaml')).stringify` was undefined in the bundle.
import { stringify } from 'yaml';

export const toYaml = (data: unknown): string => stringify(data);
