/**
 * Path parameters are checked by format and length before any operation runs, so no store ever sees a key it
 * cannot hold (DynamoDB refuses a partition key over 2 KB with an error that would surface as a 500). The rule
 * is by parameter name, in the one family handler every route goes through, so a new route naming
 * `{responseId}`, `{id}` or `{uploadId}` is bounded without doing anything.
 *
 * A malformed id is a 400, as OpenAI answers one (`Invalid 'response_id': … Expected an ID that begins with
 * 'resp'`), with a stable code per kind of id; a well-formed id that names nothing stays a 404.
 */
import { InvalidRequestError } from '../../layers/core/errors.ts';

interface IdRule {
  readonly pattern: RegExp;
  /** The name clients know the id by, as OpenAI's messages and `param` name it. */
  readonly param: string;
  readonly code: string;
  readonly expected: string;
}

// The gateway mints `<prefix>_` + 48 hex digits; the rule is looser (a safe alphabet, a bounded length) so an id
// of the right kind that was never minted is still the resource's 404, as before.
const RESPONSE = /^resp_[A-Za-z0-9_-]{1,96}$/;
const VIDEO = /^video_[A-Za-z0-9_-]{1,96}$/;
const UPLOAD = /^upl_[0-9a-f]{32}$/;

const RULES: Readonly<Record<string, IdRule>> = {
  // `POST /v1/responses/{id}/cancel` also takes a video job id: async video Responses are jobs.
  responseId: { pattern: new RegExp(`${RESPONSE.source}|${VIDEO.source}`), param: 'response_id', code: 'invalid_response_id', expected: "an ID that begins with 'resp_'" },
  id: { pattern: VIDEO, param: 'video_id', code: 'invalid_video_id', expected: "an ID that begins with 'video_'" },
  uploadId: { pattern: UPLOAD, param: 'upload_id', code: 'invalid_upload_id', expected: "an ID that begins with 'upl_'" },
  fileId: { pattern: UPLOAD, param: 'file_id', code: 'invalid_file_id', expected: "an upload ID that begins with 'upl_'" },
};

/** Any other path parameter (catalog model ids, modalities) is looked up in memory; it is only kept short. */
const MAX_OTHER_LENGTH = 256;

/** What a refusal may echo of an id: enough to recognise it, never kilobytes of it. */
const shown = (value: string): string => (value.length > 64 ? `${value.slice(0, 64)}…' (${value.length} characters)` : `${value}'`);

export const checkPathParameters = (parameters: Readonly<Record<string, string | undefined>> | null | undefined): void => {
  if (!parameters) return;
  for (const name in parameters) {
    const value = parameters[name];
    if (value === undefined) continue;
    const rule = RULES[name];
    if (rule && !rule.pattern.test(value)) {
      throw new InvalidRequestError(rule.code, `Invalid '${rule.param}': '${shown(value)}. Expected ${rule.expected}.`, { param: rule.param });
    }
    if (!rule && value.length > MAX_OTHER_LENGTH) {
      throw new InvalidRequestError('invalid_path_parameter', `Invalid '${name}': at most ${MAX_OTHER_LENGTH} characters, got ${value.length}.`, { param: name });
    }
  }
};

export const isResponseId = (value: string): boolean => RESPONSE.test(value);
