import type { ClusterVersionInformation } from '@aws-sdk/client-eks';
import type { CheckResult, EksClusterSnapshot } from '../../../core/check.ts';
import type { CheckSettings } from '../../../core/config.ts';
import { memoize } from '../../lib/memo.ts';
import { clusterResult, missingField } from './results.ts';

const DAY_MS = 86_400_000;

/** Calendar days (UTC) from `from` to `to`; negative when `to` is earlier. Dates in messages are UTC days too. */
export function daysBetween(from: Date, to: Date): number {
  return Math.round((utcDay(to) - utcDay(from)) / DAY_MS);
}

function utcDay(d: Date): number {
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

// The same few calendar and release dates recur in every snapshot: format each once. An invalid date throws here
// as toISOString does (and is not cached).
const isoDayOf = memoize((time: number) => new Date(time).toISOString().slice(0, 10));

/** `2026-03-23`: calendar dates in messages, without times. */
export function isoDay(d: Date): string {
  return isoDayOf(d.getTime());
}

const minorOfText = memoize((v: string): readonly [number, number] | undefined => {
  const m = /^(\d+)\.(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
});

/** `1.31` → [1, 31]; anything else → undefined. Parsed once per distinct text; read-only. */
export function parseMinor(v: string | undefined): readonly [number, number] | undefined {
  return minorOfText(v ?? '');
}

/** Minor versions from `a` up to `b` (same major assumed, as for every Kubernetes 1.x). */
export function minorsBehind(a: string, b: string): number | undefined {
  const pa = parseMinor(a);
  const pb = parseMinor(b);
  return pa && pb && pa[0] === pb[0] ? pb[1] - pa[1] : undefined;
}

export interface CalendarEntry {
  info: ClusterVersionInformation;
  endOfStandardSupport: Date;
  endOfExtendedSupport: Date;
}

/** The calendar's entry for a version, with both end dates, or a reason why it cannot be judged. */
export function calendarEntry(s: EksClusterSnapshot, version: string): CalendarEntry | { missing: string } {
  const info = s.references.versions.versions.find((v) => v.clusterVersion === version);
  if (!info) return { missing: `Kubernetes ${version} is not in the EKS version calendar${sourceNote(s)}` };
  if (!info.endOfStandardSupportDate || !info.endOfExtendedSupportDate)
    return { missing: `the EKS version calendar gives no end-of-support dates for ${version}${sourceNote(s)}` };
  return {
    info,
    endOfStandardSupport: new Date(info.endOfStandardSupportDate),
    endOfExtendedSupport: new Date(info.endOfExtendedSupportDate),
  };
}

/**
 * The cluster's Kubernetes version and its calendar entry, or the one ERROR result saying why `what` cannot be
 * judged (no DescribeCluster data, no version, or a version the calendar does not know).
 */
export function clusterCalendar(
  s: EksClusterSnapshot,
  what: string,
): { version: string; entry: CalendarEntry } | { result: CheckResult } {
  if (!s.cluster) return { result: missingField(s, 'cluster', what) };
  const version = s.cluster.version;
  if (!version) return { result: missingField(s, 'cluster.version', what) };
  const entry = calendarEntry(s, version);
  if ('missing' in entry)
    return { result: clusterResult(s, 'ERROR', `Cannot judge ${what}: ${entry.missing}`, calendarEvidence(s)) };
  return { version, entry };
}

/** Empty for API data; otherwise says, in the message, that the dated fallback calendar was used and why. */
export function sourceNote(s: EksClusterSnapshot): string {
  const v = s.references.versions;
  return v.source === 'api'
    ? ''
    : ` (dates from kubeposture's fallback calendar retrieved ${v.retrieved ?? 'on an unknown date'}, because ${v.error ?? 'DescribeClusterVersions was unavailable'})`;
}

/** Evidence naming where the dates came from. */
export function calendarEvidence(s: EksClusterSnapshot): Record<string, unknown> {
  const v = s.references.versions;
  return v.source === 'api'
    ? { calendarSource: 'eks:DescribeClusterVersions' }
    : { calendarSource: 'fallback', fallbackRetrieved: v.retrieved, fallbackReason: v.error };
}

/** The extra monthly cost of extended support, from the configured hourly prices (730 hours a month). */
export function extendedSupportCost(settings: CheckSettings): string {
  const { standardSupportHourlyUsd: std, extendedSupportHourlyUsd: ext } = settings.versions;
  const monthly = Math.round((ext - std) * 730);
  return `$${ext.toFixed(2)} per cluster hour instead of $${std.toFixed(2)} (about $${monthly} more per month)`;
}

/**
 * `v1.19.2-eksbuild.1` → [1, 19, 2, 1]: numeric parts, so versions compare as numbers. Parsed once per distinct
 * text (sorting an add-on's versions compared each many times); read-only.
 */
export const versionParts: (v: string) => readonly number[] = memoize((v: string) =>
  (v.match(/\d+/g) ?? []).map(Number),
);

export function compareVersions(a: string, b: string): number {
  const pa = versionParts(a);
  const pb = versionParts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
