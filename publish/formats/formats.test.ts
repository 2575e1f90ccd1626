import { readFile } from 'node:fs/promises';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { checks } from '../../checks/index.ts';
import { aReconciledReport, clusterArn } from '../../test/findings.ts';
import { toAsff } from './asff.ts';
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

describe('OCSF Compliance Finding (class 2003)', () => {
  it('validates every event against the OCSF 1.6.0 class schema committed as test data', async () => {
    const schema = JSON.parse(
      await readFile(new URL('../../test/data/ocsf-1.6.0-compliance-finding.schema.json', import.meta.url), 'utf8'),
    );
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
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
