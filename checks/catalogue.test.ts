/**
 * Properties every check in the registry must have. A new check that is not registered, has a file
 * name other than its slug, maps to an unknown framework control, or lacks a PASS and a FAIL example,
 * fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AnyCheck, CheckMetaSchema, evaluateMatching } from '../core/check.ts';
import { benchmarkCoverage, controlGuidance } from '../core/compliance.ts';
import { runCheck } from '../core/engine.ts';
import type { ClusterSnapshot } from '../core/snapshot.ts';
import { aksExamples } from './aks/fixtures.ts';
import { aContext, anEksCluster } from './eks/builders.ts';
import { examples as eksExamples } from './eks/fixtures.ts';
import { insightResourceId } from './eks/lib/insights.ts';
import { FrameworkSchema, frameworkById, frameworks } from './frameworks/index.ts';
import { gkeExamples } from './gke/fixtures.ts';
import { checkById, checks } from './index.ts';

/**
 * Whether a result is about the cluster or one of its parts: for EKS the cluster ARN or that of one of its node
 * groups, add-ons or self-managed instances (ARNs that do not share a prefix); elsewhere anything under the cluster id.
 */
function isPartOf(s: ClusterSnapshot, resourceId: string): boolean {
  if (s.provider !== 'aws') return resourceId.startsWith(s.id);
  const partition = s.arn.split(':')[1];
  return [
    s.arn,
    ...s.nodegroups.map((n) => n.nodegroupArn ?? ''),
    ...s.addons.map((a) => a.addonArn ?? ''),
    ...s.selfManagedNodes.map((i) => `arn:${partition}:ec2:${s.region}:${s.accountId}:instance/${i.InstanceId}`),
    ...(s.insights?.summaries ?? []).map((i) => insightResourceId(s, i.id ?? '')),
  ].includes(resourceId);
}

/** Where each provider's checks live, how their ids start, and what their remediation CLI looks like. */
const PROVIDERS = {
  aws: { dir: 'eks', idPrefix: 'EKS.', cli: /^aws (eks|kms) / },
  azure: { dir: 'aks', idPrefix: 'AKS.', cli: /^az (aks|monitor|role|keyvault) / },
  gcp: { dir: 'gke', idPrefix: 'GKE.', cli: /^gcloud (container|projects|kms) / },
} as const;

/** Every provider's examples, by check id (checks/<dir>/fixtures.ts). */
const examples: Record<string, { pass: ClusterSnapshot[]; fail: ClusterSnapshot[] }> = {
  ...eksExamples,
  ...aksExamples,
  ...gkeExamples,
};
const PROVIDER_DIRS = Object.values(PROVIDERS).map((p) => p.dir);

/** Every module under checks/<provider>/ whose default export is a check, with its file name. */
async function checkModules(): Promise<{ file: string; check: AnyCheck }[]> {
  const found: { file: string; check: AnyCheck }[] = [];
  for (const dir of PROVIDER_DIRS) {
    const files = readdirSync(new URL(`./${dir}/`, import.meta.url)).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
    );
    for (const f of files) {
      // Files found at run time on purpose (a check file missing from the registry is the bug looked for), so Vite
      // is told not to analyse the import.
      const mod = (await import(/* @vite-ignore */ `./${dir}/${f}`)) as { default?: unknown };
      const d = mod.default as Partial<AnyCheck> | undefined;
      if (d && typeof d === 'object' && typeof d.evaluate === 'function' && typeof d.id === 'string') {
        found.push({ file: basename(f, '.ts'), check: d as AnyCheck });
      }
    }
  }
  return found;
}

