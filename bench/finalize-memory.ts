/**
 * Finalize memory and time at fleet scale (issue #11): synthesizes scan-target results (StoredTargetResult, as
 * functions/scan-target.ts writes them) for N clusters into a folder used as the results bucket, then runs the real
 * finalize handler (lifecycle publisher, DynamoDB state store on dynalite, report files in a folder) in a child
 * process bundled like the Lambda and started with `--max-old-space-size`, and prints its peak RSS and time.
 *
 *   npm run bench:finalize -- --clusters 2000 --heap 900 --state dynamodb
 *   npm run bench:finalize -- --clusters 20000 --heap 900 --state jsonl
 *
 * Two scans per fleet size: the first against empty state (every FAIL is new: the most state writes), the second a
 * day later against that state, with ~2% of results flipped and one target's result missing (resolved, regressed,
 * new and stale findings all occur). Each row also checks the Slack digest's "listed + …and N more" against the new
 * and regressed findings at or above its threshold counted in the archive (`report.findings.jsonl`), so an undercount
 * from the bounded report shows (and fails the row).
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checks } from '../checks/index.ts';
import type { ResultStatus } from '../core/check.ts';
import { type Finding, findingId } from '../core/finding.ts';
import { summarize } from '../core/report.ts';
import type { Target } from '../core/target.ts';
import { scanKeys } from '../functions/objects.ts';
import type { StoredPlan } from '../functions/plan.ts';
import type { StoredTargetResult } from '../functions/scan-target.ts';
import { BUNDLE_ENTRY_FILE, bundleFunction } from '../stacks/bundling.ts';
import { startLocalDynamo } from '../test/local-dynamodb.ts';
import type { ChildConfig } from './finalize-child.ts';

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '2000,20000' },
    heap: { type: 'string', default: '900' },
    state: { type: 'string', default: 'dynamodb' },
    'per-cluster': { type: 'string', default: '28' },
    scans: { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
  },
});
const sizes = values.clusters.split(',').map(Number);
const heapMiB = Number(values.heap);
const perCluster = Number(values['per-cluster']);
const scanCount = Number(values.scans);
if (values.state !== 'dynamodb' && values.state !== 'jsonl') throw new Error('--state must be dynamodb or jsonl');

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-1'];
const CLUSTERS_PER_TARGET = 5;
const awsChecks = checks.filter((c) => c.provider === 'aws');

/** Deterministic [0, 1) from integers (no Math.random: two runs synthesize the same fleet). */
function rand(...n: number[]): number {
  let h = 2166136261;
  for (const x of n) {
    h ^= x;
    h = Math.imul(h, 16777619);
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995);
  }
  return ((h >>> 0) % 1_000_000) / 1_000_000;
}

function statusOf(r: number): ResultStatus {
  if (r < 0.25) return 'FAIL';
  if (r < 0.28) return 'ERROR';
  if (r < 0.35) return 'NOT_APPLICABLE';
  return 'PASS';
}

/** One target's result: 5 clusters × `perCluster` results, a quarter of them FAIL, with evidence of a realistic size. */
function resultFor(scanId: string, scanNo: number, target: Target, targetNo: number): StoredTargetResult {
  const findings: Finding[] = [];
  for (let c = 0; c < CLUSTERS_PER_TARGET; c++) {
    const clusterName = `cluster-${String(targetNo * CLUSTERS_PER_TARGET + c).padStart(6, '0')}`;
    const clusterId = `arn:aws:eks:${target.region}:${target.accountId}:cluster/${clusterName}`;
    for (let i = 0; i < perCluster; i++) {
      const check = awsChecks[i % awsChecks.length]!;
      const resourceId =
        i < awsChecks.length
          ? clusterId
          : `arn:aws:eks:${target.region}:${target.accountId}:nodegroup/${clusterName}/ng-${i}/0123456789abcdef`;
      const base = rand(targetNo, c, i);
      // Later scans flip ~2% of results: FAIL ↔ PASS (resolved, new and regressed findings).
      const flip = scanNo > 0 && rand(targetNo, c, i, scanNo) < 0.02;
      let status = statusOf(base);
      if (flip && status === 'FAIL') status = 'PASS';
      else if (flip && status === 'PASS') status = 'FAIL';
      findings.push({
        id: findingId(check.id, resourceId),
        checkId: check.id,
        title: check.title,
        category: check.category,
        severity: check.severity,
        status,
        provider: 'aws',
        accountId: target.accountId,
        region: target.region,
        clusterName,
        clusterId,
        resourceId,
        message: `${check.id} on ${clusterName}: ${status === 'PASS' ? 'configured as recommended' : 'endpointPublicAccess is true and publicAccessCidrs contains 0.0.0.0/0'}`,
        evidence: {
          endpointPublicAccess: true,
          publicAccessCidrs: ['0.0.0.0/0'],
          version: '1.29',
          platformVersion: 'eks.12',
          observed: `${target.accountId}/${target.region}/${clusterName}`,
        },
      });
    }
  }
  return {
    scanId,
    target,
    summary: { ...target, status: 'scanned', clusters: CLUSTERS_PER_TARGET },
    errors: [],
    findings,
  };
}

