import { z } from 'zod';
import { ConfigError } from './errors.ts';
import type { Finding } from './finding.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

const SuppressionEntrySchema = z
  .object({
    /** A check id (`EKS.ENDPOINT.1`) or a glob over ids (`EKS.LOGGING.*`, `*`). */
    check: z.string().min(1),
    /** A glob over the finding's resource id (`*` matches any run of characters, `?` one). */
    resource: z.string().min(1),
    reason: z.string().min(3, 'say why the finding is accepted (at least 3 characters)'),
    owner: z.string().min(1, 'name who accepted the risk'),
    /** A date (`2026-12-31`): the suppression applies through the end of that day, UTC. */
    expires: z
      .string()
      .regex(DATE, 'must be a date like 2026-12-31 (every suppression expires; use a far date for a long one)')
      .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'is not a calendar date'),
  })
  .strict();

const SuppressionFileSchema = z
  .object({
    suppressions: z.array(z.unknown()).default([]),
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

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

const compiled = new WeakMap<Suppression, { check: RegExp; resource: RegExp }>();

function patterns(s: Suppression): { check: RegExp; resource: RegExp } {
  let p = compiled.get(s);
  if (!p) {
    p = { check: globToRegExp(s.check), resource: globToRegExp(s.resource) };
    compiled.set(s, p);
  }
  return p;
}

/** The first unexpired suppression matching the finding's check and resource, if any. */
export function matchSuppression(
  suppressions: readonly Suppression[],
  f: Pick<Finding, 'checkId' | 'resourceId'>,
  now: Date,
): ActiveSuppression | undefined {
  for (const s of suppressions) {
    if (s.expiresAt.getTime() <= now.getTime()) continue;
    const p = patterns(s);
    if (p.check.test(f.checkId) && p.resource.test(f.resourceId)) {
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
 * (`suppressions[2] (check EKS.ENDPOINT.1): expires: must be a date like 2026-12-31`).
 */
export function parseSuppressions(raw: unknown, source = 'suppressions file'): Suppression[] {
  const file = SuppressionFileSchema.safeParse(raw ?? {});
  if (!file.success) {
    throw new ConfigError(
      `Invalid ${source}: it must be a mapping with a \`suppressions\` list (${file.error.issues.map((i) => i.message).join('; ')})`,
    );
  }
  const out: Suppression[] = [];
  const problems: { path: string; message: string }[] = [];
  file.data.suppressions.forEach((entry, index) => {
    const parsed = SuppressionEntrySchema.safeParse(entry);
    if (!parsed.success) {
      const check =
        entry && typeof entry === 'object' && typeof (entry as { check?: unknown }).check === 'string'
          ? ` (check ${(entry as { check: string }).check})`
          : '';
      for (const i of parsed.error.issues) {
        problems.push({
          path: `suppressions[${index}]${check}`,
          message: `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`,
        });
      }
      return;
    }
    const d = parsed.data;
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
