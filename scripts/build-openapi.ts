/** The project's OpenAPI document is kept as YAML for people; functions serve (and tests validate against) JSON. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const source = join(root, 'openapi', 'compose-inference.openapi.yaml');
const target = join(root, 'openapi', 'generated', 'openapi.json');

mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, JSON.stringify(parse(readFileSync(source, 'utf8'))));
console.log(`openapi: ${target}`);
