import type { CheckMeta } from '../core/check.ts';
import type { ReportWriter } from '../core/finalize.ts';
import type { Finding } from '../core/finding.ts';
import { FINDINGS_FILE, FINDINGS_INDEX_FILE, type ScanReport } from '../core/report.ts';
import type { ArtifactUpload, ReportArtifact, ReportStore } from '../core/state.ts';
import { ocsfEvents, toOcsf } from './formats/ocsf.ts';
import { toHtml } from './html.ts';
import { toJson } from './json.ts';

export const pretty = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/**
 * The files of one scan's report held whole (the CLI's `--out DIR`): the same names as finalize streams to S3, with
 * `report.json` complete (no `truncated`).
 */
export function reportArtifacts(report: ScanReport, catalogue: readonly CheckMeta[]): ReportArtifact[] {
  return [
    { name: 'report.json', contentType: 'application/json', body: toJson(report) },
    { name: FINDINGS_FILE, contentType: 'application/x-ndjson', body: toJsonLines(report.findings) },
    { name: 'report.ocsf.json', contentType: 'application/json', body: pretty(toOcsf(report, catalogue)) },
    { name: 'report.html', contentType: 'text/html; charset=utf-8', body: toHtml(report, catalogue) },
  ];
}

/** Every finding of a scan, one JSON object per line (also what `GET /findings` pages through, with its index). */
export function toJsonLines(findings: readonly Finding[]): string {
  return findings.map((f) => `${JSON.stringify(f)}\n`).join('');
}

/** Findings per page of the index: a page is one ranged GET of about a megabyte. */
export const FINDINGS_PAGE_SIZE = 1000;

/** One page of the findings file: its byte range, and the values it holds, so a filtered query skips pages. */
export interface FindingsIndexPage {
  start: number;
  end: number;
  count: number;
  status: string[];
  severity: string[];
  provider: string[];
  account: string[];
  cluster: string[];
  check: string[];
}

export interface FindingsIndex {
  schemaVersion: 1;
  scanId: string;
  /** The findings file beside the index. */
  file: string;
  total: number;
  pageSize: number;
  pages: FindingsIndexPage[];
}

/** Keeps the index of a JSON Lines file as its lines are written. */
function indexBuilder(scanId: string, pageSize: number) {
  const pages: FindingsIndexPage[] = [];
  let offset = 0;
  let total = 0;
  let page: { start: number; count: number; sets: Record<string, Set<string>> } | undefined;
  const close = () => {
    if (!page) return;
    const list = (k: string) => [...page!.sets[k]!].sort();
    pages.push({
      start: page.start,
      end: offset,
      count: page.count,
      status: list('status'),
      severity: list('severity'),
      provider: list('provider'),
      account: list('account'),
      cluster: list('cluster'),
      check: list('check'),
    });
    page = undefined;
  };
  return {
    add(f: Finding, bytes: number) {
      page ??= {
        start: offset,
        count: 0,
        sets: Object.fromEntries(
          ['status', 'severity', 'provider', 'account', 'cluster', 'check'].map((k) => [k, new Set<string>()]),
        ),
      };
      const s = page.sets;
      s.status!.add(f.status);
      s.severity!.add(f.severity);
      s.provider!.add(f.provider);
      s.account!.add(f.accountId);
      s.cluster!.add(f.clusterName);
      s.check!.add(f.checkId);
      page.count++;
      total++;
      offset += bytes;
      if (page.count === pageSize) close();
    },
    build(): FindingsIndex {
      close();
      return { schemaVersion: 1, scanId, file: FINDINGS_FILE, total, pageSize, pages };
    },
  };
}

/** Where a streamed report's files go: a report store or the results bucket, for one scan. */
export interface ReportFiles {
  open(name: string, contentType: string): Promise<ArtifactUpload>;
  /** The small files, after the streamed ones completed; returns every key. */
  put(artifacts: readonly ReportArtifact[], streamed: readonly string[]): Promise<string[]>;
  lines?(name: string): AsyncIterable<string>;
}

