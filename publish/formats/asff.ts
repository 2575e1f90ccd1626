import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { CheckMeta } from '../../core/check.ts';
import type { Finding } from '../../core/finding.ts';
import type { FindingIdentity, FindingRef } from '../../core/lifecycle.ts';
import type { ScanReport } from '../../core/report.ts';
import type { Severity } from '../../core/severity.ts';

export const ASFF_SCHEMA_VERSION = '2018-10-08';

const LABEL: Record<Severity, 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL'> = {
  info: 'INFORMATIONAL',
  low: 'LOW',
  medium: 'MEDIUM',
  high: 'HIGH',
  critical: 'CRITICAL',
};

/** ASFF field limits (Security Hub rejects longer values). */
const MAX = { title: 256, description: 1024, recommendation: 512, requirements: 32 } as const;

export interface AsffOptions {
  /**
   * Stamp every finding with this account (the security account) instead of the finding's own:
   * BatchImportFindings only accepts findings for the calling account. AKS and GKE findings always use it.
   */
  accountId?: string;
  /** The Security Hub region imported into; defaults to the finding's region. */
  region?: string;
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

type Lifecycled = FindingIdentity & {
  firstSeen: string;
  lastSeen: string;
  active: boolean;
  suppressed?: string;
  lifecycle: string;
};

function asff(x: Lifecycled, report: ScanReport, meta: CheckMeta | undefined, o: AsffOptions): AwsSecurityFinding {
  const account = x.provider === 'aws' && !o.accountId ? x.accountId : (o.accountId ?? x.accountId);
  const region = o.region ?? (x.provider === 'aws' ? x.region : 'us-east-1');
  const partition = x.provider === 'aws' ? (x.resourceId.split(':')[1] ?? 'aws') : 'aws';
  const requirements = meta
    ? Object.entries(meta.frameworks)
        .flatMap(([fw, ids]) => ids.map((id) => `${fw} ${id}`))
        .slice(0, MAX.requirements)
    : [];
  const productFields: Record<string, string> = {
    'kubeposture/CheckId': x.checkId,
    'kubeposture/Lifecycle': x.lifecycle,
    'kubeposture/ScanId': report.scan.id,
    'kubeposture/Cloud': x.provider,
    'kubeposture/ClusterName': x.clusterName,
  };
  if (x.suppressed) productFields['kubeposture/Suppressed'] = x.suppressed;
  const eksCluster = x.provider === 'aws' && x.resourceId === x.clusterId;
  const finding: AwsSecurityFinding = {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: x.id,
    ProductArn: `arn:${partition}:securityhub:${region}:${account}:product/${account}/default`,
    GeneratorId: `kubeposture/${x.checkId}`,
    AwsAccountId: account,
    Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
    CreatedAt: x.firstSeen,
    UpdatedAt: report.scan.startedAt,
    FirstObservedAt: x.firstSeen,
    LastObservedAt: x.lastSeen,
    Severity: { Label: LABEL[x.severity], Original: x.severity },
    FindingProviderFields: {
      Severity: { Label: LABEL[x.severity], Original: x.severity },
      Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
    },
    Title: clip(x.title, MAX.title),
    Description: clip(x.message, MAX.description),
    Resources: [
      {
        Type: eksCluster ? 'AwsEksCluster' : 'Other',
        Id: x.resourceId,
        Partition: partition === 'aws-us-gov' ? 'aws-us-gov' : partition === 'aws-cn' ? 'aws-cn' : 'aws',
        Region: x.provider === 'aws' ? x.region : region,
        ...(eksCluster
          ? {}
          : {
              Details: {
                Other: { cloud: x.provider, account: x.accountId, location: x.region, cluster: x.clusterName },
              },
            }),
      },
    ],
    Compliance: {
      Status: x.active ? 'FAILED' : 'PASSED',
      ...(requirements.length ? { RelatedRequirements: requirements } : {}),
    },
    RecordState: x.active ? 'ACTIVE' : 'ARCHIVED',
    ProductFields: productFields,
  };
  if (meta) {
    finding.Remediation = {
      Recommendation: {
        Text: clip(meta.remediation.text, MAX.recommendation),
        ...(meta.remediation.url ? { Url: meta.remediation.url } : {}),
      },
    };
  }
  return finding;
}

function fromFinding(f: Finding): Lifecycled {
  const l = f.lifecycle!;
  return {
    ...f,
    firstSeen: l.firstSeen,
    lastSeen: l.lastSeen,
    active: l.state !== 'resolved',
    lifecycle: l.stale ? `${l.state} (stale)` : l.state,
    ...(l.suppressed
      ? { suppressed: `${l.suppressed.reason} (owner ${l.suppressed.owner}, until ${l.suppressed.expires})` }
      : {}),
  };
}

function fromRef(r: FindingRef): Lifecycled {
  return { ...r, active: false, lifecycle: 'resolved', message: r.reason ?? r.message };
}

/**
 * Findings for Security Hub CSPM: every finding with a lifecycle (open ones ACTIVE/FAILED, those
 * resolved in this scan ARCHIVED/PASSED), so the stable id updates one finding over time. Results
 * that never failed are not sent. Pure function of the reconciled report.
 */
export function toAsff(
  report: ScanReport,
  catalogue: readonly CheckMeta[] = [],
  options: AsffOptions = {},
): AwsSecurityFinding[] {
  const metaById = new Map(catalogue.map((c) => [c.id, c]));
  const out = report.findings
    .filter((f) => f.lifecycle)
    .map((f) => asff(fromFinding(f), report, metaById.get(f.checkId), options));
  const reported = new Set(report.findings.map((f) => f.id));
  for (const r of report.delta?.resolved ?? []) {
    if (!reported.has(r.id)) out.push(asff(fromRef(r), report, metaById.get(r.checkId), options));
  }
  return out;
}
