/**
 * One finalize run, in its own process (bench/finalize-memory.ts bundles this file with esbuild, as the Lambda is
 * bundled, and starts it with `--max-old-space-size`): the real handler, publisher and state store, with the results
 * and the report files in folders on disk so that nothing but finalize's own memory counts toward the peak RSS.
 * Prints one JSON line: peak RSS, wall and CPU time, the handler's output, and the Slack digest's counts checked
 * against every finding in the archive (after the timing: the check reads `report.findings.jsonl` back).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { appendFile, mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { checks } from '../checks/index.ts';
import type { Finding } from '../core/finding.ts';
import { alertable, type FindingState } from '../core/lifecycle.ts';
import type { ScanReport } from '../core/report.ts';
import { atLeast } from '../core/severity.ts';
import { type FindingStateStore, type Notifier, parseFindingState, type ScanRecord } from '../core/state.ts';
import { makeFinalizeHandler } from '../functions/finalize.ts';
import { fileObjectStore } from '../functions/objects.ts';
import { lifecyclePublisher } from '../functions/publisher.ts';
import { memoryScanRuns } from '../functions/scan-runs.ts';
import { toSlackDigest } from '../publish/formats/digest.ts';
import { createDynamoStateStore } from '../publish/stores/dynamodb.ts';
import { createFolderReportStore } from '../publish/stores/local.ts';

export interface ChildConfig {
  objectsDir: string;
  reportsDir: string;
  scanId: string;
  state: { kind: 'dynamodb'; endpoint: string; table: string } | { kind: 'jsonl'; dir: string };
}

/**
 * State in a JSON Lines file, read and written a record at a time: what the DynamoDB store does, without dynalite's
 * few hundred writes a second (for the 20,000-cluster runs). `load` parses every record, as the DynamoDB store does;
 * `commit` streams the old file into a new one, replacing the changed records.
 */
function jsonlStateStore(dir: string): FindingStateStore {
  const file = join(dir, 'state.jsonl');
  const scansFile = join(dir, 'scans.jsonl');
  async function* lines(path: string): AsyncIterable<string> {
    try {
      await stat(path);
    } catch {
      return;
    }
    for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
      if (line) yield line;
    }
  }
  async function scans(limit: number): Promise<ScanRecord[]> {
    const all: ScanRecord[] = [];
    for await (const line of lines(scansFile)) all.push(JSON.parse(line) as ScanRecord);
    return all.reverse().slice(0, limit);
  }
  return {
    async load() {
      const findings: FindingState[] = [];
      for await (const line of lines(file)) findings.push(parseFindingState(JSON.parse(line), file));
      return { findings, lastScan: (await scans(1))[0] };
    },
    async commit(changed, scan) {
      await mkdir(dir, { recursive: true });
      const byId = new Map(changed.map((s) => [s.id, s]));
      const out = createWriteStream(`${file}.tmp`);
      const write = (text: string) =>
        out.write(text) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
      for await (const line of lines(file)) {
        const id = (JSON.parse(line) as FindingState).id;
        const next = byId.get(id);
        byId.delete(id);
        await write(`${next ? JSON.stringify(next) : line}\n`);
      }
      for (const s of byId.values()) await write(`${JSON.stringify(s)}\n`);
      await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
      await rename(`${file}.tmp`, file);
      await appendFile(scansFile, `${JSON.stringify(scan)}\n`);
    },
    scans,
  };
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;

function stateStore(): FindingStateStore {
  const s = config.state;
  if (s.kind === 'jsonl') return jsonlStateStore(s.dir);
  const client = new DynamoDBClient({
    endpoint: s.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' },
    maxAttempts: 3,
  });
  return createDynamoStateStore({ client, tableName: s.table });
}

// A notifier that does what Slack's does with the report (the digest), without the network.
const DIGEST_SEVERITY = 'high';
let digestBlocks = 0;
let digestSaid: { listed: number; more: number } | undefined;
let notified: { report: ScanReport; findings: () => AsyncIterable<Finding> } | undefined;
const digest: Notifier = {
  name: 'digest',
  async notify(report, context) {
    const { blocks } = toSlackDigest(report, { minSeverity: DIGEST_SEVERITY });
    digestBlocks = blocks.length;
    const texts = blocks.map((b) => JSON.stringify(b));
    digestSaid = {
      listed: texts.filter((t) => /"type":"section".*\* (NEW|REGRESSED) · /.test(t)).length,
      more: Number(texts.map((t) => /…and (\d+) more/.exec(t)?.[1]).find(Boolean) ?? 0),
    };
    notified = {
      report,
      findings:
        context.findings ??
        async function* () {
          yield* report.findings;
        },
    };
  },
};

/**
 * What the digest should have said, from every finding of the scan read back from the archive (not from the delta's
 * counts the digest uses): new and regressed unsuppressed FAILs, in all and at or above the digest's threshold.
 */
async function digestCheck() {
  if (!notified || !digestSaid) return undefined;
  let changed = 0;
  let atThreshold = 0;
  for await (const f of notified.findings()) {
    if (alertable([f]).length === 0) continue;
    changed++;
    if (atLeast(f.severity, DIGEST_SEVERITY)) atThreshold++;
  }
  const c = notified.report.delta?.counts;
  return {
    said: digestSaid.listed + digestSaid.more,
    ...digestSaid,
    archiveAtThreshold: atThreshold,
    deltaChanged: c ? c.new + c.regressed : 0,
    archiveChanged: changed,
  };
}
void checks; // the catalogue is loaded by the publisher, as in the Lambda

const objects = fileObjectStore(config.objectsDir);
const publisher = lifecyclePublisher({
  state: stateStore(),
  reports: createFolderReportStore(config.reportsDir),
  notifiers: [digest],
  objects,
  clock: () => new Date(),
});
const finalize = makeFinalizeHandler({ objects, runs: memoryScanRuns(), publisher, clock: () => new Date() });

const started = performance.now();
const cpu0 = process.cpuUsage();
const out = await finalize({ scanId: config.scanId });
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpu0);
const usage = process.resourceUsage();
const digestCounts = await digestCheck();
process.stdout.write(
  `${JSON.stringify({
    maxRssMiB: Math.round(usage.maxRSS / 1024),
    wallMs: Math.round(wallMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    digestBlocks,
    digestCounts,
    output: out,
  })}\n`,
);
