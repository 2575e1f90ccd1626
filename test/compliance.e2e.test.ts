import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { frameworkById } from '../checks/frameworks/index.ts';
import type { ScanReport } from '../core/report.ts';
import { COMPLIANCE_COLUMNS } from '../publish/formats/csv.ts';
import { csvRecords, parseCsv } from './csv.ts';
import { runCli, spawnCli, withTempDir } from './helpers.ts';

const EKS = frameworkById('cis-eks-1.8')!;

describe('kubeposture scan --sample --compliance cis-eks-1.8 --format csv (the README command, as a child process)', () => {
  let csv: string;
  beforeAll(async () => {
    const run = await spawnCli(['scan', '--sample', '--compliance', 'cis-eks-1.8', '--format', 'csv']);
    expect(run.code, run.stderr).toBe(0);
    csv = run.stdout;
  }, 90_000);

  it('prints one row per control and EKS cluster, every control of the benchmark on every cluster', () => {
    expect(parseCsv(csv)[0]).toEqual([...COMPLIANCE_COLUMNS]);
    const rows = csvRecords(csv);
    const clusters = new Set(rows.map((r) => r.cluster_id));
    expect(clusters.size).toBeGreaterThan(1);
    for (const id of clusters) expect(id).toMatch(/^arn:aws:eks:/);
    expect(rows).toHaveLength(EKS.controls.length * clusters.size);
    for (const c of EKS.controls) expect(rows.filter((r) => r.control === c.id)).toHaveLength(clusters.size);
  });

  it('judges the checked controls PASS, FAIL or ERROR, and lists the rest as MANUAL or NOT_ASSESSED with guidance', () => {
    const rows = csvRecords(csv);
    const endpoint = rows.filter((r) => r.control === '5.4.1');
    expect(new Set(endpoint.map((r) => r.verdict))).toEqual(new Set(['PASS', 'FAIL']));
    for (const r of endpoint) expect(r.checks).toContain('EKS.ENDPOINT.1');
    for (const r of rows.filter((x) => x.mode !== 'checked')) {
      expect(['MANUAL', 'NOT_ASSESSED']).toContain(r.verdict);
      expect(r.guidance?.length).toBeGreaterThan(20);
    }
    // The private-only cluster's aws-auth cannot be read: its access control is unknown, not passing.
    expect(rows.some((r) => r.control === '4.1.7' && r.verdict === 'ERROR' && r.error_checks !== '')).toBe(true);
  });
});

describe('kubeposture scan --compliance (in process)', () => {
  it('exits 2 before scanning on an unknown benchmark, suggesting the closest', async () => {
    const run = await runCli(['scan', '--sample', '--compliance', 'cis-eks-1.9', '--format', 'json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown framework cis-eks-1.9 (did you mean cis-eks-1.8?)');
    expect(run.stdout).toBe('');
  });

  it('writes the compliance section into report.json, report.ocsf.json and report.html, for every benchmark named', async () => {
    await withTempDir(async (dir) => {
      const run = await runCli([
        'scan',
        '--sample',
        '--compliance',
        'cis-eks-1.8,cis-aks-1.8',
        '--compliance',
        'cis-gke-1.9',
        '--skip-checks',
        'EKS.ENDPOINT.2',
        '--out',
        dir,
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/Compliance: CIS Amazon Elastic Kubernetes Service \(EKS\) Benchmark 1\.8\.0/);
      const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as ScanReport;
      expect(report.compliance?.map((c) => c.benchmark.id)).toEqual(['cis-eks-1.8', 'cis-aks-1.8', 'cis-gke-1.9']);
      for (const c of report.compliance ?? []) expect(c.clusters.length, c.benchmark.id).toBeGreaterThan(0);
      // A check skipped by --skip-checks leaves its control unknown on every cluster, never PASS.
      const eks = report.compliance![0]!;
      const skipped = eks.controls.filter((c) => c.checks.includes('EKS.ENDPOINT.2'));
      expect(skipped.length).toBeGreaterThan(0);
      for (const c of skipped) for (const cl of c.clusters) expect(cl.verdict).not.toBe('PASS');
      const ocsf = JSON.parse(await readFile(join(dir, 'report.ocsf.json'), 'utf8')) as {
        compliance: { standards: string[]; control?: string };
      }[];
      expect(ocsf.some((e) => e.compliance.standards[0] === 'cis-gke-1.9' && e.compliance.control === '5.6.3')).toBe(
        true,
      );
      const html = await readFile(join(dir, 'report.html'), 'utf8');
      expect(html).toContain('<h2 id="compliance">Compliance</h2>');
      expect(html).toContain('id="compliance-cis-aks-1.8"');
    });
  }, 60_000);
});
