// Writes the JSON Schemas for editors from the specs the validator uses, formatted by biome:
//   node groups/schema/generate.ts
// test/unit/config-schema.test.ts fails when the committed files differ from the specs.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { catalogJsonSchema, groupJsonSchema, renderJsonSchema } from '../../src/core/config/json-schema.ts';

const files = {
  'services.schema.json': catalogJsonSchema(),
  'group.schema.json': groupJsonSchema(),
};
const paths = Object.entries(files).map(([name, schema]) => {
  const path = fileURLToPath(new URL(name, import.meta.url));
  writeFileSync(path, renderJsonSchema(schema));
  return path;
});
const root = fileURLToPath(new URL('../..', import.meta.url));
execFileSync(`${root}node_modules/.bin/biome`, ['format', '--write', ...paths], {
  cwd: root,
  stdio: 'ignore',
});
console.log(`wrote ${Object.keys(files).join(' and ')}`);
