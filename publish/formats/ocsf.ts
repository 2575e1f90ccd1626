import type { CheckMeta } from '../../core/check.ts';
import type { ComplianceReport } from '../../core/compliance.ts';
import { type Finding, findingId } from '../../core/finding.ts';
import type { FindingLifecycle, FindingRef } from '../../core/lifecycle.ts';
import type { ScanReport } from '../../core/report.ts';
import type { Severity } from '../../core/severity.ts';

/** The OCSF version the events declare (and the tests validate against). */
export const OCSF_VERSION = '1.6.0';
const CLASS_UID = 2003; // Findings (2) × 1000 + Compliance Finding (3)
const CATEGORY_UID = 2;

const SEVERITY_ID: Record<Severity, { id: number; name: string }> = {
  info: { id: 1, name: 'Informational' },
  low: { id: 2, name: 'Low' },
  medium: { id: 3, name: 'Medium' },
  high: { id: 4, name: 'High' },
  critical: { id: 5, name: 'Critical' },
};

const ACTIVITY = { 1: 'Create', 2: 'Update', 3: 'Close' } as const;
type ActivityId = keyof typeof ACTIVITY;

/** `compliance.status_id`: 1 Pass, 2 Warning ("did not yield a result due to missing information"), 3 Fail, 99 Other. */
const COMPLIANCE_STATUS = {
  PASS: { id: 1, name: 'Pass' },
  ERROR: { id: 2, name: 'Warning' },
  FAIL: { id: 3, name: 'Fail' },
  NOT_APPLICABLE: { id: 99, name: 'Not Applicable' },
} as const;

const CLOUD_PROVIDER = { aws: 'AWS', azure: 'Azure', gcp: 'GCP' } as const;

/** An OCSF 1.6 Compliance Finding (class 2003), limited to the attributes kubeposture fills. */
export interface OcsfComplianceFinding {
  class_uid: 2003;
  class_name: 'Compliance Finding';
  category_uid: 2;
  category_name: 'Findings';
  activity_id: ActivityId;
  activity_name: string;
  type_uid: number;
  type_name: string;
  severity_id: number;
  severity: string;
  status_id?: number;
  status?: string;
  time: number;
  message: string;
  metadata: {
    version: string;
    product: { name: string; vendor_name: string; version: string };
    event_code: string;
    correlation_uid: string;
  };
  finding_info: {
    uid: string;
    title: string;
    desc: string;
    types: string[];
    first_seen_time?: number;
    last_seen_time?: number;
  };
  compliance: {
    control: string;
    standards: string[];
    requirements?: string[];
    status_id: number;
    status: string;
    status_detail: string;
  };
  resources: { uid: string; name: string; type: string; region: string; cloud_partition?: string }[];
  cloud: { provider: string; region: string; account: { uid: string } };
  remediation?: { desc: string; references?: string[] };
  unmapped: Record<string, unknown>;
}

const ms = (iso: string) => Date.parse(iso);

function activityOf(l: FindingLifecycle | undefined): ActivityId {
  if (!l || l.state === 'new') return 1;
  return l.state === 'resolved' ? 3 : 2;
}

/** The finding's workflow status: OCSF `status_id` 1 New, 3 Suppressed, 4 Resolved; none for never-failed results. */
function statusOf(l: FindingLifecycle | undefined): { id: number; name: string } | undefined {
  if (!l) return undefined;
  if (l.suppressed) return { id: 3, name: 'Suppressed' };
  if (l.state === 'resolved') return { id: 4, name: 'Resolved' };
  return { id: 1, name: 'New' };
}

function resourceType(f: Pick<Finding, 'provider' | 'resourceId' | 'clusterId'>): string {
  if (f.provider === 'aws' && f.resourceId === f.clusterId) return 'AWS::EKS::Cluster';
  if (f.provider === 'aws' && f.resourceId.includes(':nodegroup/')) return 'AWS::EKS::Nodegroup';
  return 'Other';
}

