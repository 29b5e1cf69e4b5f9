import { defineConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// The shared config without the `import` condition, which vitest also hands the worker's Node as
// --conditions: then pg's require('pg-pool') would load pg-pool's ESM build (its exports map has an
// `import` branch) and fail. ESM imports get `import` from Node anyway.
const conditions = ['@ar/source', 'node', 'default'];

export default defineConfig({
  ...shared,
  resolve: { ...shared.resolve, conditions },
  ssr: { ...shared.ssr, resolve: { ...shared.ssr?.resolve, conditions } },
});
