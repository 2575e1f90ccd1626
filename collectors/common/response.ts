import type { z } from 'zod';
import { CollectorError } from '../../core/errors.ts';

/**
 * A cloud answer that is not what the API always returns: a 200 with an empty or truncated body, garbage, a page
 * token that never ends. Believing it would turn "could not read" into "nothing there", which a check reads as PASS,
 * so it becomes a gap naming the action instead (code `Malformed`).
 */
export class MalformedResponseError extends CollectorError {
  override name = 'MalformedResponseError';
  constructor(
    readonly action: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Malformed: ${action} answered ${detail}`, 'Malformed', {}, options);
  }
}

/** How many zod issues a message names before "…": enough to see the shape of the problem. */
const ISSUES_SHOWN = 3;

/**
 * Parses one API answer with the schema of the fields that action always returns, before anything believes it.
 * Every collector (AWS middleware, ARM and GKE wrappers) goes through this one function.
 */
export function checkResponse<S extends z.ZodType>(action: string, schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const named = issues
    .slice(0, ISSUES_SHOWN)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(body)'}: ${i.message}`)
    .join('; ');
  const more = issues.length > ISSUES_SHOWN ? ` (+${issues.length - ISSUES_SHOWN} more)` : '';
  throw new MalformedResponseError(action, `a body without the fields it always returns (${named}${more})`);
}
