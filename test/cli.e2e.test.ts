import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checks } from '../checks/index.ts';
import type { ScanReport } from '../core/report.ts';
import { asffProblems } from '../publish/formats/asff.ts';
import { loadSampleFleet, type SimulatedCloud, startSimulatedCloud } from '../sim/index.ts';
import { parseReport, ROOT, runCli, spawnCli, withTempDir, writeYaml } from './helpers.ts';

const DENIED_ACCOUNT = '333333333333';

const EKS_IDS = checks
  .filter((c) => c.provider === 'aws')
  .map((c) => c.id)
  .sort();

/** The check ids that judged each cluster of one provider, sorted. */
function checksByCluster(report: ScanReport, provider: string): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const f of report.findings.filter((x) => x.provider === provider)) {
    out[f.clusterName] ??= new Set();
    out[f.clusterName]?.add(f.checkId);
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}

describe('kubeposture scan --sample (the README command, as a child process)', () => {
  let first: ScanReport;
  let second: ScanReport;

  beforeAll(async () => {
    const [a, b] = await Promise.all([
      spawnCli(['scan', '--sample', '--format', 'json']),
      spawnCli(['scan', '--sample', '--format', 'json']),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    first = parseReport(a);
    second = parseReport(b);
  }, 90_000);

  it('prints a versioned JSON report with the documented fields', () => {
    expect(first.schemaVersion).toBe('2.0');
    expect(Object.keys(first.scan).sort()).toEqual(['finishedAt', 'id', 'startedAt', 'trigger']);
    expect(Array.isArray(first.targets)).toBe(true);
    expect(Array.isArray(first.errors)).toBe(true);
    expect(first.delta?.counts).toMatchObject({ regressed: 0, resolved: 0, stale: 0 });
    for (const f of first.findings) {
      const lifecycle = f.status === 'FAIL' ? ['lifecycle'] : [];
      expect(Object.keys(f).sort()).toEqual(
        [
          ...lifecycle,
          'accountId',
          'category',
          'checkId',
          'clusterId',
          'clusterName',
          'evidence',
          'id',
          'message',
          'provider',
          'region',
          'resourceId',
          'severity',
          'status',
          'title',
        ].sort(),
      );
    }
  });

  it('scans every cluster of the readable accounts: 8 clusters, each judged by every check', async () => {
    const spec = await loadSampleFleet();
    const readable = spec.accounts.filter((a) => !a.denyAssumeRole).flatMap((a) => a.clusters);
    expect(readable.length).toBeGreaterThanOrEqual(8);
    expect(first.summary.clusters).toBeGreaterThanOrEqual(readable.length);
    // Every EKS check judges every EKS cluster at least once (node-group and add-on checks once per group or add-on).
    expect(checksByCluster(first, 'aws')).toEqual(Object.fromEntries(readable.map((c) => [c.name, EKS_IDS])));
  });

  it('shows both FAIL and PASS from each check family (endpoint, encryption, logging, access, identity)', () => {
    for (const category of ['endpoint', 'encryption', 'logging', 'access', 'identity']) {
      const statuses = new Set(first.findings.filter((f) => f.category === category).map((f) => f.status));
      expect(statuses, category).toContain('FAIL');
      expect(statuses, category).toContain('PASS');
    }
  });

  it('makes every check both PASS and FAIL somewhere in the sample', () => {
    for (const c of checks) {
      const statuses = new Set(first.findings.filter((f) => f.checkId === c.id).map((f) => f.status));
      expect(statuses, c.id).toContain('FAIL');
      expect(statuses, c.id).toContain('PASS');
    }
  });

  it('gives ERROR with the reason for the aws-auth checks of a private-only cluster, and normal results for the rest', () => {
    const findings = first.findings.filter((f) => f.clusterName === 'internal-tools');
    const errored = findings.filter((f) => f.status === 'ERROR');
    // ACCESS.6/7 ask who besides the cluster-admins can get admin: aws-auth names some of those admins.
    expect(errored.map((f) => f.checkId).sort()).toEqual([
      'EKS.ACCESS.1',
      'EKS.ACCESS.2',
      'EKS.ACCESS.3',
      'EKS.ACCESS.5',
      'EKS.ACCESS.6',
      'EKS.ACCESS.7',
    ]);
    for (const f of errored) expect(f.message).toMatch(/k8s:aws-auth: Unreachable: .*private-only/);
    for (const id of ['EKS.ENDPOINT.2', 'EKS.ACCESS.4', 'EKS.IDENTITY.1']) {
      expect(findings.find((f) => f.checkId === id)?.status, id).toMatch(/^(PASS|FAIL)$/);
    }
  });

  it('names principals, policies and roles in the evidence', () => {
    const admins = first.findings.find((f) => f.clusterName === 'payments-prod' && f.checkId === 'EKS.ACCESS.3');
    expect(admins?.status).toBe('PASS');
    expect(JSON.stringify(admins?.evidence)).toContain('AmazonEKSClusterAdminPolicy');
    expect(admins?.message).toContain('arn:aws:iam::111111111111:role/break-glass');
  });

  it('judges node groups on AL2, AL2023 and Bottlerocket, and versions in every support state', () => {
    const about = (checkId: string) => first.findings.filter((f) => f.checkId === checkId);
    const amiTypes = new Set(about('EKS.NODES.1').map((f) => String(f.evidence.amiType).split('_')[0]));
    expect(amiTypes).toEqual(new Set(['AL2', 'AL2023', 'BOTTLEROCKET', 'CUSTOM']));
    const versions = about('EKS.VERSIONS.1');
    expect(new Set(versions.map((f) => `${f.status} ${f.severity}`))).toEqual(
      new Set(['PASS high', 'FAIL medium', 'FAIL high', 'FAIL critical']),
    );
    expect(versions.find((f) => f.severity === 'high')?.message).toMatch(
      /extended support costs \$0\.60 per cluster hour/,
    );
    const release = about('EKS.NODES.2').filter((f) => f.status === 'FAIL');
    expect(release.map((f) => f.message).join(' ')).toMatch(
      /\d+ days behind .* \d+ releases? behind|\d+ releases? behind .* \d+ days behind/,
    );
  });

  it('reports the account that denies AssumeRole in errors, and never a PASS for it', () => {
    expect(first.errors).toContainEqual(
      expect.objectContaining({ accountId: DENIED_ACCOUNT, stage: 'assume-role', code: 'AccessDenied' }),
    );
    expect(first.targets).toContainEqual(expect.objectContaining({ accountId: DENIED_ACCOUNT, status: 'failed' }));
    expect(first.findings.filter((f) => f.accountId === DENIED_ACCOUNT && f.status === 'PASS')).toEqual([]);
  });

  it('reports EKS, AKS and GKE in one report, each check passing on one cluster and failing on another', () => {
    expect(new Set(first.findings.map((f) => f.provider))).toEqual(new Set(['aws', 'azure', 'gcp']));
    for (const check of checks) {
      const statuses = new Set(first.findings.filter((f) => f.checkId === check.id).map((f) => f.status));
      expect(statuses, check.id).toContain('PASS');
      expect(statuses, check.id).toContain('FAIL');
    }
  });

  it('reports the Azure subscription it cannot read and the project with the GKE API disabled, and scans the rest', () => {
    expect(first.errors).toContainEqual(
      expect.objectContaining({ provider: 'azure', stage: 'list-clusters', code: 'AccessDenied' }),
    );
    expect(first.errors).toContainEqual(
      expect.objectContaining({
        provider: 'gcp',
        accountId: 'legacy-apps-5678',
        message: expect.stringContaining('SERVICE_DISABLED'),
      }),
    );
    // The only ERRORs are the intended ones: aws-auth on the private-only and the unauthorized EKS clusters,
    // the Secrets key another account does not let batch-jobs describe, the GKE endpoint checks on the
    // cluster whose answer has no endpoint field, and issue 15's denied reads (insights, AKS versions, GKE config)
    // and the Secrets keys of a vault and a key project the reader may not read, and the GKE project whose
    // custom organization role the reader may not read (who it makes cluster-admin is unknown).
    const errored = first.findings.filter((f) => f.status === 'ERROR');
    expect(new Set(errored.map((f) => f.clusterName))).toEqual(
      new Set([
        'internal-tools',
        'sandbox-dev',
        'batch-jobs',
        'endpoint-unknown',
        'insights-denied',
        'no-versions-aks',
        'no-server-config',
        'kms-denied-aks',
        'kms-vendor-key',
        'opaque-roles',
      ]),
    );
    expect(errored.filter((f) => f.clusterName === 'endpoint-unknown').map((f) => f.checkId)).toEqual(
      expect.arrayContaining(['GKE.ENDPOINT.1', 'GKE.ENDPOINT.2']),
    );
    const reason: Record<string, string> = {
      'endpoint-unknown': 'Cannot tell whether',
      'batch-jobs': 'kms:DescribeKey',
      'insights-denied': 'eks:ListInsights: AccessDenied',
      'no-versions-aks': 'aks:ListKubernetesVersions: AccessDenied',
      'no-server-config': 'gke:GetServerConfig: AccessDenied',
      'kms-denied-aks': 'keyvault:GetVault: AccessDenied',
      'kms-vendor-key': 'cloudkms:GetCryptoKey: AccessDenied',
      'opaque-roles': 'roles/legacyOps: AccessDenied',
    };
    for (const f of errored) expect(f.message).toContain(reason[f.clusterName] ?? 'k8s:aws-auth');
  });

  it('gives every finding the same id in two separate scans', () => {
    const ids = (r: ScanReport) => r.findings.map((f) => `${f.id} ${f.checkId} ${f.resourceId} ${f.status}`).sort();
    expect(first.scan.id).not.toBe(second.scan.id);
    // A difference under CPU starvation should come with a target error naming why (never silently): say which.
    const errors = (r: ScanReport) =>
      r.errors.map((e) => `${e.provider}/${e.accountId}/${e.region} ${e.code}: ${e.message}`);
    expect(ids(second), `errors: ${JSON.stringify({ first: errors(first), second: errors(second) })}`).toEqual(
      ids(first),
    );
    expect(new Set(first.findings.map((f) => f.id)).size).toBe(first.findings.length);
  });
});

describe('kubeposture scan against a throttling fleet (real credential chain and endpoint env vars)', () => {
  let sim: SimulatedCloud;

  beforeAll(async () => {
    sim = await startSimulatedCloud(await loadSampleFleet(), {
      throttle: { ratePerSecond: 40, burst: 2, services: ['eks'] },
    });
  });
  afterAll(() => sim?.close());

  it('completes the scan through SDK retries and reports every cluster', async () => {
    await withTempDir(async (dir) => {
      const config = await writeYaml(dir, 'kubeposture.yaml', {
        aws: {
          accounts: [{ id: '111111111111' }, { id: '222222222222' }, { id: DENIED_ACCOUNT }],
          retryBaseDelayMs: 5,
          maxAttempts: 20,
        },
        concurrency: { targets: 4, clustersPerTarget: 4 },
      });
      // No --sample: the same path as a real scan. The SDK finds the simulator only through
      // AWS_ENDPOINT_URL and the keys through AWS_ACCESS_KEY_ID, its standard mechanisms.
      const run = await spawnCli(['scan', '--config', config, '--format', 'json'], sim.env);
      expect(run.code, run.stderr).toBe(0);
      const report = parseReport(run);
      expect(sim.count({ service: 'eks', status: 429 })).toBeGreaterThan(0);
      expect(report.errors.map((e) => e.accountId)).toEqual([DENIED_ACCOUNT]);
      const scanned = new Set(['111111111111', '222222222222']);
      const readable = sim.spec.accounts.filter((a) => scanned.has(a.id)).flatMap((a) => a.clusters);
      expect(report.summary.clusters).toBe(readable.length);
      // Throttling cost nothing: the only ERRORs are reads the fleet makes impossible on purpose: aws-auth (a
      // private-only endpoint, a Kubernetes API that refuses the scanner) and another account's Secrets key.
      const errored = report.findings.filter((f) => f.status === 'ERROR');
      const outOfReach = sim.fleet
        .allClusters()
        .filter((c) => c.kubernetesApi !== 'authorized')
        .map((c) => c.cluster.name);
      expect(new Set(errored.map((f) => f.clusterName))).toEqual(
        new Set(['internal-tools', 'sandbox-dev', 'batch-jobs']),
      );
      for (const f of errored) {
        if (f.clusterName === 'batch-jobs') {
          expect(f.message).toContain('kms:DescribeKey: AccessDenied');
          continue;
        }
        expect(outOfReach).toContain(f.clusterName);
        expect(f.message).toContain('k8s:aws-auth');
      }
      expect(sim.count({ service: 'sts', action: 'AssumeRole' })).toBe(3);
    });
  }, 60_000);

  it('turns calls still throttled after the last retry into ERROR findings, never PASS, and still finishes', async () => {
    const tight = await startSimulatedCloud(await loadSampleFleet(), {
      // A bucket that never refills in the test's lifetime: ListClusters and two of the
      // concurrent DescribeClusters get through, every later EKS call is throttled.
      throttle: { ratePerSecond: 0.0001, burst: 3, services: ['eks'] },
    });
    try {
      await withTempDir(async (dir) => {
        const config = await writeYaml(dir, 'kubeposture.yaml', {
          aws: { accounts: [{ id: '111111111111' }], regions: ['us-east-1'], maxAttempts: 1 },
        });
        const run = await spawnCli(['scan', '--config', config, '--format', 'json'], tight.env);
        expect(run.code, run.stderr).toBe(0);
        const report = parseReport(run);
        expect(report.errors).toEqual([]);
        expect(report.targets).toEqual([expect.objectContaining({ status: 'partial', clusters: 3 })]);
        const errored = report.findings.filter((f) => f.status === 'ERROR');
        // Two tokens are left after ListClusters for three concurrent DescribeClusters: at least one
        // cluster cannot be described (which one, and whether a second, depends on request order).
        expect(new Set(errored.map((f) => f.clusterName)).size).toBeGreaterThanOrEqual(1);
        expect(Object.values(checksByCluster(report, 'aws'))).toEqual(Array.from({ length: 3 }, () => EKS_IDS));
        for (const f of errored) expect(f.message).toMatch(/Throttled/);
        // A cluster that could not be described passes nothing (other clusters may miss only some calls).
        const erroredClusters = new Set(
          errored.filter((f) => f.message.includes('eks:DescribeCluster:')).map((f) => f.clusterId),
        );
        expect(erroredClusters.size).toBeGreaterThanOrEqual(1);
        expect(report.findings.filter((f) => erroredClusters.has(f.clusterId) && f.status === 'PASS')).toEqual([]);
      });
    } finally {
      await tight.close();
    }
  }, 60_000);
});

describe('kubeposture CLI behaviour', () => {
  it('exits 1 with --fail-on high when a HIGH finding fails, and 0 when nothing fails at the threshold', async () => {
    const high = await runCli(['scan', '--sample', '--format', 'json', '--fail-on', 'high']);
    expect(high.code).toBe(1);
    expect(high.stderr).toContain('at or above high');
    // The sample fleet has a cluster past the end of extended support (critical); this one-cluster fleet does not.
    await withTempDir(async (dir) => {
      const fleet = await writeYaml(dir, 'fleet.yaml', {
        references: {
          clusterVersions: [
            {
              clusterVersion: '1.34',
              releaseDate: 'now-100d',
              endOfStandardSupportDate: 'now+300d',
              endOfExtendedSupportDate: 'now+665d',
            },
          ],
        },
        accounts: [
          {
            id: '111111111111',
            enabledRegions: ['us-east-1'],
            clusters: [{ name: 'fine', region: 'us-east-1', version: '1.34' }],
          },
        ],
      });
      const critical = await runCli(['scan', '--fleet', fleet, '--format', 'json', '--fail-on', 'critical']);
      expect(critical.code, critical.stderr).toBe(0);
      expect(parseReport(critical).findings.some((f) => f.status === 'FAIL' && f.severity === 'high')).toBe(true);
    });
    const all = await runCli(['scan', '--sample', '--format', 'json', '--fail-on', 'critical']);
    expect(all.code).toBe(1);
  });

  it('exits 2 naming the flag when --providers names an unknown cloud', async () => {
    const run = await runCli(['scan', '--sample', '--providers', 'aws,oracle']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--providers: oracle');
  });

  it('exits 2 and names the field when the configuration is invalid', async () => {
    await withTempDir(async (dir) => {
      const config = await writeYaml(dir, 'bad.yaml', {
        aws: { accounts: [{ id: '12' }] },
        checks: { logging: { requiredTypes: ['audits'] } },
      });
      const run = await runCli(['scan', '--sample', '--config', config]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('aws.accounts[0].id');
      expect(run.stderr).toContain('checks.logging.requiredTypes[0]');
    });
  });

  it('exits 2 when the configuration file is missing or is not YAML', async () => {
    const missing = await runCli(['scan', '--config', '/nonexistent/kubeposture.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Cannot read configuration file');
    await withTempDir(async (dir) => {
      const path = join(dir, 'broken.yaml');
      await import('node:fs/promises').then((fs) => fs.writeFile(path, 'aws: [unclosed'));
      const broken = await runCli(['scan', '--config', path]);
      expect(broken.code).toBe(2);
      expect(broken.stderr).toContain('not valid YAML');
    });
  });

  it('exits 2 on an unknown option or a bad --fail-on value', async () => {
    expect((await runCli(['scan', '--no-such-flag'])).code).toBe(2);
    const bad = await runCli(['scan', '--sample', '--fail-on', 'severe']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/critical, high, medium, low, info/);
  });

  it('writes report.json, report.ocsf.json and a self-contained report.html with --out', async () => {
    await withTempDir(async (dir) => {
      const run = await runCli(['scan', '--sample', '--out', dir]);
      expect(run.code, run.stderr).toBe(0);
      const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as ScanReport;
      expect(report.findings.length).toBeGreaterThan(0);
      const ocsf = JSON.parse(await readFile(join(dir, 'report.ocsf.json'), 'utf8')) as { class_uid: number }[];
      expect(ocsf).toHaveLength(report.findings.length);
      const Ajv2020 = (await import('ajv/dist/2020.js')).default;
      const schema = JSON.parse(
        await readFile(join(ROOT, 'test/data/ocsf-1.6.0-compliance-finding.schema.json'), 'utf8'),
      );
      const validate = new Ajv2020.default({ strict: false }).compile(schema);
      for (const e of ocsf) expect(validate(e), JSON.stringify(validate.errors)).toBe(true);
      const html = await readFile(join(dir, 'report.html'), 'utf8');
      expect(html).toContain('<!doctype html>');
      expect(html).toContain('payments-prod');
      expect(html).toContain('Collection errors');
      expect(html).not.toMatch(/<script|src="http|href="http[^"]*\.css/);
    });
  });

  it('prints a human summary with counts, failing findings by cluster and collection errors', async () => {
    const run = await runCli(['scan', '--sample']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Results\s+critical\s+high\s+medium\s+low\s+info\s+total/);
    expect(run.stdout).toContain('Failing findings by cluster');
    expect(run.stdout).toContain('EKS.ENDPOINT.1');
    expect(run.stdout).toContain('Collection errors');
    expect(run.stdout).not.toContain('\u001b['); // NO_COLOR
    expect(run.stderr).toMatch(/planned \d+ targets/);
  });

  it('prints OCSF and ASFF findings with --format', async () => {
    const ocsf = JSON.parse((await runCli(['scan', '--sample', '--format', 'ocsf'])).stdout) as { type_uid: number }[];
    expect(new Set(ocsf.map((e) => e.type_uid))).toEqual(new Set([200301]));
    const args = ['scan', '--sample', '--format', 'asff', '--securityhub-account', '999999999999'];
    const asff = JSON.parse((await runCli(args)).stdout) as AwsSecurityFinding[];
    expect(asff.length).toBeGreaterThan(0);
    expect(asff.every((f) => f.RecordState === 'ACTIVE' && f.Compliance?.Status === 'FAILED')).toBe(true);
    // Importable as a whole into the one named account, AKS and GKE findings included.
    for (const f of asff) expect(asffProblems(f), f.Id).toEqual([]);
    expect(new Set(asff.map((f) => f.AwsAccountId))).toEqual(new Set(['999999999999']));
    expect(new Set(asff.map((f) => f.ProductFields?.['kubeposture/Cloud']))).toEqual(new Set(['aws', 'azure', 'gcp']));
  });

  it('exits 2 before scanning when ASFF of AKS or GKE findings has no Security Hub account', async () => {
    const run = await runCli(['scan', '--sample', '--format', 'asff']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('pass --securityhub-account <12-digit id> or set securityHub.accountId');
    expect(run.stderr).not.toContain('planned');
  });

  it('warns about an unknown region before scanning, unless told it is new', async () => {
    const args = ['scan', '--sample', '--providers', 'aws', '--regions', 'us-east-9', '--no-state', '--quiet'];
    const run = await runCli(args);
    // The scan still runs (a warning, not an error); every target then fails, which the gate reports (exit 4).
    expect(run.code, run.stderr).toBe(4);
    expect(run.stderr).toContain(
      'Warning: aws.regions[0]: us-east-9 is not a known AWS region (did you mean us-east-1?)',
    );
    const allowed = await runCli([...args, '--allow-unknown-regions']);
    expect(allowed.stderr).not.toContain('us-east-9');
  });

  it('lists the check catalogue', async () => {
    const run = await runCli(['checks']);
    expect(run.code).toBe(0);
    for (const c of checks) expect(run.stdout).toContain(c.id);
    const json = JSON.parse((await runCli(['checks', '--format', 'json'])).stdout) as { id: string; needs: string[] }[];
    const byId = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
    expect(json.map((c) => c.id)).toEqual(checks.map((c) => c.id).sort(byId));
    expect(json[0]?.needs.length).toBeGreaterThan(0);
  });

  it('prints the access paths of a JSON report with `paths --report`, one cluster with --cluster', async () => {
    const arn = (name: string) => `arn:aws:eks:us-east-1:444444444444:cluster/${name}`;
    const hop = { principal: 'arn:aws:iam::444444444444:user/ops-alice', via: 'inline:eks-self-service#0' };
    const finding = (cluster: string, subject: string) => ({
      id: `f-${cluster}`,
      checkId: 'EKS.PATH.TEST',
      title: 'test',
      category: 'access',
      severity: 'critical',
      status: 'FAIL',
      provider: 'aws',
      accountId: '444444444444',
      region: 'us-east-1',
      clusterName: cluster,
      clusterId: arn(cluster),
      resourceId: arn(cluster),
      message: 'm',
      evidence: {
        accessPaths: [
          {
            subject,
            subjectKind: 'iam-user',
            reaches: 'cluster-admin',
            hops: [
              { ...hop, action: 'eks:CreateAccessEntry', resource: arn(cluster) },
              { ...hop, action: 'eks:AssociateAccessPolicy', resource: `${arn(cluster)}/\u001b[31mred` },
            ],
            conditions: [],
          },
        ],
      },
    });
    await withTempDir(async (dir) => {
      const file = join(dir, 'report.json');
      await writeFile(file, JSON.stringify({ findings: [finding('a', 'alice'), finding('b', 'bob')] }));
      const all = await runCli(['paths', '--report', file]);
      expect(all.code, all.stderr).toBe(0);
      expect(all.stdout).toContain('    [critical] alice (iam-user) → cluster-admin   EKS.PATH.TEST');
      expect(all.stdout).toContain('      1. eks:CreateAccessEntry on arn:aws:eks:us-east-1:444444444444:cluster/a');
      expect(all.stdout).not.toContain('\u001b'); // a control character from the cloud never reaches the terminal
      expect(all.stdout).toContain('2 access paths in 2 clusters.');
      const one = await runCli(['paths', '--report', file, '--cluster', arn('b'), '--format', 'json']);
      expect(JSON.parse(one.stdout).map((c: { clusterName: string }) => c.clusterName)).toEqual(['b']);
      const none = await runCli(['paths', '--report', file, '--cluster', arn('zzz')]);
      expect(none.stdout).toBe(`No access paths for ${arn('zzz')}.\n`);
      const bad = await runCli(['paths', '--report', file, '--cluster', 'iam-paths']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--cluster: not a cluster reference');
      const notReport = join(dir, 'x.json');
      await writeFile(notReport, '{"hello": 1}');
      expect((await runCli(['paths', '--report', notReport])).stderr).toContain('is not a kubeposture JSON report');
    });
    const neither = await runCli(['paths']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('paths needs exactly one of --sample, --fleet FILE or --report FILE');
  });

  it('scans the sample and prints its access paths with `paths --sample`', async () => {
    const run = await runCli(['paths', '--sample', '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const clusters = JSON.parse(run.stdout) as { clusterName: string; paths: { hops: unknown[] }[] }[];
    // Every path shown comes from a sample cluster and has its hops (which paths: the path checks decide).
    const spec = await loadSampleFleet();
    const names = new Set(
      [
        ...spec.accounts.flatMap((a) => a.clusters),
        ...(spec.azure?.subscriptions ?? []).flatMap((s) => s.clusters),
        ...(spec.gcp?.projects ?? []).flatMap((p) => p.clusters),
      ].map((c) => c.name),
    );
    for (const c of clusters) {
      expect(names.has(c.clusterName)).toBe(true);
      for (const p of c.paths) expect(p.hops.length).toBeGreaterThan(0);
    }
  }, 60_000);
});

describe('kubeposture scan with state: what changed since the last scan', () => {
  it('shows the second run of `scan --sample` as a delta against the first, in the state folder given', async () => {
    await withTempDir(async (dir) => {
      const state = join(dir, 'state');
      const first = await runCli(['scan', '--sample', '--state', state]);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/First scan \(no earlier state in .*state\): \d+ new · 0 regressed · 0 resolved/);
      const firstId = /kubeposture scan (\S+)/.exec(first.stdout)![1];
      const second = await runCli(['scan', '--sample', '--state', state]);
      expect(second.code, second.stderr).toBe(0);
      // The second run scans the sample fleet's scripted drift (sim/drift.ts): one finding new, one resolved.
      expect(second.stdout).toContain(
        `Since scan ${firstId}: 1 new · 0 regressed · 1 resolved · 0 stale · 0 suppressed`,
      );
      expect(second.stdout).toMatch(/NEW\s+MEDIUM\s+EKS\.LOGGING\.1\s+payments-prod/);
      const stored = JSON.parse(await readFile(join(state, 'state.json'), 'utf8')) as { findings: unknown[] };
      expect(stored.findings.length).toBeGreaterThan(0);
    });
  });

  it('reconciles one cluster with --cluster and leaves every other cluster’s findings exactly as they were', async () => {
    await withTempDir(async (dir) => {
      const state = join(dir, 'state');
      const full = await runCli(['scan', '--sample', '--state', state, '--format', 'json']);
      expect(full.code, full.stderr).toBe(0);
      const readState = async () =>
        (JSON.parse(await readFile(join(state, 'state.json'), 'utf8')) as { findings: { clusterName: string }[] })
          .findings;
      const before = await readState();
      // The next --sample run scans the scripted drift: ml-training's endpoint narrowed (resolved) and payments-prod's
      // audit log off (new). Scoped to ml-training, only the first may change.
      const ml = 'arn:aws:eks:eu-west-1:111111111111:cluster/ml-training';
      const one = await runCli(['scan', '--sample', '--state', state, '--cluster', ml, '--format', 'json']);
      expect(one.code, one.stderr).toBe(0);
      const report = parseReport(one);
      expect(report.scan.clusters).toEqual([ml]);
      expect(new Set(report.findings.map((f) => f.clusterId))).toEqual(new Set([ml]));
      expect(report.delta?.counts).toMatchObject({ new: 0, resolved: 1, stale: 0 });
      expect(report.delta?.resolved.map((r) => [r.checkId, r.clusterName])).toEqual([
        ['EKS.ENDPOINT.1', 'ml-training'],
      ]);
      const after = await readState();
      const others = (xs: { clusterName: string }[]) => xs.filter((f) => f.clusterName !== 'ml-training');
      expect(others(after)).toEqual(others(before));
      expect(others(before).length).toBeGreaterThan(20);
    });
  }, 90_000);

  it('exits 2 naming the accepted forms when --cluster is not a cluster reference', async () => {
    const r = await runCli(['scan', '--sample', '--no-state', '--cluster', 'ml-training']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--cluster: not a cluster reference: "ml-training"');
    expect(r.stderr).toContain('an EKS cluster ARN (arn:aws:eks:REGION:ACCOUNT:cluster/NAME)');
    expect(r.stderr).toContain('GKE cluster path');
  });

  it('keeps findings of an account that became unreadable open and stale, and counts suppressed findings', async () => {
    await withTempDir(async (dir) => {
      const state = join(dir, 'state');
      const spec = await loadSampleFleet();
      const first = parseReport(await runCli(['scan', '--sample', '--state', state, '--format', 'json']));
      const stagingFails = first.findings.filter((f) => f.accountId === '222222222222' && f.status === 'FAIL');
      expect(stagingFails.length).toBeGreaterThan(0);
      // The same fleet, but the staging account now refuses the scanner.
      const denied = await writeYaml(dir, 'fleet.yaml', {
        ...spec,
        accounts: spec.accounts.map((a) => (a.id === '222222222222' ? { ...a, denyAssumeRole: true } : a)),
      });
      const suppressions = await writeYaml(dir, 'suppressions.yaml', {
        suppressions: [
          {
            check: 'EKS.LOGGING.*',
            resource: '*:cluster/ml-training',
            reason: 'training data is public',
            owner: 'ml-team',
            expires: '2099-12-31',
          },
        ],
      });
      const args = ['scan', '--fleet', denied, '--state', state, '--suppressions', suppressions];
      const second = parseReport(await runCli([...args, '--format', 'json']));
      const suppressed = first.findings.filter(
        (f) =>
          f.status === 'FAIL' && f.checkId.startsWith('EKS.LOGGING.') && f.resourceId.endsWith(':cluster/ml-training'),
      );
      expect(suppressed.length).toBeGreaterThan(0);
      expect(second.delta?.counts).toMatchObject({
        new: 0,
        resolved: 0,
        stale: stagingFails.length,
        suppressed: suppressed.length,
      });
      expect(second.delta?.stale.map((s) => s.id).sort()).toEqual(stagingFails.map((f) => f.id).sort());
      for (const s of second.delta?.stale ?? [])
        expect(s.reason).toMatch(/account not scanned: assume-role failed \(AccessDenied\)/);
      const table = await runCli(args);
      expect(table.stdout).toMatch(/Stale \(still open/);
      expect(table.stdout).toContain('(suppressed until 2099-12-31: training data is public)');
    });
  });

  it('posts one Slack digest with --slack to the webhook in the environment, never printing its URL', async () => {
    const { createServer } = await import('node:http');
    const bodies: string[] = [];
    let echo = false;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        bodies.push(body);
        // An endpoint that echoes the request path in its error body, as the issue found.
        if (echo) res.writeHead(404).end(`no_service: nothing at ${req.url} (https://hooks.slack.com${req.url})`);
        else res.end('ok');
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const { port } = server.address() as { port: number };
      // The real webhook shape, answered on loopback by the injected transport: tests never leave the machine.
      const url = 'https://hooks.slack.com/services/T0/B0/SECRETTOKEN';
      const loopback: typeof fetch = (input, init) =>
        fetch(`http://127.0.0.1:${port}${new URL(String(input)).pathname}`, init);
      const env = { KUBEPOSTURE_SLACK_WEBHOOK_URL: url };
      const run = await runCli(['scan', '--sample', '--slack', '--slack-severity', 'medium'], env, { fetch: loopback });
      expect(run.code, run.stderr).toBe(0);
      expect(bodies).toHaveLength(1);
      const message = JSON.parse(bodies[0]!) as { text: string; blocks: unknown[] };
      expect(message.text).toMatch(/kubeposture: \d+ new or regressed findings/);
      expect(message.blocks.length).toBeLessThanOrEqual(50);
      expect(run.stdout + run.stderr).not.toContain('SECRETTOKEN');
      echo = true;
      const failed = await runCli(['scan', '--sample', '--slack'], env, { fetch: loopback });
      expect(failed.code).toBe(3);
      expect(failed.stderr).toContain(
        'Could not notify slack: Slack webhook answered 404: no_service: nothing at [redacted]',
      );
      expect(failed.stdout + failed.stderr).not.toMatch(/SECRETTOKEN|T0\/B0/);
    } finally {
      await new Promise<void>((ok) => server.close(() => ok()));
    }
  });

  it('exits 2 before scanning when --slack has no webhook, or one that is not https on hooks.slack.com, without printing its path', async () => {
    const unset = await runCli(['scan', '--sample', '--slack']);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain(
      'Configuration error: --slack: The Slack webhook URL is not set: environment variable KUBEPOSTURE_SLACK_WEBHOOK_URL is empty',
    );
    expect(unset.stderr).not.toContain('planned');
    let sent = 0;
    const count: typeof fetch = async () => {
      sent++;
      return new Response('ok');
    };
    for (const [url, why] of [
      ['http://hooks.slack.com/services/T0/B0/SECRETTOKEN', 'must use https, not http (host hooks.slack.com;'],
      ['https://127.0.0.1:8443/services/T0/B0/SECRETTOKEN', 'must point to hooks.slack.com, not 127.0.0.1'],
    ] as const) {
      const run = await runCli(
        ['scan', '--sample', '--slack'],
        { KUBEPOSTURE_SLACK_WEBHOOK_URL: url },
        { fetch: count },
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        `Configuration error: --slack: The Slack webhook URL in environment variable KUBEPOSTURE_SLACK_WEBHOOK_URL ${why}`,
      );
      expect(run.stderr).not.toMatch(/SECRETTOKEN|\/services|planned/);
    }
    expect(sent).toBe(0);
    // A host the configuration names is accepted (https still required); a bad entry is named.
    await withTempDir(async (dir) => {
      const config = await writeYaml(dir, 'config.yaml', { slack: { webhookHosts: ['slack-proxy.example.test'] } });
      const proxied = await runCli(
        ['scan', '--sample', '--slack', '--config', config],
        { KUBEPOSTURE_SLACK_WEBHOOK_URL: 'https://slack-proxy.example.test/services/T0/B0/SECRETTOKEN' },
        { fetch: count },
      );
      expect(proxied.code, proxied.stderr).toBe(0);
      expect(sent).toBe(1);
      const badConfig = await writeYaml(dir, 'bad.yaml', { slack: { webhookHosts: ['https://proxy.example.test/'] } });
      const bad = await runCli(['scan', '--sample', '--config', badConfig]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('slack.webhookHosts[0]: a lowercase host name like hooks.example.com');
    });
  });

  it('exits 2 naming the entry when the suppressions file is invalid, before scanning, and leaves state alone', async () => {
    await withTempDir(async (dir) => {
      const bad = await writeYaml(dir, 'suppressions.yaml', {
        suppressions: [{ check: 'EKS.ENDPOINT.1', resource: '*', reason: 'known', owner: 'me', expires: 'soon' }],
      });
      const run = await runCli(['scan', '--sample', '--state', join(dir, 'state'), '--suppressions', bad]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('suppressions[0] (check EKS.ENDPOINT.1): expires: must be a date like 2026-12-31');
      expect(run.stderr).not.toContain('planned');
      const typo = await writeYaml(dir, 'typo.yaml', {
        suppressions: [{ check: 'EKS.LOGGNG.1', resource: '*', reason: 'known', owner: 'me', expires: '2099-01-01' }],
      });
      const unknown = await runCli(['scan', '--sample', '--state', join(dir, 'state'), '--suppressions', typo]);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain(
        'suppressions[0]: check: unknown check id EKS.LOGGNG.1 (did you mean EKS.LOGGING.1?)',
      );
    });
  });

  it('exits 2 naming the file when the state is corrupt, and does not overwrite it', async () => {
    await withTempDir(async (dir) => {
      await import('node:fs/promises').then((fs) => fs.writeFile(join(dir, 'state.json'), '{"oops"'));
      const run = await runCli(['scan', '--sample', '--state', dir]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/State error: .*state\.json is not valid JSON/);
      expect(await readFile(join(dir, 'state.json'), 'utf8')).toBe('{"oops"');
    });
  });

  it('exits 2 naming the field when state.json findings is not an array, and leaves the file as it was', async () => {
    await withTempDir(async (dir) => {
      const bad = '{"schemaVersion": 1, "findings": "none"}';
      await writeFile(join(dir, 'state.json'), bad);
      const run = await runCli(['scan', '--sample', '--state', dir]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/State error: .*state\.json findings: expected an array, got string/);
      expect(run.stderr).not.toMatch(/version|planned/);
      expect(await readFile(join(dir, 'state.json'), 'utf8')).toBe(bad);
    });
  });

  it('takes over, with a warning, the lock of a scan that was killed, and refuses one whose scan still runs', async () => {
    await withTempDir(async (dir) => {
      const lock = join(dir, 'state.lock');
      // A scan killed with SIGKILL while it held the lock: its process is gone, its lock file stays.
      const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
      await writeFile(lock, JSON.stringify({ pid: child.pid, host: hostname(), at: new Date().toISOString() }));
      await new Promise<void>((ok) => {
        child.on('exit', () => ok());
        child.kill('SIGKILL');
      });
      const run = await runCli(['scan', '--sample', '--state', dir]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(
        new RegExp(
          `Warning: Took over the lock .*state\\.lock: its holder \\(process ${child.pid} on ${hostname()} since .*\\) is no longer running`,
        ),
      );
      expect(await readdir(dir)).not.toContain('state.lock');
      // A live holder (this test process) is still refused, and named.
      await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString() }));
      const busy = await runCli(['scan', '--sample', '--state', dir]);
      expect(busy.code).toBe(3);
      expect(busy.stderr).toContain(`State conflict: Another scan (process ${process.pid} on ${hostname()} since`);
      expect(busy.stderr).toContain('wait for it to finish. If it is not running, remove');
    });
  });

  it('reports and skips a truncated scan record, and the next scan completes against state.json', async () => {
    await withTempDir(async (dir) => {
      const first = await runCli(['scan', '--sample', '--state', dir, '--format', 'json']);
      expect(first.code, first.stderr).toBe(0);
      const id = parseReport(first).scan.id;
      const record = join(dir, 'scans', `${id}.json`);
      await writeFile(record, (await readFile(record, 'utf8')).slice(0, 50));
      const second = await runCli(['scan', '--sample', '--state', dir, '--format', 'json']);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).toContain(`Warning: Skipping unreadable scan record ${record} (`);
      // The findings' history comes from state.json: nothing is new again.
      expect(parseReport(second).delta?.counts).toMatchObject({ new: 0, regressed: 0, resolved: 0 });
    });
  });

  it('prints a role ARN with ESC/OSC sequences from aws-auth as visible escapes, colour off or on', async () => {
    await withTempDir(async (dir) => {
      const spec = await loadSampleFleet();
      const hostileArn =
        'arn:aws:iam::111111111111:role/legacy-admin\x1b]0;pwned\x07\x1b[2J\x1b]8;;https://evil.test\x1b\\\u202e';
      const prod = spec.accounts.find((a) => a.id === '111111111111')!;
      const cluster = prod.clusters.find((c) => c.name === 'checkout-api')!;
      const roles = cluster.awsAuth!.mapRoles as { rolearn: string }[]; // the sample gives a list, not raw YAML
      const mapRoles = roles.map((r) => (r.rolearn.endsWith('/legacy-admin') ? { ...r, rolearn: hostileArn } : r));
      const { azure: _a, gcp: _g, ...aws } = spec;
      const fleet = await writeYaml(dir, 'fleet.yaml', {
        ...aws,
        accounts: [
          {
            ...prod,
            enabledRegions: ['us-east-1'],
            clusters: [{ ...cluster, awsAuth: { ...cluster.awsAuth, mapRoles } }],
          },
        ],
      });
      // Wide enough for the whole escaped ARN: lines are otherwise cut at 120 columns.
      const plain = await runCli(['scan', '--fleet', fleet], { COLUMNS: '1000' });
      expect(plain.code, plain.stderr).toBe(0);
      expect(plain.stdout).toContain(
        'role/legacy-admin\\u001b]0;pwned\\u0007\\u001b[2J\\u001b]8;;https://evil.test\\u001b\\\\u202e',
      );
      for (const raw of ['\x1b', '\x07', '\u202e']) expect(plain.stdout + plain.stderr).not.toContain(raw);
      const colour = await runCli(['scan', '--fleet', fleet], { NO_COLOR: '', FORCE_COLOR: '1', COLUMNS: '1000' });
      const sgr = new RegExp(`${String.fromCharCode(0x1b)}\\[[0-9;]*m`, 'g');
      expect(colour.stdout).toMatch(sgr); // our colours still work
      expect(colour.stdout).toContain('legacy-admin\\u001b]0;pwned');
      for (const raw of ['\x1b', '\x07', '\u202e']) expect(colour.stdout.replace(sgr, '')).not.toContain(raw);
    });
  });
});

/** Our colour codes (SGR), the only escape sequences the CLI writes. */
const SGR = new RegExp(`${String.fromCharCode(0x1b)}\\[[0-9;]*m`);

describe('the CI gate and scanner flags (a two-account fleet: one read, one denying the reader role)', () => {
  let dir: string;
  let fleet: string;
  let deniedOnly: string;
  let release: () => void;

  beforeAll(async () => {
    // One temporary folder for the file; each run starts this small fleet in a few hundred milliseconds.
    const ready = new Promise<void>((ok) => {
      void withTempDir(async (d) => {
        dir = d;
        ok();
        await new Promise<void>((done) => (release = done));
      });
    });
    await ready;
    const cluster = { name: 'web', region: 'us-east-1', version: '1.31' };
    const denied = { id: DENIED_ACCOUNT, denyAssumeRole: true, enabledRegions: ['us-east-1'], clusters: [] };
    fleet = await writeYaml(dir, 'fleet.yaml', {
      accounts: [{ id: '111111111111', enabledRegions: ['us-east-1'], clusters: [cluster] }, denied],
    });
    deniedOnly = await writeYaml(dir, 'denied.yaml', { accounts: [denied] });
  });
  afterAll(() => release?.());

  const scan = (args: string[], env: NodeJS.ProcessEnv = {}, extra: Parameters<typeof runCli>[2] = {}) =>
    runCli(['scan', '--fleet', fleet, ...args], env, extra);

  it('--fail-on counts only unsuppressed FAILs: suppressing * with --fail-on info exits 0', async () => {
    const failing = await scan(['--format', 'json', '--fail-on', 'info']);
    expect(failing.code, failing.stderr).toBe(1);
    expect(failing.stderr).toMatch(/Gate: \d+ unsuppressed FAIL findings at or above info \(exit 1\)/);
    const all = await writeYaml(dir, 'all.yaml', {
      suppressions: [{ check: '*', resource: '*', reason: 'accepted', owner: 'me', expires: '2099-12-31' }],
    });
    const accepted = await scan(['--format', 'json', '--fail-on', 'info', '--suppressions', all]);
    expect(accepted.code, accepted.stderr).toBe(0);
    const report = parseReport(accepted);
    expect(report.findings.filter((f) => f.status === 'FAIL').length).toBeGreaterThan(0);
    expect(report.findings.filter((f) => f.status === 'FAIL').every((f) => f.lifecycle?.suppressed)).toBe(true);
    expect(accepted.stderr).not.toContain('Gate:');
  });

  it('exits 4 when no target could be scanned, and never says "No failing findings."', async () => {
    const run = await runCli(['scan', '--fleet', deniedOnly]);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('Gate: no target could be scanned: all 1 target failed');
    expect(run.stdout).not.toContain('No failing findings');
    expect(run.stdout).toContain('Nothing was scanned');
    // Whatever the other flags: a scan that read nothing is not a pass.
    const lenient = await runCli(['scan', '--fleet', deniedOnly, '--max-failed-targets', '100', '--format', 'json']);
    expect(lenient.code).toBe(4);
  });

  it('exits 4 when more than --max-failed-targets percent of targets failed (default 50)', async () => {
    expect((await scan(['--format', 'json'])).code).toBe(0); // 1 of 2 failed: 50%, not above
    const strict = await scan(['--format', 'json', '--max-failed-targets', '49']);
    expect(strict.code).toBe(4);
    expect(strict.stderr).toContain('Gate: 1 of 2 targets failed (50%, above --max-failed-targets 49%) (exit 4)');
    const bad = await scan(['--max-failed-targets', '150']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('a percentage from 0 to 100');
  });

  it('--fail-on-error exits 5 on a collection error; with several failures, names each and exits with the worst', async () => {
    const errors = await scan(['--format', 'json', '--fail-on-error']);
    expect(errors.code).toBe(5);
    expect(errors.stderr).toContain('Gate: --fail-on-error: 0 ERROR results and 1 collection error (exit 5)');
    const all = await scan(['--format', 'json', '--fail-on-error', '--fail-on', 'low', '--max-failed-targets', '0']);
    expect(all.code).toBe(4);
    expect(all.stderr.match(/^Gate: /gm)).toHaveLength(3);
  });

  it('--severity keeps what is shown, written and gated to findings at or above it', async () => {
    const full = parseReport(await scan(['--format', 'json']));
    expect(full.findings.some((f) => f.severity === 'medium' && f.status === 'FAIL')).toBe(true);
    const high = await scan(['--format', 'json', '--severity', 'high', '--fail-on', 'low']);
    const shown = parseReport(high);
    expect(shown.findings.length).toBeGreaterThan(0);
    expect(new Set(shown.findings.map((f) => f.severity))).toEqual(
      new Set(full.findings.filter((f) => ['critical', 'high'].includes(f.severity)).map((f) => f.severity)),
    );
    expect(shown.summary.byStatus.FAIL).toBe(shown.findings.filter((f) => f.status === 'FAIL').length);
    // No FAIL at high or above on this cluster, and the gate counts what is shown.
    expect(high.code).toBe(shown.findings.some((f) => f.status === 'FAIL') ? 1 : 0);
  });

  it('--checks and --skip-checks (globs, any case) and checks.disabled choose the checks that run', async () => {
    const only = parseReport(await scan(['--format', 'json', '--checks', 'eks.endpoint.*,EKS.LOGGING.1']));
    expect(new Set(only.findings.map((f) => f.checkId))).toEqual(
      new Set(EKS_IDS.filter((id) => id.startsWith('EKS.ENDPOINT.') || id === 'EKS.LOGGING.1')),
    );
    const skipped = parseReport(await scan(['--format', 'json', '--skip-checks', 'EKS.ENDPOINT.*']));
    expect(skipped.findings.some((f) => f.checkId.startsWith('EKS.ENDPOINT.'))).toBe(false);
    expect(skipped.findings.some((f) => f.checkId === 'EKS.LOGGING.1')).toBe(true);
    const config = await writeYaml(dir, 'disabled.yaml', { checks: { disabled: ['EKS.LOGGING.*', 'EKS.NODES.1'] } });
    const disabled = parseReport(await scan(['--format', 'json', '--config', config]));
    expect(disabled.findings.some((f) => f.checkId.startsWith('EKS.LOGGING.') || f.checkId === 'EKS.NODES.1')).toBe(
      false,
    );
    const typo = await scan(['--checks', 'EKS.LOGGNG.*']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Configuration error: --checks: EKS.LOGGNG.* matches no check');
    expect(typo.stderr).not.toContain('planned');
  });

  it('--changed-only shows and gates on new, regressed and resolved findings only', async () => {
    const state = join(dir, 'changed-state');
    const first = parseReport(await scan(['--format', 'json', '--state', state, '--changed-only']));
    expect(first.findings.length).toBeGreaterThan(0);
    expect(first.findings.every((f) => f.lifecycle?.state === 'new')).toBe(true);
    const second = await scan(['--state', state, '--changed-only', '--fail-on', 'info']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('Showing changed only (new, regressed, resolved)');
    expect(second.stdout).not.toContain('Failing findings by cluster');
  });

  it('--output writes the chosen format to a file and nothing to stdout; a folder there is refused', async () => {
    const file = join(dir, 'out', 'findings.ocsf.json');
    const run = await scan(['--format', 'ocsf', '--output', file]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    expect((JSON.parse(await readFile(file, 'utf8')) as unknown[]).length).toBeGreaterThan(0);
    const table = join(dir, 'report.txt');
    expect((await scan(['--output', table], { FORCE_COLOR: '1', NO_COLOR: '' })).code).toBe(0);
    const text = await readFile(table, 'utf8');
    expect(text).toContain('Failing findings by cluster');
    expect(text).not.toMatch(SGR); // a file is never coloured
    const folder = await scan(['--output', dir]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain(`--output: ${dir} is a folder`);
  });

  it('--out naming an existing file, or a folder under a file, exits 2 before scanning', async () => {
    const existing = join(dir, 'fleet.yaml');
    for (const [path, why] of [
      [existing, `--out: ${existing} is a file; give a folder`],
      [join(existing, 'reports'), `--out: ${existing} is a file, so ${join(existing, 'reports')} cannot be created`],
    ] as const) {
      const run = await scan(['--out', path]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`Configuration error: ${why}`);
      expect(run.stderr).not.toMatch(/planned|EEXIST|ENOTDIR/);
    }
  });

  it('--slack with a webhook that is not a URL exits 2 before scanning', async () => {
    const run = await scan(['--slack'], {
      KUBEPOSTURE_SLACK_WEBHOOK_URL: 'hooks.slack.com/services/T0/B0/SECRETTOKEN',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--slack: The Slack webhook URL in environment variable');
    expect(run.stderr).toContain('is not a URL');
    expect(run.stderr).not.toMatch(/SECRETTOKEN|planned/);
  });

  it('keeps stdout machine-readable and stderr quiet with --format json, ocsf or asff, unless --log-level asks', async () => {
    for (const format of ['json', 'ocsf', 'asff']) {
      const run = await scan(['--format', format]);
      expect(run.code, run.stderr).toBe(0);
      expect(() => JSON.parse(run.stdout), format).not.toThrow();
      expect(run.stderr, format).toBe('');
    }
    const info = await scan(['--format', 'json', '--log-level', 'info']);
    expect(info.stderr).toContain('planned 2 targets (1 failed while planning)');
    expect(() => JSON.parse(info.stdout)).not.toThrow();
    const debug = await scan(['--log-level', 'debug']);
    expect(debug.stderr).toMatch(/started aws 111111111111 us-east-1\n/);
    expect(debug.stderr).toMatch(/scanned aws 111111111111 us-east-1: 1 cluster in \d+ ms/);
    expect((await scan(['--log-level', 'error'])).stderr).toBe('');
  });

  it('counts targets the same in progress and summary, and says 1 cluster, not 1 clusters', async () => {
    const run = await scan([]);
    expect(run.stderr).toContain('planned 2 targets');
    expect(run.stdout).toContain('2 AWS accounts · 2 targets (1 failed, 0 partial) · 1 cluster');
  });

  it('colours only on a terminal, and FORCE_COLOR=0, NO_COLOR or --no-color turn it off', async () => {
    const tty = { tty: { columns: 200 } };
    expect((await scan([], { NO_COLOR: '' }, tty)).stdout).toMatch(SGR);
    expect((await scan([], { NO_COLOR: '' })).stdout).not.toMatch(SGR); // not a terminal
    expect((await scan([], { NO_COLOR: '', FORCE_COLOR: '0' }, tty)).stdout).not.toMatch(SGR);
    expect((await scan([], { NO_COLOR: '1' }, tty)).stdout).not.toMatch(SGR);
    expect((await scan(['--no-color'], { NO_COLOR: '', FORCE_COLOR: '1' }, tty)).stdout).not.toMatch(SGR);
    expect((await scan([], { NO_COLOR: '', FORCE_COLOR: '1' })).stdout).toMatch(SGR);
  });

  it('fits the table to the terminal width, 120 columns when stdout is not a terminal', async () => {
    const width = (s: string) => Math.max(...s.split('\n').map((l) => [...l.replace(new RegExp(SGR, 'g'), '')].length));
    const piped = await scan([]);
    expect(width(piped.stdout)).toBeLessThanOrEqual(120);
    expect(piped.stdout).toContain('Long lines end with … at 120 columns');
    const narrow = await scan([], { NO_COLOR: '' }, { tty: { columns: 72 } });
    expect(width(narrow.stdout)).toBeLessThanOrEqual(72);
    expect(width((await runCli(['checks'], {}, { tty: { columns: 90 } })).stdout)).toBeLessThanOrEqual(90);
  });

  it('lists the catalogue sorted, filtered by --provider and --severity', async () => {
    const run = await runCli(['checks', '--provider', 'gke', '--severity', 'high', '--format', 'json']);
    const listed = JSON.parse(run.stdout) as { id: string; provider: string; severity: string }[];
    const expected = checks
      .filter((c) => c.provider === 'gcp' && ['critical', 'high'].includes(c.severity))
      .map((c) => c.id)
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    expect(expected.length).toBeGreaterThan(0);
    expect(listed.map((c) => c.id)).toEqual(expected);
    const table = (await runCli(['checks', '--provider', 'aws'])).stdout;
    expect(table).not.toMatch(/AKS\.|GKE\./);
    expect((await runCli(['checks', '--provider', 'oracle'])).code).toBe(2);
  });

  it('documents every exit code in --help', async () => {
    const help = await runCli(['scan', '--help']);
    expect(help.code).toBe(0);
    for (const code of [0, 1, 2, 3, 4, 5]) expect(help.stdout).toMatch(new RegExp(`^  ${code}  \\S`, 'm'));
    for (const flag of ['--fail-on-error', '--max-failed-targets', '--severity', '--checks', '--skip-checks']) {
      expect(help.stdout).toContain(flag);
    }
  });
});
