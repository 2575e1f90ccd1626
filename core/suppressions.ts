import * as z from 'zod';
import { readableErrors } from './config.ts';
import { didYouMean } from './did-you-mean.ts';
import { ConfigError } from './errors.ts';
import type { Finding } from './finding.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Longest `check` or `resource` glob. Resource ids (ARNs, ARM ids) stay well under 1,024 characters; the limit keeps
 * matching cost bounded (pattern length × resource id length) and error messages short.
 */
export const MAX_GLOB_LENGTH = 1024;
/** More entries than any team reviews; keeps matching cost (entries × findings) bounded. */
export const MAX_SUPPRESSIONS = 10_000;

const glob = (what: string) =>
  z
    .string()
    .min(1, `a ${what} glob (* any run of characters, ? one)`)
    .max(MAX_GLOB_LENGTH, `at most ${MAX_GLOB_LENGTH} characters`);

const SuppressionEntrySchema = z
  .object({
    /** A check id (`EKS.ENDPOINT.1`) or a glob over ids (`EKS.LOGGING.*`, `*`). */
    check: glob('check id'),
    /** A glob over the finding's resource id (`*` matches any run of characters, `?` one). */
    resource: glob('resource id'),
    reason: z
      .string()
      .min(3, 'say why the finding is accepted (at least 3 characters)')
      .max(2000, 'at most 2000 characters'),
    owner: z.string().min(1, 'name who accepted the risk').max(256, 'at most 256 characters'),
    /** A date (`2026-12-31`): the suppression applies through the end of that day, UTC. */
    expires: z
      .string()
      .regex(DATE, 'must be a date like 2026-12-31 (every suppression expires; use a far date for a long one)')
      .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'is not a calendar date'),
  })
  .strict();

/** What a missing field must hold, so `required` says more than its type. */
const REQUIRED: Record<string, string> = {
  check: 'a check id like EKS.ENDPOINT.1, or a glob like EKS.LOGGING.*',
  resource: 'a resource id glob, * for every resource',
  reason: 'why the finding is accepted',
  owner: 'who accepted the risk',
  expires: 'a date like 2026-12-31; every suppression expires',
};

const suppressionErrors: z.core.$ZodErrorMap = (issue) => {
  const field = issue.path?.length === 1 ? String(issue.path[0]) : '';
  if (issue.code === 'invalid_type' && issue.input === undefined && Object.hasOwn(REQUIRED, field)) {
    return `required (${REQUIRED[field]})`;
  }
  return readableErrors(issue);
};

/**
 * A suppression for a check that does not exist would silently never apply (`EKS.LOGGNG.1`): ids and globs are
 * checked against the catalogue's ids, passed in by the caller (core does not import the checks).
 */
function unknownCheck(check: string, checkIds: readonly string[]): string | undefined {
  if (/[*?]/.test(check)) {
    if (checkIds.some((id) => globMatch(check, id))) return undefined;
    if (check.length > 128) return 'the glob matches no check in the catalogue';
    // A typo in the fixed part of a glob: suggest against the ids cut to the same number of dot-separated parts.
    const parts = check.split('.').length;
    const prefixes = [
      ...new Set(
        checkIds.map((id) =>
          id
            .split('.')
            .slice(0, parts - 1)
            .join('.'),
        ),
      ),
    ];
    const fixed = check
      .split('.')
      .slice(0, parts - 1)
      .join('.');
    const hint = fixed ? didYouMean(fixed, prefixes).replace(/\?\)$/, `.${check.split('.').at(-1)}?)`) : '';
    return `${check} matches no check in the catalogue${hint}; \`kubeposture checks\` lists the ids`;
  }
  if (checkIds.includes(check)) return undefined;
  if (check.length > 128) return 'no check in the catalogue has this id';
  return `unknown check id ${check}${didYouMean(check, checkIds)}; \`kubeposture checks\` lists the ids`;
}

export interface SuppressionOptions {
  /** The catalogue's check ids: each entry's `check` must name one of them or match one as a glob. */
  checkIds?: readonly string[];
}

const SuppressionFileSchema = z
  .object({
    suppressions: z
      .array(z.unknown())
      .max(MAX_SUPPRESSIONS, `at most ${MAX_SUPPRESSIONS.toLocaleString('en-US')} entries`)
      .default([]),
  })
  .strict();

export interface Suppression {
  check: string;
  resource: string;
  reason: string;
  owner: string;
  expires: string;
  /** The first instant it no longer applies: the day after `expires`, 00:00 UTC. */
  expiresAt: Date;
  /** Position in the file, so reports and errors can name the entry. */
  index: number;
}

/** What a finding shows when a suppression applies to it. */
export interface ActiveSuppression {
  /** `suppressions[2]` in the file. */
  index: number;
  check: string;
  resource: string;
  reason: string;
  owner: string;
  expires: string;
}

