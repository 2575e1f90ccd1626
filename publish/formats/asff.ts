import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { CheckMeta } from '../../core/check.ts';
import { ConfigError } from '../../core/errors.ts';
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
   * The Security Hub account imported into: every finding is stamped with it (`AwsAccountId`, ProductArn), as
   * BatchImportFindings only accepts findings of the calling account. Required when there are AKS or GKE findings,
   * which have no AWS account of their own; without it AWS findings keep their own account.
   */
  accountId?: string;
  /** The Security Hub region imported into; defaults to the AWS finding's region, us-east-1 for the others. */
  region?: string;
}

/** ASFF's required fields (Security Hub CSPM, `2018-10-08`): an import without one of them is rejected. */
export const ASFF_REQUIRED = [
  'SchemaVersion',
  'Id',
  'ProductArn',
  'GeneratorId',
  'AwsAccountId',
  'Types',
  'CreatedAt',
  'UpdatedAt',
  'Severity',
  'Title',
  'Description',
  'Resources',
] as const;

/** The partition of an AWS region name (`cn-north-1` → `aws-cn`). */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  const iso = /^[a-z]{2}-iso([a-z]?)-/.exec(region);
  if (iso) return iso[1] ? `aws-iso-${iso[1]}` : 'aws-iso';
  return 'aws';
}

/**
 * Why Security Hub would refuse this finding, or nothing: the required fields, a 12-digit account that is also the
 * ProductArn's, the private-product ARN shape, field lengths and ISO times. For tests and callers that want to refuse
 * an unimportable file before sending it.
 */
export function asffProblems(f: AwsSecurityFinding): string[] {
  const out: string[] = [];
  const record = f as unknown as Record<string, unknown>;
  for (const k of ASFF_REQUIRED) {
    const v = record[k];
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) out.push(`${k} is required`);
  }
  if (f.AwsAccountId !== undefined && !/^\d{12}$/.test(f.AwsAccountId))
    out.push('AwsAccountId is not a 12-digit AWS account id');
  const arn = /^arn:(aws[a-z-]*):securityhub:([a-z0-9-]+):(\d{12}):product\/(\d{12})\/default$/.exec(
    f.ProductArn ?? '',
  );
  if (f.ProductArn !== undefined && !arn)
    out.push('ProductArn is not arn:<partition>:securityhub:<region>:<account>:product/<account>/default');
  if (arn && (arn[3] !== f.AwsAccountId || arn[4] !== f.AwsAccountId))
    out.push('ProductArn names another account than AwsAccountId');
  if (arn && partitionOf(arn[2]!) !== arn[1]) out.push('ProductArn partition does not match its region');
  if (f.Severity && !f.Severity.Label && f.Severity.Normalized === undefined) out.push('Severity needs a Label');
  for (const k of ['CreatedAt', 'UpdatedAt', 'FirstObservedAt', 'LastObservedAt'] as const) {
    const v = f[k];
    if (v !== undefined && Number.isNaN(Date.parse(v))) out.push(`${k} is not an ISO 8601 time`);
  }
  if ((f.Title?.length ?? 0) > MAX.title) out.push(`Title is longer than ${MAX.title}`);
  if ((f.Description?.length ?? 0) > MAX.description) out.push(`Description is longer than ${MAX.description}`);
  if ((f.Id?.length ?? 0) > 512) out.push('Id is longer than 512');
  f.Resources?.forEach((r, i) => {
    if (!r.Type || !r.Id) out.push(`Resources[${i}] needs Type and Id`);
    if (r.Partition && !['aws', 'aws-cn', 'aws-us-gov'].includes(r.Partition))
      out.push(`Resources[${i}].Partition is not valid`);
  });
  return out;
}

function resourcePartition(p: string): 'aws' | 'aws-cn' | 'aws-us-gov' {
  return p === 'aws-us-gov' || p === 'aws-cn' ? p : 'aws';
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
  if (x.provider !== 'aws' && !o.accountId) {
    throw new ConfigError(
      `ASFF for ${x.provider === 'azure' ? 'AKS' : 'GKE'} findings needs the Security Hub account they are imported into: ` +
        'pass --securityhub-account <12-digit id> or set securityHub.accountId',
    );
  }
  const account = o.accountId ?? x.accountId;
  const region = o.region ?? (x.provider === 'aws' ? x.region : 'us-east-1');
  const ownPartition = x.provider === 'aws' ? (x.resourceId.split(':')[1] ?? 'aws') : 'aws';
  // The ProductArn lives where the findings are imported: the named region's partition, else the resource's.
  const partition = o.region ? partitionOf(o.region) : ownPartition;
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
    // The cloud's own account, subscription or project, whatever account the finding is stamped with.
    'kubeposture/AccountId': x.accountId,
    'kubeposture/Location': x.region,
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
        // ASFF knows three resource partitions; an AKS or GKE resource is filed under the importing one's.
        Partition: resourcePartition(x.provider === 'aws' ? ownPartition : partition),
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