async function synthesize(root: string, clusters: number, scanNo: number) {
  const scanId = `2026060${scanNo + 1}T060000Z-bench${scanNo}`;
  const targets: Target[] = [];
  const accounts = Math.ceil(clusters / (REGIONS.length * CLUSTERS_PER_TARGET));
  for (let a = 0; a < accounts && targets.length * CLUSTERS_PER_TARGET < clusters; a++) {
    for (const region of REGIONS) {
      if (targets.length * CLUSTERS_PER_TARGET >= clusters) break;
      targets.push({ provider: 'aws', accountId: String(100000000000 + a), region });
    }
  }
  let results = 0;
  let fails = 0;
  const objects = join(root, 'objects');
  for (const [i, target] of targets.entries()) {
    // The second scan loses one target's result (a scan-target that failed after its retries): its findings go stale.
    if (scanNo > 0 && i === 1) continue;
    const result = resultFor(scanId, scanNo, target, i);
    results += result.findings.length;
    fails += summarize(result.findings, []).byStatus.FAIL;
    const path = join(objects, ...scanKeys.result(scanId, target).split('/'));
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, JSON.stringify(result));
  }
  const plan: StoredPlan = {
    scanId,
    trigger: 'schedule',
    startedAt: `2026-06-0${scanNo + 1}T06:00:00.000Z`,
    targets,
    errors: [],
  };
  await writeFile(join(objects, ...scanKeys.plan(scanId).split('/')), JSON.stringify(plan));
  return { scanId, results, fails, targets: targets.length };
}

interface ChildResult {
  maxRssMiB: number;
  wallMs: number;
  cpuMs: number;
  digestBlocks: number;
  digestCounts?: {
    said: number;
    listed: number;
    more: number;
    archiveAtThreshold: number;
    deltaChanged: number;
    archiveChanged: number;
  };
  output: { summary: { byStatus: Record<string, number> }; errors: number; missingResults: number };
}

function runChild(bundle: string, config: ChildConfig): Promise<{ ok: ChildResult } | { failed: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${heapMiB}`, bundle, JSON.stringify(config)], {
      env: {
        ...process.env,
        POWERTOOLS_LOG_LEVEL: 'ERROR',
        POWERTOOLS_METRICS_NAMESPACE: 'bench',
        AWS_REGION: 'us-east-1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => {
      out += c;
      if (out.length > 1e6) out = out.slice(-1e5);
    });
    child.stderr.on('data', (c) => {
      err += c;
      if (err.length > 1e6) err = err.slice(-1e5);
    });
    child.on('close', (code, signal) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{"maxRssMiB"')) resolve({ ok: JSON.parse(line) as ChildResult });
      else {
        const oom = /heap out of memory|Reached heap limit/.test(err);
        resolve({
          failed: oom ? 'out of memory' : `exit ${code ?? signal}: ${err.trim().split('\n').slice(-3).join(' | ')}`,
        });
      }
    });
  });
}

const work = await mkdtemp(join(tmpdir(), 'kubeposture-finalize-bench-'));
// Bundled exactly as the Lambda functions are (stacks/bundling.ts), so the child's memory is the function's.
bundleFunction(new URL('./finalize-child.ts', import.meta.url).pathname, work);
const bundle = join(work, BUNDLE_ENTRY_FILE);
const dynamo = values.state === 'dynamodb' ? await startLocalDynamo() : undefined;
const endpoint = dynamo
  ? String(await dynamo.client.config.endpoint?.().then((e) => `http://${e.hostname}:${e.port}`))
  : '';

console.log(
  `finalize benchmark: heap limit ${heapMiB} MiB (--max-old-space-size), state: ${dynamo ? 'DynamoDB (dynalite on loopback)' : 'JSON Lines file (bench/finalize-child.ts)'}, results and reports in folders`,
);
console.log(
  '| clusters | results | FAIL | scan | peak RSS (MiB) | wall (s) | CPU (s) | digest ≥ high: listed + more (archive) | new + regressed: delta (archive) | outcome |',
);
console.log('|---:|---:|---:|---|---:|---:|---:|---:|---:|---|');
try {
  for (const clusters of sizes) {
    const root = join(work, `fleet-${clusters}`);
    const table = `bench-${clusters}`;
    await dynamo?.createStateTable(table);
    for (let scanNo = 0; scanNo < scanCount; scanNo++) {
      const s = await synthesize(root, clusters, scanNo);
      const config: ChildConfig = {
        objectsDir: join(root, 'objects'),
        reportsDir: join(root, 'reports'),
        scanId: s.scanId,
        state: dynamo ? { kind: 'dynamodb', endpoint, table } : { kind: 'jsonl', dir: join(root, 'state') },
      };
      const r = await runChild(bundle, config);
      const label = scanNo === 0 ? '1 (empty state)' : `${scanNo + 1} (against state)`;
      const d = 'ok' in r ? r.ok.digestCounts : undefined;
      // The digest's count is whole when it matches the archive, however many findings report.json kept.
      const digestOk = d !== undefined && d.said === d.archiveAtThreshold && d.deltaChanged === d.archiveChanged;
      const row =
        'ok' in r
          ? [
              r.ok.maxRssMiB,
              (r.ok.wallMs / 1000).toFixed(1),
              (r.ok.cpuMs / 1000).toFixed(1),
              d ? `${d.listed} + ${d.more} (${d.archiveAtThreshold})` : '—',
              d ? `${d.deltaChanged} (${d.archiveChanged})` : '—',
              digestOk ? 'ok' : 'digest count wrong',
            ]
          : ['—', '—', '—', '—', '—', r.failed];
      console.log(`| ${clusters} | ${s.results} | ${s.fails} | ${label} | ${row.join(' | ')} |`);
      if ('ok' in r && !digestOk) process.exitCode = 1;
      if (!('ok' in r)) break;
    }
    if (!values.keep) await rm(root, { recursive: true, force: true });
  }
} finally {
  await dynamo?.close();
  if (!values.keep) await rm(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}
