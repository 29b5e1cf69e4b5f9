// The `@ar/config/files` entry point: finding and parsing config-like files without loading the
// schema (zod), for hot paths such as the credential helper's warm `get`.
export { parseJsonObject } from './json-text.js';
export { type ConfigFileLocation, locateConfigFile } from './locate.js';
