import { stripVTControlCharacters } from 'node:util';
import pc from 'picocolors';
import type { ResultStatus } from '../core/check.ts';
import type { Finding } from '../core/finding.ts';
import type { ScanReport } from '../core/report.ts';
import { SEVERITIES, type Severity } from '../core/severity.ts';

type Colors = ReturnType<typeof pc.createColors>;

const STATUSES: ResultStatus[] = ['FAIL', 'ERROR', 'PASS', 'NOT_APPLICABLE'];

function paintSeverity(c: Colors, s: Severity, text: string): string {
  switch (s) {
    case 'critical':
      return c.bold(c.red(text));
    case 'high':
      return c.red(text);
    case 'medium':
      return c.yellow(text);
    case 'low':
      return c.cyan(text);
    default:
      return c.dim(text);
  }
}

function paintStatus(c: Colors, s: ResultStatus, text: string): string {
  if (s === 'FAIL') return c.red(text);
  if (s === 'ERROR') return c.magenta(text);
  if (s === 'PASS') return c.green(text);
  return c.dim(text);
}

/** Plain-text table; pads on visible width so colours do not break alignment. */
export function table(rows: string[][], align: ('l' | 'r')[] = []): string {
  const visible = (s: string) => stripVTControlCharacters(s).length;
  const widths: number[] = [];
  for (const r of rows) {
    for (const [i, cell] of r.entries()) widths[i] = Math.max(widths[i] ?? 0, visible(cell));
  }
  return rows
    .map((r) =>
      r
        .map((cell, i) => {
          const pad = ' '.repeat((widths[i] ?? 0) - visible(cell));
          return align[i] === 'r' ? pad + cell : cell + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export interface TerminalOptions {
  color: boolean;
  /** Max failing findings listed per cluster before "and N more". */
  perCluster?: number;
}

/** The human summary: counts by status × severity, failing findings by cluster, collection errors. */
export function toTerminal(report: ScanReport, opts: TerminalOptions): string {
  const c = pc.createColors(opts.color);
  const s = report.summary;
  const out: string[] = [];
  const accounts = new Set(report.targets.map((t) => t.accountId)).size;
  out.push(
    c.bold(`kubeposture scan ${report.scan.id}`) +
      c.dim(
        ` · ${accounts} accounts · ${s.targets.total} targets (${s.targets.failed} failed, ${s.targets.partial} partial) · ${s.clusters} clusters`,
      ),
    '',
  );

  const counts = new Map<string, number>();
  for (const f of report.findings)
    counts.set(`${f.status}/${f.severity}`, (counts.get(`${f.status}/${f.severity}`) ?? 0) + 1);
  const header = ['Results', ...SEVERITIES.map((sev) => paintSeverity(c, sev, sev)), 'total'];
  const rows = STATUSES.map((st) => [
    paintStatus(c, st, st === 'NOT_APPLICABLE' ? 'N/A' : st),
    ...SEVERITIES.map((sev) => String(counts.get(`${st}/${sev}`) ?? 0)),
    c.bold(String(s.byStatus[st])),
  ]);
  out.push(table([header, ...rows], ['l', 'r', 'r', 'r', 'r', 'r', 'r']), '');

  const failing = report.findings.filter((f) => f.status === 'FAIL' || f.status === 'ERROR');
  if (failing.length > 0) {
    out.push(c.bold('Failing findings by cluster'));
    const byCluster = new Map<string, Finding[]>();
    for (const f of failing) byCluster.set(f.clusterId, [...(byCluster.get(f.clusterId) ?? []), f]);
    const limit = opts.perCluster ?? 20;
    for (const list of byCluster.values()) {
      const first = list[0]!;
      out.push(`  ${c.bold(first.clusterName)} ${c.dim(`${first.provider} ${first.accountId} ${first.region}`)}`);
      const shown = list
        .slice(0, limit)
        .map((f) => [
          '   ',
          f.status === 'ERROR'
            ? paintStatus(c, 'ERROR', 'ERROR')
            : paintSeverity(c, f.severity, f.severity.toUpperCase()),
          f.checkId,
          f.message,
        ]);
      out.push(table(shown));
      if (list.length > limit) out.push(c.dim(`    … and ${list.length - limit} more`));
    }
    out.push('');
  } else {
    out.push(c.green('No failing findings.'), '');
  }

  if (report.errors.length > 0) {
    out.push(
      c.bold(c.magenta('Collection errors')) + c.dim(' (these were not scanned: nothing there is known to pass)'),
    );
    out.push(
      table(
        report.errors.map((e) => [
          '   ',
          `${e.provider} ${e.accountId} ${e.region}`,
          e.stage,
          c.magenta(e.code),
          e.message,
        ]),
      ),
      '',
    );
  }
  return out.join('\n');
}