function event(
  f: Finding,
  report: ScanReport,
  meta: CheckMeta | undefined,
  extra: Record<string, unknown> = {},
): OcsfComplianceFinding {
  const activity = activityOf(f.lifecycle);
  const sev = SEVERITY_ID[f.severity];
  const compliance = COMPLIANCE_STATUS[f.status];
  const status = statusOf(f.lifecycle);
  const requirements = meta
    ? Object.entries(meta.frameworks).flatMap(([fw, ids]) => ids.map((id) => `${fw} ${id}`))
    : [];
  const out: OcsfComplianceFinding = {
    class_uid: CLASS_UID,
    class_name: 'Compliance Finding',
    category_uid: CATEGORY_UID,
    category_name: 'Findings',
    activity_id: activity,
    activity_name: ACTIVITY[activity],
    type_uid: CLASS_UID * 100 + activity,
    type_name: `Compliance Finding: ${ACTIVITY[activity]}`,
    severity_id: sev.id,
    severity: sev.name,
    time: ms(report.scan.startedAt),
    message: f.message,
    metadata: {
      version: OCSF_VERSION,
      product: { name: report.tool.name, vendor_name: 'kubeposture', version: report.tool.version },
      event_code: f.checkId,
      correlation_uid: report.scan.id,
    },
    finding_info: { uid: f.id, title: f.title, desc: f.message, types: [f.category] },
    compliance: {
      control: f.checkId,
      standards: meta && Object.keys(meta.frameworks).length > 0 ? Object.keys(meta.frameworks) : ['kubeposture'],
      status_id: compliance.id,
      status: compliance.name,
      status_detail: f.message,
    },
    resources: [
      {
        uid: f.resourceId,
        name: f.resourceId === f.clusterId ? f.clusterName : f.resourceId,
        type: resourceType(f),
        region: f.region,
        ...(f.provider === 'aws' ? { cloud_partition: f.resourceId.split(':')[1] ?? 'aws' } : {}),
      },
    ],
    cloud: { provider: CLOUD_PROVIDER[f.provider], region: f.region, account: { uid: f.accountId } },
    unmapped: {
      kubeposture: {
        result: f.status,
        clusterId: f.clusterId,
        clusterName: f.clusterName,
        evidence: f.evidence,
        ...(f.lifecycle ? { lifecycle: f.lifecycle } : {}),
        ...extra,
      },
    },
  };
  if (status) {
    out.status_id = status.id;
    out.status = status.name;
  }
  if (requirements.length) out.compliance.requirements = requirements;
  if (f.lifecycle) {
    out.finding_info.first_seen_time = ms(f.lifecycle.firstSeen);
    out.finding_info.last_seen_time = ms(f.lifecycle.lastSeen);
  }
  if (meta) out.remediation = { desc: meta.remediation.text, references: meta.references };
  return out;
}

/** A finding resolved because its resource is gone: a Close event built from the stored state. */
function closedRef(r: FindingRef): Finding {
  return {
    id: r.id,
    checkId: r.checkId,
    title: r.title,
    category: r.category,
    severity: r.severity,
    status: 'PASS',
    provider: r.provider,
    accountId: r.accountId,
    region: r.region,
    clusterName: r.clusterName,
    clusterId: r.clusterId,
    resourceId: r.resourceId,
    message: r.reason ?? 'resolved',
    evidence: {},
    lifecycle: { state: 'resolved', firstSeen: r.firstSeen, lastSeen: r.lastSeen },
  };
}

/**
 * Every result of the scan as an OCSF Compliance Finding, plus a Close event for each finding
 * resolved because its resource is gone. Pure function of the report and the check catalogue.
 */
export function toOcsf(report: ScanReport, catalogue: readonly CheckMeta[] = []): OcsfComplianceFinding[] {
  const ocsf = ocsfEvents(catalogue);
  const reported = new Set(report.findings.map((f) => f.id));
  return [
    ...report.findings.map((f) => ocsf.event(f, report)),
    ...ocsf.closures(report, reported),
    ...(report.compliance ?? []).flatMap((c) => controlEvents(c, report, catalogue)),
  ];
}

/**
 * With `--compliance`: one Compliance Finding per benchmark control a check judges, per cluster, its verdict in
 * `compliance.status` (Pass, Fail, Warning for ERROR, Other for NOT_APPLICABLE) and the control in
 * `compliance.control` / `standards` / `requirements`. Severity is that of the worst mapped check when the control
 * fails, Informational otherwise. Controls no check judges have no verdict, so no event (the JSON report lists them).
 */
