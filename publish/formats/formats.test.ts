import { readFile } from 'node:fs/promises';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { frameworkById } from '../../checks/frameworks/index.ts';
import { checks } from '../../checks/index.ts';
import { complianceReports } from '../../core/compliance.ts';
import { findingId } from '../../core/finding.ts';
import { aFinding, aReconciledReport, clusterArn } from '../../test/findings.ts';
import { ASFF_REQUIRED, asffProblems, partitionOf, toAsff } from './asff.ts';
import { toOcsf } from './ocsf.ts';

const report = aReconciledReport();
const byCheck = (checkId: string, cluster: string) =>
  report.findings.find((f) => f.checkId === checkId && f.clusterId === clusterArn(cluster))!;

describe('the reconciled fixture', () => {
  it('has every lifecycle case the formats must render', () => {
    expect(report.delta?.counts).toEqual({
      new: 1,
      regressed: 1,
      persisting: 1,
      resolved: 2,
      stale: 1,
      suppressed: 1,
      open: 5,
    });
  });
});

/** A validator of the OCSF 1.6.0 Compliance Finding schema committed as test data. */
async function ocsfValidator() {
  const schema = JSON.parse(
    await readFile(new URL('../../test/data/ocsf-1.6.0-compliance-finding.schema.json', import.meta.url), 'utf8'),
  );
  const ajv = new Ajv2020.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

describe('OCSF Compliance Finding (class 2003)', () => {
  it('validates every event against the OCSF 1.6.0 class schema committed as test data', async () => {
    const validate = await ocsfValidator();
    const events = toOcsf(report, checks);
    expect(events.length).toBe(report.findings.length + 1); // plus the Close of the node group that is gone
    for (const e of events) expect(validate(e), JSON.stringify(validate.errors)).toBe(true);
  });

  it('maps the lifecycle to activity and status: Create for new, Update for persisting, Close for resolved', () => {
    const events = toOcsf(report, checks);
    const of = (id: string) => events.filter((e) => e.finding_info.uid === id);
    const fresh = of(byCheck('EKS.ENDPOINT.1', 'sandbox').id)[0]!;
    expect([fresh.activity_id, fresh.type_uid, fresh.status, fresh.severity_id]).toEqual([1, 200301, 'New', 5]);
    expect(fresh.compliance).toMatchObject({ control: 'EKS.ENDPOINT.1', status: 'Fail', standards: ['cis-eks-1.8'] });
    expect(fresh.compliance.requirements).toContain('cis-eks-1.8 5.4.1');
    expect(fresh.remediation?.desc).toMatch(/public endpoint/i);
    const persisting = of(byCheck('EKS.ENDPOINT.1', 'prod').id)[0]!;
    expect([persisting.activity_id, persisting.finding_info.first_seen_time]).toEqual([
      2,
      Date.parse('2026-05-31T08:00:00Z'),
    ]);
    const fixed = of(byCheck('EKS.ENCRYPTION.1', 'prod').id)[0]!;
    expect([fixed.activity_id, fixed.type_uid, fixed.status_id, fixed.compliance.status]).toEqual([
      3,
      200303,
      4,
      'Pass',
    ]);
    const suppressed = of(byCheck('EKS.LOGGING.1', 'sandbox').id)[0]!;
    expect([suppressed.status_id, suppressed.status]).toEqual([3, 'Suppressed']);
    const stale = of(byCheck('EKS.LOGGING.1', 'prod').id)[0]!;
    expect([stale.compliance.status_id, stale.compliance.status]).toEqual([2, 'Warning']);
    const gone = events.find((e) => (e.unmapped.kubeposture as { gone?: boolean }).gone)!;
    expect([gone.activity_id, gone.resources[0]!.type]).toEqual([3, 'AWS::EKS::Nodegroup']);
    const neverFailed = of(byCheck('EKS.ENCRYPTION.1', 'sandbox').id)[0]!;
    expect(neverFailed.status_id).toBeUndefined();
  });
});

describe('OCSF compliance control events (--compliance)', () => {
  const withCompliance = {
    ...report,
    compliance: complianceReports(report.findings, [frameworkById('cis-eks-1.8')!], checks),
  };
  const events = toOcsf(withCompliance, checks);
  const controls = events.filter((e) => e.metadata.event_code.startsWith('cis-eks-1.8 '));

  it('adds one valid event per checked control and cluster, after the finding events', async () => {
    const validate = await ocsfValidator();
    const rep = withCompliance.compliance[0]!;
    const expected = rep.controls.reduce((n, c) => n + c.clusters.length, 0);
    expect(expected).toBeGreaterThan(0);
    expect(controls).toHaveLength(expected);
    expect(events.length).toBe(toOcsf(report, checks).length + expected);
    for (const e of controls) expect(validate(e), JSON.stringify(validate.errors)).toBe(true);
  });

  it('puts the benchmark control and its verdict in the compliance object', () => {
    const endpoint = controls.find(
      (e) => e.compliance.control === '5.4.1' && e.resources[0]!.uid === clusterArn('sandbox'),
    )!;
    expect(endpoint.compliance).toMatchObject({
      standards: ['cis-eks-1.8'],
      requirements: ['cis-eks-1.8 5.4.1'],
      status: 'Fail',
      status_id: 3,
    });
    expect(endpoint.compliance.status_detail).toContain('EKS.ENDPOINT.1');
    expect(endpoint.severity).not.toBe('Informational');
    const uids = controls.map((e) => e.finding_info.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });
});

describe('ASFF for Security Hub', () => {
  const findings = toAsff(report, checks);
  const of = (id: string) => findings.find((f) => f.Id === id)!;

  it('sends findings with a lifecycle only: open ones ACTIVE/FAILED, resolved ones ARCHIVED/PASSED', () => {
    const withLifecycle = report.findings.filter((f) => f.lifecycle).length;
    expect(findings).toHaveLength(withLifecycle + 1);
    expect(of(byCheck('EKS.ENDPOINT.1', 'sandbox').id)).toMatchObject({
      SchemaVersion: '2018-10-08',
      ProductArn: 'arn:aws:securityhub:us-east-1:111111111111:product/111111111111/default',
      GeneratorId: 'kubeposture/EKS.ENDPOINT.1',
      AwsAccountId: '111111111111',
      Severity: { Label: 'CRITICAL' },
      FindingProviderFields: { Severity: { Label: 'CRITICAL' } },
      RecordState: 'ACTIVE',
      Compliance: { Status: 'FAILED', RelatedRequirements: ['cis-eks-1.8 5.4.1'] },
      Resources: [{ Type: 'AwsEksCluster', Id: clusterArn('sandbox'), Partition: 'aws', Region: 'us-east-1' }],
    });
    expect(of(byCheck('EKS.ENCRYPTION.1', 'prod').id)).toMatchObject({
      RecordState: 'ARCHIVED',
      Compliance: { Status: 'PASSED' },
    });
    expect(of(byCheck('EKS.ENCRYPTION.1', 'sandbox').id)).toBeUndefined();
    const gone = findings.find((f) => f.Resources?.[0]?.Type === 'Other')!;
    expect(gone).toMatchObject({ RecordState: 'ARCHIVED', Resources: [{ Details: { Other: { cluster: 'prod' } } }] });
  });

  it('keeps the first-seen time across scans, marks suppressions, and stays within field limits', () => {
    const persisting = of(byCheck('EKS.ENDPOINT.1', 'prod').id);
    expect([persisting.CreatedAt, persisting.FirstObservedAt, persisting.UpdatedAt]).toEqual([
      '2026-05-31T08:00:00.000Z',
      '2026-05-31T08:00:00.000Z',
      '2026-06-01T08:00:00.000Z',
    ]);
    expect(of(byCheck('EKS.LOGGING.1', 'sandbox').id).ProductFields?.['kubeposture/Suppressed']).toMatch(
      /sandbox, no data/,
    );
    for (const f of findings) {
      expect(f.Title!.length).toBeLessThanOrEqual(256);
      expect(f.Description!.length).toBeLessThanOrEqual(1024);
      expect(f.Remediation?.Recommendation?.Text?.length ?? 0).toBeLessThanOrEqual(512);
    }
  });

  it('stamps the security account and home region when asked (import from one account)', () => {
    const stamped = toAsff(report, checks, { accountId: '999999999999', region: 'eu-west-1' })[0]!;
    expect(stamped.AwsAccountId).toBe('999999999999');
    expect(stamped.ProductArn).toBe('arn:aws:securityhub:eu-west-1:999999999999:product/999999999999/default');
    expect(stamped.Resources?.[0]?.Region).toBe('us-east-1');
  });
});

describe('ASFF from a multi-cloud scan', () => {
  const SUBSCRIPTION = '00000000-0000-0000-0000-0000000000a1';
  const aksId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/shop/providers/Microsoft.ContainerService/managedClusters/shop`;
  const gkeId = 'https://container.googleapis.com/v1/projects/shop-prod-1234/locations/europe-west1/clusters/shop';
  const aks = aFinding({
    provider: 'azure',
    checkId: 'AKS.ENDPOINT.1',
    accountId: SUBSCRIPTION,
    region: 'westeurope',
    cluster: 'shop',
    clusterId: aksId,
    resourceId: aksId,
  });
  const gke = aFinding({
    provider: 'gcp',
    checkId: 'GKE.ENDPOINT.1',
    accountId: 'shop-prod-1234',
    region: 'europe-west1',
    cluster: 'shop',
    clusterId: gkeId,
    resourceId: gkeId,
  });
  const multi = aReconciledReport([aks, gke]);

  it('refuses to stamp AKS or GKE findings without a Security Hub account, naming the setting', () => {
    expect(() => toAsff(multi, checks)).toThrow(/--securityhub-account .*securityHub\.accountId/);
  });

  it('stamps every finding with the Security Hub account; the cloud’s own ids stay in Resources and ProductFields', () => {
    const findings = toAsff(multi, checks, { accountId: '999999999999', region: 'eu-west-1' });
    const a = findings.find((f) => f.Id === aks.id)!;
    expect(a).toMatchObject({
      AwsAccountId: '999999999999',
      ProductArn: 'arn:aws:securityhub:eu-west-1:999999999999:product/999999999999/default',
      GeneratorId: 'kubeposture/AKS.ENDPOINT.1',
      Resources: [
        {
          Type: 'Other',
          Id: aksId,
          Partition: 'aws',
          Region: 'eu-west-1',
          Details: { Other: { cloud: 'azure', account: SUBSCRIPTION, location: 'westeurope', cluster: 'shop' } },
        },
      ],
      ProductFields: { 'kubeposture/AccountId': SUBSCRIPTION, 'kubeposture/Location': 'westeurope' },
    });
    const g = findings.find((f) => f.Id === gke.id)!;
    expect(g.AwsAccountId).toBe('999999999999');
    expect(g.Resources?.[0]?.Details?.Other).toMatchObject({ cloud: 'gcp', account: 'shop-prod-1234' });
    // An AWS finding keeps its own account beside the stamped one.
    const eks = findings.find((f) => f.Id === byCheck('EKS.ENDPOINT.1', 'sandbox').id)!;
    expect(eks.ProductFields?.['kubeposture/AccountId']).toBe('111111111111');
  });

  it('keeps the finding Id whatever account it is stamped with, so Security Hub updates one finding over time', () => {
    const one = toAsff(multi, checks, { accountId: '999999999999' });
    const other = toAsff(multi, checks, { accountId: '888888888888', region: 'us-west-2' });
    expect(one.map((f) => f.Id)).toEqual(other.map((f) => f.Id));
    expect(one.map((f) => f.GeneratorId)).toEqual(other.map((f) => f.GeneratorId));
    // Two subscriptions with the same cluster name are two findings: the subscription is part of the resource id.
    expect(findingId('AKS.ENDPOINT.1', aksId.replace('a1/', 'b2/'))).not.toBe(aks.id);
  });

  it('produces findings with every field ASFF requires, valid for import, with and without a named account', () => {
    const sets = [
      toAsff(multi, checks, { accountId: '999999999999' }),
      toAsff(multi, checks, { accountId: '999999999999', region: 'us-gov-west-1' }),
      toAsff(report, checks),
    ];
    for (const findings of sets) {
      expect(findings.length).toBeGreaterThan(5);
      for (const f of findings) expect(asffProblems(f), f.Id).toEqual([]);
    }
    expect(sets[1]![0]!.ProductArn).toMatch(/^arn:aws-us-gov:securityhub:us-gov-west-1:999999999999:/);
  });

  it('the validator catches what Security Hub would reject', () => {
    const [good] = toAsff(multi, checks, { accountId: '999999999999' });
    for (const k of ASFF_REQUIRED) {
      const { [k]: _gone, ...rest } = good!;
      expect(asffProblems(rest as AwsSecurityFinding), k).toContain(`${k} is required`);
    }
    expect(asffProblems({ ...good!, AwsAccountId: SUBSCRIPTION })).toEqual(
      expect.arrayContaining([
        'AwsAccountId is not a 12-digit AWS account id',
        'ProductArn names another account than AwsAccountId',
      ]),
    );
    expect(
      asffProblems({
        ...good!,
        ProductArn: 'arn:aws:securityhub:cn-north-1:999999999999:product/999999999999/default',
      }),
    ).toContain('ProductArn partition does not match its region');
  });

  it.each([
    ['us-east-1', 'aws'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-east-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
  ])('partitionOf(%s) = %s', (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });
});
