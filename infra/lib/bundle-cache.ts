/**
 * Built code (a function's bundle, the shared layer's packages) kept under the folder `COMPOSE_BUNDLE_CACHE`
 * names, for processes that synthesize the same stack from the same sources: the test suite's infra files and
 * the `cdk synth` runs they start each bundled every function and the layer again, most of the suite's CPU.
 * Unset (a deploy, a plain `cdk synth`), every build runs as before; vitest.config.ts sets it.
 *
 * An entry is named by a hash of what decides the output: every file under the deployed folders and the build's
 * own code, package-lock.json (the installed packages, esbuild's version), Node's version, and the build's options.
 * Writers build into a private folder and rename it into place, and a lock folder makes concurrent processes
 * wait for the one building an entry instead of all building it.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from './paths.ts';

export const BUNDLE_CACHE_ENV = 'COMPOSE_BUNDLE_CACHE';

/** What the built code is made from (besides node_modules, which package-lock.json stands for). */
const INPUT_DIRS = ['functions', 'shared', 'layers', 'openapi', 'infra/lib'];
const INPUT_FILES = ['package.json', 'package-lock.json', 'tsconfig.json'];

/** A lock left by a process that died: taken over after this long. */
const STALE_LOCK_MS = 10 * 60_000;
/** Entries not used for this long are removed when a new one is written. */
const PRUNE_AFTER_MS = 24 * 60 * 60_000;

const listInputs = (dir: string): string[] =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : listInputs(file);
      return entry.isFile() ? [file] : [];
    });

let inputsDigest: string | undefined;
/** Read once per process: a synth reads the sources once too, and a test run does not edit them. */
const sourcesDigest = (): string => {
  if (inputsDigest === undefined) {
    const hash = createHash('sha256').update(process.version);
    const files = [...INPUT_DIRS.flatMap((dir) => listInputs(path.join(PROJECT_ROOT, dir))), ...INPUT_FILES.map((file) => path.join(PROJECT_ROOT, file))];
    for (const file of files) {
      hash.update(`\0${path.relative(PROJECT_ROOT, file)}\0`);
      if (fs.existsSync(file)) hash.update(fs.readFileSync(file));
    }
    inputsDigest = hash.digest('hex');
  }
  return inputsDigest;
};

/** The key of one build: the sources and its options (functions inside them, esbuild plugins, drop out). */
export const bundleCacheKey = (kind: string, options: unknown): string =>
  createHash('sha256').update(sourcesDigest()).update(kind).update(JSON.stringify(options)).digest('hex').slice(0, 32);

const sleep = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The lock is held by a process that is gone, or for longer than any build takes. */
const staleLock = (lock: string): boolean => {
  try {
    const owner = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
    if (owner > 0 && !alive(owner)) return true;
    return Date.now() - fs.statSync(lock).mtimeMs > STALE_LOCK_MS;
  } catch {
    // No pid yet (its owner is between mkdir and write) or the lock is gone: wait and look again.
    return false;
  }
};

const prune = (root: string, keep: string): void => {
  for (const name of fs.readdirSync(root)) {
    const entry = path.join(root, name);
    if (entry === keep || name.includes('.')) continue;
    try {
      if (Date.now() - fs.statSync(entry).mtimeMs > PRUNE_AFTER_MS) fs.rmSync(entry, { recursive: true, force: true });
    } catch {
      // removed by another process meanwhile
    }
  }
};

/** Makes `entry` exist: builds it, or waits for the process building it. */
const fill = (root: string, entry: string, build: (dir: string) => void): void => {
  const lock = `${entry}.lock`;
  for (;;) {
    if (fs.existsSync(entry)) return;
    try {
      fs.mkdirSync(lock);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (staleLock(lock)) fs.rmSync(lock, { recursive: true, force: true });
      else sleep(100);
      continue;
    }
    const scratch = `${entry}.tmp-${process.pid}`;
    try {
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      if (fs.existsSync(entry)) return;
      fs.rmSync(scratch, { recursive: true, force: true });
      fs.mkdirSync(scratch);
      build(scratch);
      fs.renameSync(scratch, entry);
      prune(root, entry);
      return;
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
};

/**
 * A source map names its sources relative to itself; the copy's are made relative to where it now lies, so the
 * output is what a build straight into `outputDir` writes.
 */
const relocateSourceMaps = (from: string, to: string): void => {
  for (const file of listInputs(to).filter((name) => name.endsWith('.map'))) {
    const text = fs.readFileSync(file, 'utf8');
    const { sources } = JSON.parse(text) as { sources?: string[] };
    if (!sources) continue;
    const dir = path.dirname(file);
    const original = path.join(from, path.relative(to, dir));
    const moved = sources.map((source) => JSON.stringify(path.relative(dir, path.resolve(original, source))));
    // Only the sources line changes: the rest keeps esbuild's layout byte for byte.
    fs.writeFileSync(file, text.replace(/^(\s*"sources": )\[.*\]/m, (_, prefix: string) => `${prefix}[${moved.join(', ')}]`));
  }
};

/**
 * Runs `build(outputDir)`, or, with the cache on, copies the entry for (`kind`, `options`) into `outputDir`,
 * building it first if no process has.
 */
export const cachedBuild = (kind: string, options: unknown, outputDir: string, build: (dir: string) => void, root = process.env[BUNDLE_CACHE_ENV]): void => {
  if (!root) {
    build(outputDir);
    return;
  }
  fs.mkdirSync(root, { recursive: true });
  const entry = path.join(root, bundleCacheKey(kind, options));
  fill(root, entry, build);
  fs.cpSync(entry, outputDir, { recursive: true });
  relocateSourceMaps(entry, outputDir);
  const now = new Date();
  fs.utimesSync(entry, now, now);
};
