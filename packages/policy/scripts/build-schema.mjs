// Writes dist/schema.json: the JSON Schema of ironrun.yml, converted from the
// valibot schema of the freshly built package, for editors
// (`# yaml-language-server: $schema=…`). Runs after tsup, before publint.
import { writeFile } from 'node:fs/promises';
import { policyJsonSchema } from '../dist/index.js';

const target = new URL('../dist/schema.json', import.meta.url);
await writeFile(target, `${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
