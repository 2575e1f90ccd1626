/**
 * Bundle size and cold import cost of each Lambda function, built exactly as the stack builds it
 * (stacks/bundling.ts). Times are ratios to a bare `node -e 0` in the same run (machines here are shared and noisy).
 *
 *   npm run bench:bundles -- [--runs 7] [--out <dir>]
 *
 * Exits 1 when an AWS-scanning function (plan, scan-target) loads more than the budget at import, or loads an
 * Azure or Google SDK at all.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  AWS_BUNDLE_BUDGET_BYTES,
  AWS_SCANNING_FUNCTIONS,
  BUNDLE_ENTRY_FILE,
  bundleFiles,
  bundleFunction,
  bundleSources,
  functionEntry,
  functionNodeOptions,
  loadedAtImport,
  MULTI_CLOUD_FUNCTIONS,
  NON_AWS_SDK,
  SCANNER_FUNCTIONS,
  type ScannerFunctionName,
  totalBytes,
} from '../stacks/bundling.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    out: { type: 'string' },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: expected a positive integer, got ${values.runs}`);
const outRoot = values.out ?? mkdtempSync(join(tmpdir(), 'kubeposture-bundles-'));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

interface Sample {
  ms: number;
  rss: number;
}

/** One fresh Node process: wall time from spawn to exit, and the RSS it reports after its work. */
function spawnNode(args: string[], env: Record<string, string>): Sample {
  const start = performance.now();
  // No AWS settings at all, as the stack test boots a bundle: importing a handler must need none.
  const run = spawnSync(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', AWS_EC2_METADATA_DISABLED: 'true', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const ms = performance.now() - start;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed (${run.status}): ${run.stderr}`);
  return { ms, rss: Number(run.stdout.trim()) || 0 };
}

const REPORT_RSS = 'process.stdout.write(String(process.memoryUsage().rss))';
const importScript = (file: string) => `await import(${JSON.stringify(pathToFileURL(file).href)}); ${REPORT_RSS}`;

interface Built {
  name: ScannerFunctionName;
  dir: string;
  buildMs: number;
  atImportBytes: number;
  allBytes: number;
  mapBytes: number;
  files: number;
  atImportFiles: number;
  nonAwsSdkAtImport: string[];
  nonAwsSdkInBundle: boolean;
}

const built: Built[] = SCANNER_FUNCTIONS.map((name) => {
  const dir = join(outRoot, name);
  rmSync(dir, { recursive: true, force: true });
  const start = performance.now();
  bundleFunction(functionEntry(name), dir);
  const buildMs = performance.now() - start;
  const files = bundleFiles(dir);
  const atImport = loadedAtImport(dir);
  const packagesOf = (fs: string[]) => new Set(bundleSources(dir, fs).map((s) => s.match(NON_AWS_SDK)?.[1] ?? ''));
  const nonAws = packagesOf(atImport);
  nonAws.delete('');
  const anyNonAws = packagesOf(files);
  anyNonAws.delete('');
  return {
    name,
    dir,
    buildMs,
    atImportBytes: totalBytes(dir, atImport),
    allBytes: totalBytes(dir, files),
    mapBytes: totalBytes(
      dir,
      files.map((f) => `${f}.map`),
    ),
    files: files.length,
    atImportFiles: atImport.length,
    nonAwsSdkAtImport: [...nonAws],
    nonAwsSdkInBundle: anyNonAws.size > 0,
  };
});

// Interleaved, so drift in the machine's load hits every column alike.
const bare: Sample[] = [];
const bareRss: Sample[] = [];
const cold = new Map<string, Sample[]>();
const coldMaps = new Map<string, Sample[]>();
const push = (m: Map<string, Sample[]>, k: string, s: Sample) => m.set(k, [...(m.get(k) ?? []), s]);
for (let i = 0; i < runs; i++) {
  bare.push(spawnNode(['-e', '0'], {}));
  bareRss.push(spawnNode(['-e', REPORT_RSS], {}));
  for (const b of built) {
    const args = ['--input-type=module', '-e', importScript(join(b.dir, BUNDLE_ENTRY_FILE))];
    push(cold, b.name, spawnNode(args, functionNodeOptions(false)));
    // What the deployment's `sourceMaps: true` costs.
    push(coldMaps, b.name, spawnNode(args, functionNodeOptions(true)));
  }
}
const bareMs = median(bare.map((s) => s.ms));

console.log(`Bundles in ${outRoot}; ${runs} cold imports each, medians; bare \`node -e 0\`: ${bareMs.toFixed(0)} ms, `);
console.log(`RSS ${mib(median(bareRss.map((s) => s.rss)))} (ratios below are to it; each process starts Node too)\n`);
const rows = built.map((b) => {
  const c = cold.get(b.name)!;
  const m = coldMaps.get(b.name)!;
  return {
    function: b.name,
    'loaded at import': `${mb(b.atImportBytes)} (${b.atImportFiles} files)`,
    'whole bundle': `${mb(b.allBytes)} (${b.files} files)`,
    'source maps': mb(b.mapBytes),
    'cold import': `${(median(c.map((s) => s.ms)) / bareMs).toFixed(2)}×`,
    'with source maps': `${(median(m.map((s) => s.ms)) / bareMs).toFixed(2)}×`,
    'RSS after import': mib(median(c.map((s) => s.rss))),
    'Azure/Google SDK at import': b.nonAwsSdkAtImport.join(', ') || 'none',
    build: `${(b.buildMs / 1000).toFixed(1)} s`,
  };
});
console.table(rows);

const failures = built
  .filter((b) => AWS_SCANNING_FUNCTIONS.includes(b.name))
  .flatMap((b) => [
    ...(b.atImportBytes > AWS_BUNDLE_BUDGET_BYTES
      ? [`${b.name} loads ${mb(b.atImportBytes)} at import, over the ${mb(AWS_BUNDLE_BUDGET_BYTES)} budget`]
      : []),
    ...(b.nonAwsSdkAtImport.length ? [`${b.name} loads ${b.nonAwsSdkAtImport.join(', ')} at import`] : []),
    ...(b.nonAwsSdkInBundle || !MULTI_CLOUD_FUNCTIONS.includes(b.name)
      ? []
      : [`${b.name} bundles no Azure or Google SDK at all: the lazy chunks are missing`]),
  ]);
for (const f of failures) console.error(`FAIL: ${f}`);
if (!values.out) rmSync(outRoot, { recursive: true, force: true });
process.exitCode = failures.length ? 1 : 0;
