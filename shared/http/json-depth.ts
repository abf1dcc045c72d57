/**
 * How deeply a JSON text nests, measured on the text itself. JSON.parse copes with any depth, but much of what
 * runs after it recurses (JSON.stringify for idempotency fingerprints and stored records, zod, the DynamoDB
 * marshaller): a body nested thousands deep overflows their stacks, a 500 instead of a 400. Refusing it here,
 * in the one reader every JSON route shares, bounds them all. Iterative, so the check itself cannot overflow.
 */

/** Generous for any real request (a tool's JSON Schema nests a few levels per property) and far below any stack. */
export const MAX_JSON_DEPTH = 64;

/** True when objects and arrays nest deeper than `max` (brackets inside strings do not count). */
export const jsonNestsDeeperThan = (text: string, max: number): boolean => {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character, a quote among them
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
};