/**
 * Whether `text` matches `pattern`, where `*` matches any run of characters (newlines included) and `?` exactly one;
 * everything else is literal and case-sensitive. No RegExp is built from the pattern (a long one used to overflow
 * V8's regex compiler): the pattern is split at `*` into segments, the first must be a prefix, the last a suffix,
 * and each one between is taken at its leftmost occurrence, which is always safe for `*`-separated segments. Cost is
 * at most pattern length × text length, with no backtracking across stars.
 */
export function globMatch(pattern: string, text: string): boolean {
  const segments = pattern.split('*');
  if (segments.length === 1) return text.length === pattern.length && segmentAt(text, pattern, 0);
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  if (first.length + last.length > text.length) return false;
  if (!segmentAt(text, first, 0) || !segmentAt(text, last, text.length - last.length)) return false;
  let pos = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const seg = segments[i]!;
    if (seg === '') continue;
    const at = findSegment(text, seg, pos, end);
    if (at < 0) return false;
    pos = at + seg.length;
  }
  return true;
}

/** `seg` (literal characters and `?`) matches `text` at `at`. */
function segmentAt(text: string, seg: string, at: number): boolean {
  if (at < 0 || at + seg.length > text.length) return false;
  for (let i = 0; i < seg.length; i++) {
    const c = seg.charCodeAt(i);
    if (c !== 63 /* ? */ && c !== text.charCodeAt(at + i)) return false;
  }
  return true;
}

/** Leftmost position ≥ from where `seg` matches and ends by `end`, or -1. */
function findSegment(text: string, seg: string, from: number, end: number): number {
  if (!seg.includes('?')) {
    const at = text.indexOf(seg, from);
    return at >= 0 && at + seg.length <= end ? at : -1;
  }
  for (let at = from; at + seg.length <= end; at++) if (segmentAt(text, seg, at)) return at;
  return -1;
}

/** The first unexpired suppression matching the finding's check and resource, if any. */
export function matchSuppression(
  suppressions: readonly Suppression[],
  f: Pick<Finding, 'checkId' | 'resourceId'>,
  now: Date,
): ActiveSuppression | undefined {
  for (const s of suppressions) {
    if (s.expiresAt.getTime() <= now.getTime()) continue;
    if (globMatch(s.check, f.checkId) && globMatch(s.resource, f.resourceId)) {
      return {
        index: s.index,
        check: s.check,
        resource: s.resource,
        reason: s.reason,
        owner: s.owner,
        expires: s.expires,
      };
    }
  }
  return undefined;
}

/**
 * Validates a parsed suppression file. Throws ConfigError naming each bad entry
 * (`suppressions[2] (check EKS.ENDPOINT.1): expires: must be a date like 2026-12-31`), and with `checkIds` each
 * check no id of the catalogue answers to (`suppressions[0]: check: unknown check id EKS.LOGGNG.1 (did you mean
 * EKS.LOGGING.1?)`).
 */
export function parseSuppressions(
  raw: unknown,
  source = 'suppressions file',
  options: SuppressionOptions = {},
): Suppression[] {
  const file = SuppressionFileSchema.safeParse(raw ?? {}, { error: readableErrors });
  if (!file.success) {
    throw new ConfigError(
      `Invalid ${source}: it must be a mapping with a \`suppressions\` list (${file.error.issues.map((i) => i.message).join('; ')})`,
    );
  }
  const out: Suppression[] = [];
  const problems: { path: string; message: string }[] = [];
  file.data.suppressions.forEach((entry, index) => {
    const parsed = SuppressionEntrySchema.safeParse(entry, { error: suppressionErrors });
    if (!parsed.success) {
      // The check names the entry for a reader; a check too long to be valid is not echoed back.
      const id = entry && typeof entry === 'object' ? (entry as { check?: unknown }).check : undefined;
      const check = typeof id === 'string' && id.length <= 128 ? ` (check ${id})` : '';
      for (const i of parsed.error.issues) {
        problems.push({
          path: `suppressions[${index}]${check}`,
          message: `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`,
        });
      }
      return;
    }
    const d = parsed.data;
    const unknown = options.checkIds && unknownCheck(d.check, options.checkIds);
    if (unknown) {
      problems.push({ path: `suppressions[${index}]`, message: `check: ${unknown}` });
      return;
    }
    const end = new Date(`${d.expires}T00:00:00Z`);
    end.setUTCDate(end.getUTCDate() + 1);
    out.push({ ...d, expiresAt: end, index });
  });
  if (problems.length > 0) {
    throw new ConfigError(
      `Invalid ${source}:\n${problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n')}`,
      problems,
    );
  }
  return out;
}
