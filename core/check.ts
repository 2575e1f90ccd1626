import * as z from 'zod';
import type { CheckSettings } from './config.ts';
import { SEVERITIES, type Severity } from './severity.ts';
import type {
  AksClusterSnapshot,
  ClusterSnapshot,
  EksClusterSnapshot,
  GkeClusterSnapshot,
  Provider,
} from './snapshot.ts';

export const RESULT_STATUSES = ['PASS', 'FAIL', 'ERROR', 'NOT_APPLICABLE'] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

/** Cross-cloud categories, so EKS, AKS and GKE findings line up side by side. */
export const CATEGORIES = [
  'endpoint',
  'access',
  'identity',
  'encryption',
  'logging',
  'nodes',
  'versions',
  'hygiene',
] as const;
export type Category = (typeof CATEGORIES)[number];

export interface CheckResult {
  status: ResultStatus;
  /** What the result is about: the cluster ARN, a node group ARN, an access entry ARN, ... */
  resourceId: string;
  /** One line, with the evidence: `publicAccessCidrs contains ::/0`. */
  message: string;
  evidence?: Record<string, unknown>;
  /** Overrides the check's severity for this result (e.g. worse with more lag). */
  severity?: Severity;
}

/** What a check may know besides the snapshot: the scan's clock and settings. */
export interface EvalContext {
  now: Date;
  settings: CheckSettings;
}

type SnapshotOf<P extends Provider> = Extract<ClusterSnapshot, { provider: P }>;

export const CheckMetaSchema = z.object({
  id: z.string().regex(/^(EKS|AKS|GKE)\.[A-Z]+\.\d+$/, 'id must look like EKS.ENDPOINT.1'),
  slug: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'slug must be kebab-case'),
  title: z
    .string()
    .min(10)
    .max(150)
    .refine((t) => !/^ensure\b/i.test(t), 'title states the good state, without "Ensure"'),
  provider: z.enum(['aws', 'azure', 'gcp']),
  service: z.string().min(1),
  severity: z.enum(SEVERITIES),
  category: z.enum(CATEGORIES),
  /** API actions / data sources the check reads: drives least-privilege IAM and gap → ERROR. */
  needs: z.array(z.string().regex(/^[a-z0-9-]+:[A-Za-z0-9-]+$/)).min(1),
  /** The API response fields the verdict is read from, newest first, so drift against the API is reviewable. */
  reads: z.array(z.string().min(1)).optional(),
  frameworks: z.record(z.string(), z.array(z.string())).default({}),
  risk: z.string().min(20),
  remediation: z.object({ text: z.string().min(10), cli: z.string().optional(), url: z.string().url().optional() }),
  references: z.array(z.string().url()).min(1),
  /** Why the severity is what it is: shown in reports, so reviewers can disagree with it. */
  severityRationale: z.string().min(10),
});

export type CheckMeta = z.infer<typeof CheckMetaSchema>;

export interface Check<P extends Provider = Provider> extends CheckMeta {
  provider: P;
  evaluate(snapshot: SnapshotOf<P>, ctx: EvalContext): CheckResult[];
}

/**
 * A check of any provider: a distributive union (`Check<'aws'> | Check<'azure'> | Check<'gcp'>`), so the
 * registry holds all clouds while narrowing on `provider` still types `evaluate`'s snapshot.
 */
export type AnyCheck = { [P in Provider]: Check<P> }[Provider];

/** Runs a check on a snapshot of the same provider; undefined when they differ, so a check never sees another cloud. */
export function evaluateMatching(check: AnyCheck, s: ClusterSnapshot, ctx: EvalContext): CheckResult[] | undefined {
  if (check.provider !== s.provider) return undefined;
  // Sound: the tags are equal, and each union member pairs Check<P> with SnapshotOf<P>.
  return (check as Check<Provider>).evaluate(s as never, ctx);
}

/** Declares a check; the identity function, typed, so a check file reads as metadata plus one pure function. */
export function defineCheck<P extends Provider>(check: Check<P>): Check<P> {
  return check;
}

export type { AksClusterSnapshot, EksClusterSnapshot, GkeClusterSnapshot };
