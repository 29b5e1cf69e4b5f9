// Writes schema.json from the built package, so the shipped JSON Schema is the zod schema's own.
import { writeFileSync } from 'node:fs';
import { configJsonSchema } from '../dist/index.js';

writeFileSync(new URL('../schema.json', import.meta.url), `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
