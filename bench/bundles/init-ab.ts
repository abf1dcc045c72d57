/**
 * Before/after module init of function bundles on a loaded machine: two (or more) build folders, each laid out as
 * bench/bundles/build.ts lays them out (`<dir>/<function>/index.mjs` beside `<dir>/opt`, e.g. `.bench/bundles` of
 * two commits), probed alternately in fresh processes (init-probe.ts, with each function's Lambda environment),
 * the order flipped every round so drift is shared; prints the median CPU and wall time per function and folder.
 *
 * `node bench/bundles/init-ab.ts <repeats> <dir> <dir> [...] <function> [...]` (folders are absolute paths)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { ensureDevSigningKey, publicJwks } from '../../shared/keys/index.ts';
import { median } from '../lib/stats.ts';
import { lambdaEnv } from './lambda-env.ts';

const run = promisify(execFile);
const PROBE = join(import.meta.dirname, 'init-probe.ts');

const [repeats, ...rest] = process.argv.slice(2);
const dirs = rest.filter((arg) => isAbsolute(arg));
const names = rest.filter((arg) => !isAbsolute(arg));
if (!Number(repeats) || dirs.length < 1 || names.length < 1) throw new Error('usage: init-ab.ts <repeats> <dir> <dir> [...] <function> [...]');

const keys = mkdtempSync(join(tmpdir(), 'compose-init-ab-'));
await ensureDevSigningKey(keys);
const jwks = JSON.stringify(publicJwks(keys));
rmSync(keys, { recursive: true, force: true });

const samples = new Map<string, { cpu: number[]; wall: number[] }>();
for (let round = 0; round < Number(repeats); round += 1) {
  for (const name of names) {
    for (const dir of round % 2 ? [...dirs].reverse() : dirs) {
      const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...lambdaEnv(name, { jwks }) };
      const { stdout } = await run(process.execPath, [PROBE, join(dir, name, 'index.mjs')], { env, timeout: 60_000 });
      const sample = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { importMs: number; cpuMs: number };
      const key = `${name}  ${dir}`;
      const entry = samples.get(key) ?? { cpu: [], wall: [] };
      entry.cpu.push(sample.cpuMs);
      entry.wall.push(sample.importMs);
      samples.set(key, entry);
    }
  }
}
for (const [key, { cpu, wall }] of samples) process.stdout.write(`${key.padEnd(48)} init median CPU ${median(cpu).toFixed(1)} ms, wall ${median(wall).toFixed(1)} ms\n`);
