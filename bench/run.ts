/**
 * `npm run bench`: runs the registered sections one after another, prints a table, writes
 * .bench/results.json and (on full runs) docs/benchmarks.md. Targets are reported, never enforced: the exit
 * code is non-zero only when a section could not run at all.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { readKnobs } from './lib/knobs.ts';
import { consoleReport, jsonReport, markdownReport, type RunInfo, type SectionOutcome } from './lib/report.ts';
import { createServices } from './lib/services.ts';
import { SECTIONS } from './sections/index.ts';

const root = join(import.meta.dirname, '..');
const knobs = readKnobs();
const log = (message: string): void => void process.stderr.write(`${message}\n`);

if (!process.versions.node.startsWith('24.')) log(`warning: running on Node ${process.versions.node}; the project pins Node 24 (use npm run bench)`);
const unknown = knobs.sections?.filter((id) => !SECTIONS.some((s) => s.id === id)) ?? [];
if (unknown.length) throw new Error(`unknown BENCH_SECTIONS ${unknown.join(', ')}; known: ${SECTIONS.map((s) => s.id).join(', ')}`);
const selected = SECTIONS.filter((s) => !knobs.sections || knobs.sections.includes(s.id));

const commit = (): string => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
};

/** Errors can carry a child's whole output (or a minified bundle line): keep the head and the tail. */
const brief = (text: string, max = 2_000): string =>
  text.length <= max ? text : `${text.slice(0, max / 2)}\n  … ${text.length - max} characters …\n${text.slice(-max / 2)}`;

const services = createServices(log, { gatewayNodeArgs: knobs.gatewayNodeArgs });
const startedAt = new Date();
const loadBefore = loadavg()[0]!;
const outcomes: SectionOutcome[] = [];
try {
  for (const section of selected) {
    log(`\n[${section.id}] ${section.title} (issue #${section.issue})`);
    const t = performance.now();
    try {
      const result = await section.run({ knobs, services, log });
      outcomes.push({ section, result, durationMs: performance.now() - t });
    } catch (error) {
      const message = brief(error instanceof Error ? (error.stack ?? error.message) : String(error));
      log(`  broken: ${message}`);
      outcomes.push({ section, error: message, durationMs: performance.now() - t });
    }
  }
} finally {
  await services.closeAll();
}

const info: RunInfo = {
  startedAt: startedAt.toISOString(),
  durationMs: Date.now() - startedAt.getTime(),
  node: process.versions.node,
  cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
  cores: cpus().length,
  memoryGB: Math.round(totalmem() / 1024 ** 3),
  commit: commit(),
  // Other work on the machine moves every timing here; the 1-minute load average before and after says how much.
  loadAverage: { before: Number(loadBefore.toFixed(2)), after: Number(loadavg()[0]!.toFixed(2)) },
  knobs,
};

console.log(consoleReport(outcomes));
console.log(`Load average ${info.loadAverage.before} → ${info.loadAverage.after} on ${info.cores} cores; ${(info.durationMs / 1000).toFixed(0)} s.`);
mkdirSync(join(root, '.bench'), { recursive: true });
writeFileSync(join(root, '.bench', 'results.json'), `${JSON.stringify(jsonReport(info, outcomes), null, 2)}\n`);
log('\nwrote .bench/results.json');
const broken = outcomes.filter((o) => o.error).map((o) => o.section.id);
if (knobs.writeDocs && !knobs.sections && broken.length) log(`not rewriting docs/benchmarks.md: ${broken.join(', ')} broke`);
if (knobs.writeDocs && !knobs.sections && !broken.length) {
  mkdirSync(join(root, 'docs'), { recursive: true });
  writeFileSync(join(root, 'docs', 'benchmarks.md'), markdownReport(info, outcomes));
  log('wrote docs/benchmarks.md');
}
process.exitCode = outcomes.some((o) => o.error) ? 1 : 0;
