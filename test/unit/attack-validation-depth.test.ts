/**
 * The nesting bound every JSON body passes before it is parsed (shared/http/json-depth.ts): it counts objects and
 * arrays, not brackets inside strings (escaped quotes included), and it cannot overflow however deep the text goes.
 */
import { describe, expect, it } from 'vitest';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from '../../shared/http/json-depth.ts';

const nested = (depth: number, open = '[', close = ']'): string => `${open.repeat(depth)}${close.repeat(depth)}`;

describe('jsonNestsDeeperThan', () => {
  it.each([
    ['flat object', '{"a":1,"b":[1,2,3]}', 2, false],
    ['exactly at the bound', nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH, false],
    ['one past the bound', nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH, true],
    ['objects and arrays mixed', '{"a":[{"b":[{}]}]}', 4, true],
    ['siblings do not add up', '[[],[],[],[]]', 2, false],
    ['brackets inside a string', JSON.stringify({ a: '[[[[[[[[{{{{{{' }), 1, false],
    ['an escaped quote does not end the string', JSON.stringify({ a: 'say \\"[[[[" and \\\\' }), 1, false],
    ['a string ending in an escaped backslash', `{"a":"\\\\","b":[[1]]}`, 2, true],
  ])('%s', (_name, text, max, expected) => {
    expect(JSON.parse(text)).toBeDefined();
    expect(jsonNestsDeeperThan(text, max)).toBe(expected);
  });

  it('scans a million levels without recursion', () => {
    expect(jsonNestsDeeperThan(nested(1_000_000, '{"a":', '}'), MAX_JSON_DEPTH)).toBe(true);
  });
});
