import { type Finding, findingId } from '../core/finding.ts';
import { type FindingState, reconcile } from '../core/lifecycle.ts';
import { REPORT_SCHEMA_VERSION, type ScanReport, summarize, type TargetSummary } from '../core/report.ts';
import { parseSuppressions } from '../core/suppressions.ts';
import type { TargetError } from '../core/target.ts';

/** Builders for findings and reports, shared by the lifecycle, store, format and sink tests. */
export const ACCOUNT = '111111111111';
export const REGION = 'us-east-1';

export const clusterArn = (name: string, account = ACCOUNT, region = REGION) =>
  `arn:aws:eks:${region}:${account}:cluster/${name}`;

export function aFinding(over: Partial<Finding> & { cluster?: string } = {}): Finding {
  const { cluster = 'prod', ...rest } = over;
  const accountId = rest.accountId ?? ACCOUNT;
  const region = rest.region ?? REGION;
  const clusterId = rest.clusterId ?? clusterArn(cluster, accountId, region);
  const checkId = rest.checkId ?? 'EKS.ENDPOINT.1';
  const resourceId = rest.resourceId ?? clusterId;
  return {
    id: findingId(checkId, resourceId),
    checkId,
    title: 'EKS API server endpoint is not open to the whole internet',
    category: 'endpoint',
    severity: 'high',
    status: 'FAIL',
    provider: 'aws',
    accountId,
    region,
    clusterName: cluster,
    clusterId,
    resourceId,
    message: `${checkId} on ${cluster}: publicAccessCidrs contains 0.0.0.0/0`,
    evidence: {},
    ...rest,
  };
}

let scanNo = 0;

/** A report of these findings; the scan id and time advance by a minute per call unless given. */
export function aReport(
  findings: Finding[],
  opts: { id?: string; at?: string; targets?: TargetSummary[]; errors?: TargetError[] } = {},
): ScanReport {
  scanNo++;
  // Minutes apart and increasing: scans are judged in start order (a scan older than the state changes nothing).
  const at = opts.at ?? new Date(Date.UTC(2026, 5, 1) + scanNo * 60_000).toISOString();
  const targets = opts.targets ?? [
    { provider: 'aws', accountId: ACCOUNT, region: REGION, status: 'scanned', clusters: 1 },
  ];
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'kubeposture', version: 'test' },
    scan: { id: opts.id ?? `scan-${String(scanNo).padStart(4, '0')}`, startedAt: at, finishedAt: at, trigger: 'test' },
    summary: summarize(findings, targets),
    targets,
    errors: opts.errors ?? [],
    findings,
  };
}

/**
 * A second scan's reconciled report with every lifecycle case: new, regressed, persisting, resolved
 * (passing, and gone with its node group), suppressed, stale (ERROR), and a never-failed PASS.
 */
export function aReconciledReport(extraNew: Finding[] = []): ScanReport {
  const now = new Date('2026-06-01T12:00:00Z');
  const suppressions = parseSuppressions({
    suppressions: [
      {
        check: 'EKS.LOGGING.1',
        resource: '*:cluster/sandbox',
        reason: 'sandbox, no data',
        owner: 'platform',
        expires: '2099-01-01',
      },
    ],
  });
  const persisting = aFinding({ checkId: 'EKS.ENDPOINT.1', cluster: 'prod' });
  const fixed = aFinding({ checkId: 'EKS.ENCRYPTION.1', cluster: 'prod', severity: 'medium' });
  const flapping = aFinding({ checkId: 'EKS.ENDPOINT.2', cluster: 'prod', severity: 'medium' });
  const nodegroup = aFinding({
    checkId: 'EKS.NODES.1',
    cluster: 'prod',
    resourceId: `${clusterArn('prod').replace(':cluster/', ':nodegroup/')}/legacy/1a2b`,
    severity: 'low',
  });
  const unread = aFinding({ checkId: 'EKS.LOGGING.1', cluster: 'prod', severity: 'medium' });
  const fresh = aFinding({
    checkId: 'EKS.ENDPOINT.1',
    cluster: 'sandbox',
    severity: 'critical',
    message: 'Public endpoint <open> to "0.0.0.0/0" & ::/0',
  });
  const suppressed = aFinding({ checkId: 'EKS.LOGGING.1', cluster: 'sandbox', severity: 'medium' });
  const pass = aFinding({ checkId: 'EKS.ENCRYPTION.1', cluster: 'sandbox', status: 'PASS', message: 'KMS key set' });
  const nodesPass = aFinding({
    checkId: 'EKS.NODES.1',
    cluster: 'prod',
    status: 'PASS',
    message: 'all node groups fine',
  });
  const targets: TargetSummary[] = [
    { provider: 'aws', accountId: ACCOUNT, region: REGION, status: 'partial', clusters: 2 },
  ];
  let state: FindingState[] = [];
  for (const r of [
    aReport([persisting, fixed, flapping, nodegroup, unread], {
      id: '20260531T080000Z-000001',
      at: '2026-05-31T08:00:00.000Z',
      targets,
    }),
    aReport([persisting, fixed, { ...flapping, status: 'PASS' }, nodegroup, unread], {
      id: '20260531T200000Z-000002',
      at: '2026-05-31T20:00:00.000Z',
      targets,
    }),
  ]) {
    state = reconcile(state, r, { now, suppressions }).nextState;
  }
  const current = aReport(
    [
      fresh,
      ...extraNew,
      flapping,
      persisting,
      suppressed,
      {
        ...unread,
        status: 'ERROR',
        message: 'Could not collect what this check needs (eks:DescribeCluster: Throttled)',
      },
      { ...fixed, status: 'PASS', message: 'secrets encrypted with a customer-managed KMS key' },
      pass,
      nodesPass,
    ],
    { id: '20260601T080000Z-000003', at: '2026-06-01T08:00:00.000Z', targets },
  );
  return reconcile(state, current, { now, suppressions }).report;
}
