import type { z } from 'zod';
import { readableErrors, zodIssues } from '../core/config.ts';
import { ConfigError, KubepostureError } from '../core/errors.ts';

/**
 * The event a handler was invoked with does not match its contract. The message names the
 * fields and the rule each broke, never the values, so it is safe to return and to log.
 */
export class InvalidInputError extends KubepostureError {
  override name = 'InvalidInputError';
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(message);
  }
}

/** Validates an event against a handler's schema; throws InvalidInputError naming each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, event: unknown, what: string): z.output<S> {
  const result = schema.safeParse(event, { error: readableErrors });
  if (result.success) return result.data;
  const issues = zodIssues(result.error);
  // A huge malformed event must not become a huge message: the first problems, then a count.
  const shown = issues.slice(0, 10).map((i) => `${i.path}: ${i.message}`);
  if (issues.length > 10) shown.push(`… and ${issues.length - 10} more`);
  throw new InvalidInputError(`Invalid ${what}: ${shown.join('; ')}`, issues.slice(0, 10));
}

/**
 * Reads a JSON document from an environment variable and validates it with `parse`.
 * An unset or empty variable means `{}` (all defaults). The JSON parser's own message is
 * left out: it quotes the text, and configuration is not for logs.
 */
export function jsonFromEnv<T>(
  env: Record<string, string | undefined>,
  name: string,
  parse: (raw: unknown, source: string) => T,
): T {
  const text = env[name];
  if (text === undefined || text.trim() === '') return parse({}, name);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError(`${name} is not valid JSON`);
  }
  return parse(raw, name);
}