/** A report store's files for one scan; a store that cannot stream gets the large files whole (tests' fakes). */
export function reportStoreFiles(store: ReportStore, scanId: string, options: { latest?: boolean } = {}): ReportFiles {
  const buffered = new Map<string, { contentType: string; body: string }>();
  return {
    async open(name, contentType) {
      if (store.open) return store.open(scanId, name, contentType);
      let body = '';
      return {
        write: async (chunk) => {
          body += chunk;
        },
        complete: async () => void buffered.set(name, { contentType, body }),
        abort: async () => void buffered.delete(name),
      };
    },
    async put(artifacts, streamed) {
      const whole = [...buffered].map(([name, b]) => ({ name, ...b }));
      const { keys } = await store.put(
        scanId,
        [...whole, ...artifacts],
        streamed.filter((n) => !buffered.has(n)),
        options,
      );
      return keys;
    },
    ...(store.lines
      ? { lines: (name: string) => store.lines!(scanId, name) }
      : {
          async *lines(name: string) {
            for (const line of (buffered.get(name)?.body ?? '').split('\n')) if (line) yield line;
          },
        }),
  };
}

export interface StreamedReportOptions {
  /** `report.html` (bounded: the report it gets holds a selection). */
  html: boolean;
  /** `report.ocsf.json`. */
  ocsf: boolean;
}

/**
 * The report's files for a scan read a target at a time: `report.findings.jsonl` (every finding) and its page index,
 * `report.ocsf.json` (a JSON array, one event per line), streamed as findings come; then `report.json` and
 * `report.html` from the bounded report. Memory: one upload part per streamed file and the page being indexed.
 */
export async function streamedReportWriter(
  files: ReportFiles,
  header: ScanReport,
  catalogue: readonly CheckMeta[],
  options: StreamedReportOptions,
): Promise<ReportWriter> {
  const jsonl = await files.open(FINDINGS_FILE, 'application/x-ndjson');
  const ocsfFile = options.ocsf ? await files.open('report.ocsf.json', 'application/json') : undefined;
  const ocsf = ocsfEvents(catalogue);
  const index = indexBuilder(header.scan.id, FINDINGS_PAGE_SIZE);
  /** Findings resolved by a result read in this scan: their OCSF Close event was written with them. */
  const resolvedHere = new Set<string>();
  let events = 0;
  await ocsfFile?.write('[\n');
  return {
    async finding(f) {
      const line = `${JSON.stringify(f)}\n`;
      index.add(f, Buffer.byteLength(line, 'utf8'));
      await jsonl.write(line);
      if (f.lifecycle?.state === 'resolved') resolvedHere.add(f.id);
      if (ocsfFile) await ocsfFile.write(`${events++ ? ',\n' : ''}${JSON.stringify(ocsf.event(f, header))}`);
    },
    async finish(report) {
      if (ocsfFile) {
        for (const e of ocsf.closures(report, resolvedHere))
          await ocsfFile.write(`${events++ ? ',\n' : ''}${JSON.stringify(e)}`);
        await ocsfFile.write('\n]\n');
      }
      await jsonl.complete();
      await ocsfFile?.complete();
      const small: ReportArtifact[] = [
        { name: 'report.json', contentType: 'application/json', body: toJson(report) },
        { name: FINDINGS_INDEX_FILE, contentType: 'application/json', body: `${JSON.stringify(index.build())}\n` },
      ];
      if (options.html) {
        small.push({
          name: 'report.html',
          contentType: 'text/html; charset=utf-8',
          body: toHtml(report, catalogue, {
            ...(report.truncated
              ? { omitted: report.truncated.findingsOmitted, fullDataFile: report.truncated.fullDataKey }
              : {}),
          }),
        });
      }
      return files.put(small, [FINDINGS_FILE, ...(ocsfFile ? ['report.ocsf.json'] : [])]);
    },
    async abort() {
      await Promise.allSettled([jsonl.abort(), ocsfFile?.abort()]);
    },
    ...(files.lines
      ? {
          async *findings() {
            for await (const line of files.lines!(FINDINGS_FILE)) yield JSON.parse(line) as Finding;
          },
        }
      : {}),
  };
}
