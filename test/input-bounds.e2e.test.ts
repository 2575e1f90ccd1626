import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReport, runCli, withTempDir, writeYaml } from './helpers.ts';

/** Hostile or careless input reaches the CLI as a clear configuration error (exit 2) before any scanning. */
describe('kubeposture scan: bounded, strict input', () => {
  it.each([
    [{ aws: 5 }, 'aws: expected a mapping, got a number'],
    [{ azure: 'x' }, 'azure: expected a mapping, got a string'],
    [{ gcp: [] }, 'gcp: expected a mapping, got a list'],
  ])('refuses a section of the wrong type, %j, even when flags fill that section', async (section, expected) => {
    await withTempDir(async (dir) => {
      const config = await writeYaml(dir, 'kubeposture.yaml', section);
      const run = await runCli([
        'scan',
        '--sample',
        '--config',
        config,
        '--regions',
        'us-east-1',
        '--subscriptions',
        '5f0c2a8e-1b3d-4e6f-9a7b-0c1d2e3f4a5b',
        '--projects',
        'shop-prod-4821',
      ]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(expected);
      expect(run.stderr).not.toContain('planned');
    });
  });

  it('refuses 300,000 regions from the flag at once, in one line', async () => {
    const regions = Array.from({ length: 300_000 }, (_, i) => `eu-west-${i % 3}`).join(',');
    const started = performance.now();
    const run = await runCli(['scan', '--sample', '--regions', regions]);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('aws.regions: at most 64 regions');
    expect(run.stderr.length).toBeLessThan(500);
  });

  it('refuses a 200,000-character suppression glob naming the entry, before scanning', async () => {
    await withTempDir(async (dir) => {
      const suppressions = await writeYaml(dir, 'suppressions.yaml', {
        suppressions: [
          {
            check: 'EKS.ENDPOINT.1',
            resource: `arn:aws:eks:*${'x*'.repeat(100_000)}`,
            reason: 'a glob far too long',
            owner: 'me',
            expires: '2099-12-31',
          },
        ],
      });
      const run = await runCli(['scan', '--sample', '--state', join(dir, 'state'), '--suppressions', suppressions]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('suppressions[0] (check EKS.ENDPOINT.1): resource: at most 1024 characters');
      expect(run.stderr).not.toContain('planned');
      expect(run.stderr.length).toBeLessThan(1_000);
    });
  });

  it('scans an account and a region listed twice once', async () => {
    const run = await runCli([
      'scan',
      '--sample',
      '--providers',
      'aws',
      '--accounts',
      '111111111111,111111111111',
      '--regions',
      'us-east-1,us-east-1',
      '--format',
      'json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const report = parseReport(run);
    const targets = report.targets.map((t) => `${t.provider}/${t.accountId}/${t.region}`);
    expect(targets).toEqual(['aws/111111111111/us-east-1']);
    const ids = report.findings.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
  }, 60_000);
});