describe('check catalogue', () => {
  it('has checks', () => {
    expect(checks.length).toBeGreaterThan(0);
  });

  it('has unique ids and unique slugs', () => {
    const ids = checks.map((c) => c.id);
    const slugs = checks.map((c) => c.slug);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(slugs).size).toBe(slugs.length);
  });

  it('registers every check file, each named after its slug', async () => {
    const modules = await checkModules();
    expect(modules.map((m) => m.file).sort()).toEqual(checks.map((c) => c.slug).sort());
    for (const { file, check } of modules) {
      expect(check.slug, `checks/${PROVIDERS[check.provider].dir}/${file}.ts`).toBe(file);
      expect(checks, `${file} is not in checks/index.ts`).toContain(check);
    }
  });

  it('finds every check by id', () => {
    for (const c of checks) expect(checkById(c.id)).toBe(c);
    expect(checkById('EKS.NOPE.1')).toBeUndefined();
  });

  it.each(checks.map((c) => [c.id, c] as const))('%s has valid metadata', (_id, check) => {
    const { evaluate: _evaluate, ...meta } = check;
    const parsed = CheckMetaSchema.safeParse(meta);
    expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
    expect(check.id.startsWith(PROVIDERS[check.provider].idPrefix)).toBe(true);
    expect(check.remediation.cli ?? '').toMatch(PROVIDERS[check.provider].cli);
  });

  it.each(checks.map((c) => [c.id, c] as const))('%s maps only to framework controls that exist', (_id, check) => {
    for (const [frameworkId, controls] of Object.entries(check.frameworks)) {
      const framework = frameworkById(frameworkId);
      expect(framework, `unknown framework ${frameworkId}`).toBeDefined();
      const known = new Set(framework?.controls.map((c) => c.id));
      for (const control of controls) expect(known.has(control), `${frameworkId} has no control ${control}`).toBe(true);
    }
  });

  it.each(checks.map((c) => [c.id, c] as const))('%s passes one example and fails another', (id, check) => {
    const ex = examples[id];
    expect(ex, `checks/${PROVIDERS[check.provider].dir}/fixtures.ts has no examples for ${id}`).toBeDefined();
    expect(ex?.pass.length, `${id} has no PASS example`).toBeGreaterThan(0);
    expect(ex?.fail.length, `${id} has no FAIL example`).toBeGreaterThan(0);
    for (const s of ex?.pass ?? []) {
      const findings = runCheck(check, s, aContext());
      expect(
        findings.map((f) => f.status),
        `${id} on ${s.name}`,
      ).toEqual(findings.map(() => 'PASS'));
    }
    for (const s of ex?.fail ?? []) {
      const findings = runCheck(check, s, aContext());
      expect(
        findings.map((f) => f.status),
        `${id} on ${s.name}`,
      ).toContain('FAIL');
    }
  });

  it('keeps examples only for registered checks', () => {
    for (const id of Object.keys(examples)) expect(checkById(id), `examples for unknown check ${id}`).toBeDefined();
  });

  it.each(checks.map((c) => [c.id, c] as const))(
    '%s reports on the cluster (or one of its node groups, node pools, add-ons or instances) with a one-line message',
    (_id, check) => {
      const all = Object.values(examples).flatMap((e) => [...e.pass, ...e.fail]);
      for (const s of all) {
        for (const r of evaluateMatching(check, s, aContext()) ?? []) {
          expect(isPartOf(s, r.resourceId), `${r.resourceId} is not part of ${s.id}`).toBe(true);
          expect(r.message.length).toBeGreaterThan(0);
          expect(r.message).not.toMatch(/\n/);
          expect(r.evidence).toBeTypeOf('object');
        }
      }
    },
  );

  it.each(checks.filter((c) => c.provider === 'aws').map((c) => [c.id, c] as const))(
    '%s never passes a cluster whose DescribeCluster data is missing',
    (_id, check) => {
      const results = evaluateMatching(check, anEksCluster({ cluster: undefined }), aContext()) ?? [];
      expect(results.length).toBeGreaterThan(0);
      for (const r of results) expect(r.status).toBe('ERROR');
    },
  );

  it.each(checks.map((c) => [c.id, c] as const))(
    '%s yields ERROR, never PASS, when anything it needs was not collected',
    (id, check) => {
      for (const need of check.needs) {
        for (const s of examples[id]?.pass ?? []) {
          const findings = runCheck(
            check,
            { ...s, gaps: [{ need, code: 'AccessDenied', error: 'denied' }] },
            aContext(),
          );
          expect(findings.map((f) => f.status)).toEqual(['ERROR']);
          expect(findings[0]?.message).toContain(`${need}: denied`);
        }
      }
    },
  );

  /**
   * The collector lists, then describes each item; an item it could not describe is dropped and recorded as a gap of
   * the describe action (collectors/aws/eks.ts `describeAll`). A check that reads the list must therefore also need
   * the describe, or a dropped item (a failing association, a failing node group) reads as "not there": a false PASS.
   */
  const LIST_THEN_DESCRIBE: Record<string, string[]> = {
    'eks:ListPodIdentityAssociations': ['eks:DescribePodIdentityAssociation'],
    'eks:ListAccessEntries': ['eks:DescribeAccessEntry'],
    'eks:ListNodegroups': ['eks:DescribeNodegroup'],
    'eks:ListAddons': ['eks:DescribeAddon'],
    'guardduty:ListDetectors': ['guardduty:GetDetector'],
  };
  it.each(checks.map((c) => [c.id, c] as const))(
    '%s needs the describe behind every list it needs, so a dropped item is ERROR, not absent',
    (_id, check) => {
      for (const need of check.needs)
        for (const describe of LIST_THEN_DESCRIBE[need] ?? []) expect(check.needs, `needs ${need}`).toContain(describe);
    },
  );

  it('never runs a check on another cloud: a mismatched pair is an ERROR', () => {
    const aks = checks.find((c) => c.provider === 'azure')!;
    const findings = runCheck(aks, anEksCluster(), aContext());
    expect(findings.map((f) => f.status)).toEqual(['ERROR']);
  });
});

describe('framework data', () => {
  const dir = new URL('./frameworks/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  it.each(files)('%s is a valid, dated framework file whose id matches its name', (file) => {
    const raw: unknown = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
    const f = FrameworkSchema.parse(raw);
    expect(f.id).toBe(basename(file, '.json'));
    const ids = f.controls.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(frameworks.map((f) => [f.id, f] as const))(
    '%s gives guidance for every control no check maps to, so a manual assessment knows what to look at',
    (_id, f) => {
      const { checksByControl } = benchmarkCoverage(f, checks);
      for (const c of f.controls) {
        if (checksByControl.get(c.id)?.length) continue;
        expect(controlGuidance(f, c), `${f.id} ${c.id} has no guidance (its own or its section's)`).toBeDefined();
      }
    },
  );

  it.each(checks.map((c) => [c.id, c] as const))('%s maps only to frameworks of its own cloud', (_id, check) => {
    for (const frameworkId of Object.keys(check.frameworks))
      expect(frameworkById(frameworkId)?.provider, frameworkId).toBe(check.provider);
  });

  it('loads every framework file', () => {
    expect(frameworks.map((f) => `${f.id}.json`).sort()).toEqual([...files].sort());
  });
});
