/** The run's order names real files: a renamed one would silently start last again on a fresh clone. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SLOW_FIRST } from '../support/slow-first-sequencer.ts';

describe('the slow-first order of a fresh run', () => {
  it.each(SLOW_FIRST)('names %s, which exists', (file) => {
    expect(existsSync(join(import.meta.dirname, '../..', file))).toBe(true);
  });
});