export function controlEvents(
  rep: ComplianceReport,
  report: ScanReport,
  catalogue: readonly CheckMeta[],
): OcsfComplianceFinding[] {
  const metaById = new Map(catalogue.map((c) => [c.id, c]));
  const b = rep.benchmark;
  return rep.controls.flatMap((c) =>
    c.clusters.map((cl) => {
      const worst = c.checks
        .map((id) => metaById.get(id)?.severity)
        .filter((s): s is Severity => s !== undefined)
        .sort((x, y) => SEVERITY_ID[y].id - SEVERITY_ID[x].id)[0];
      const sev = SEVERITY_ID[cl.verdict === 'FAIL' && worst ? worst : 'info'];
      const status = COMPLIANCE_STATUS[cl.verdict];
      const why = [
        cl.failing.length ? `failing: ${cl.failing.join(', ')}` : '',
        cl.errors.length ? `not collected: ${cl.errors.join(', ')}` : '',
        cl.missing.length ? `no result (check not run): ${cl.missing.join(', ')}` : '',
        cl.acceptedRisk ? 'every failure suppressed (accepted risk)' : '',
      ].filter(Boolean);
      const detail = `${b.id} ${c.id} ${cl.verdict}${why.length ? `: ${why.join('; ')}` : ''}`;
      const partition = cl.provider === 'aws' ? { cloud_partition: cl.clusterId.split(':')[1] ?? 'aws' } : {};
      return {
        class_uid: CLASS_UID,
        class_name: 'Compliance Finding',
        category_uid: CATEGORY_UID,
        category_name: 'Findings',
        activity_id: 1,
        activity_name: ACTIVITY[1],
        type_uid: CLASS_UID * 100 + 1,
        type_name: `Compliance Finding: ${ACTIVITY[1]}`,
        severity_id: sev.id,
        severity: sev.name,
        time: ms(report.scan.startedAt),
        message: `${c.title}: ${detail}`,
        metadata: {
          version: OCSF_VERSION,
          product: { name: report.tool.name, vendor_name: 'kubeposture', version: report.tool.version },
          event_code: `${b.id} ${c.id}`,
          correlation_uid: report.scan.id,
        },
        finding_info: {
          uid: findingId(`${b.id} ${c.id}`, cl.clusterId),
          title: `${b.title} ${b.version} ${c.id}: ${c.title}`,
          desc: c.guidance ?? c.title,
          types: ['compliance'],
        },
        compliance: {
          control: c.id,
          standards: [b.id],
          requirements: [`${b.id} ${c.id}`],
          status_id: status.id,
          status: status.name,
          status_detail: detail,
        },
        resources: [
          {
            uid: cl.clusterId,
            name: cl.clusterName,
            type: cl.provider === 'aws' ? 'AWS::EKS::Cluster' : 'Other',
            region: cl.region,
            ...partition,
          },
        ],
        cloud: { provider: CLOUD_PROVIDER[cl.provider], region: cl.region, account: { uid: cl.accountId } },
        unmapped: {
          kubeposture: {
            result: cl.verdict,
            benchmark: b,
            checks: c.checks,
            clusterId: cl.clusterId,
            clusterName: cl.clusterName,
            failing: cl.failing,
            errors: cl.errors,
            missing: cl.missing,
            suppressedFails: cl.suppressedFails,
            acceptedRisk: cl.acceptedRisk,
          },
        },
      } satisfies OcsfComplianceFinding;
    }),
  );
}

/**
 * `toOcsf` a finding at a time, for a report streamed to a file: `event` for each finding, then `closures` for the
 * findings resolved because their resource is gone (`reported`: the ids the scan reported among them).
 */
export function ocsfEvents(catalogue: readonly CheckMeta[]) {
  const metaById = new Map(catalogue.map((c) => [c.id, c]));
  return {
    event: (f: Finding, report: ScanReport) => event(f, report, metaById.get(f.checkId)),
    closures: (report: ScanReport, reported: { has(id: string): boolean }) =>
      (report.delta?.resolved ?? [])
        .filter((r) => !reported.has(r.id))
        .map((r) => event(closedRef(r), report, metaById.get(r.checkId), { gone: true })),
  };
}
