import { stripVTControlCharacters } from 'node:util';
import pc from 'picocolors';
import type { ResultStatus } from '../core/check.ts';
import type { Finding } from '../core/finding.ts';
import { alertable } from '../core/lifecycle.ts';
import type { ScanReport } from '../core/report.ts';
import { compareSeverity, SEVERITIES, type Severity } from '../core/severity.ts';
import { escapeControl, escapeControlDeep } from '../core/text.ts';

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
  /** Where the state lives, to say so on a first scan. */
  stateLabel?: string;
  /** Max failing findings listed per cluster before "and N more". */
  perCluster?: number;
}

/** The human summary: counts by status × severity, failing findings by cluster, collection errors. */
export function toTerminal(untrusted: ScanReport, opts: TerminalOptions): string {
  // Cloud data (names, ARNs, messages) is escaped before our own colour codes are added around it.
  const report = escapeControlDeep(untrusted);
  if (opts.stateLabel !== undefined) opts = { ...opts, stateLabel: escapeControl(opts.stateLabel) };
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
  if (report.delta) out.push(...deltaLines(report, c, opts), '');

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
          f.message + tag(c, f, Boolean(report.delta?.previousScanId)),
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

/** A marker after the message: on a first scan everything is new, so only suppression and staleness are marked. */
function tag(c: Colors, f: Finding, hasPrevious: boolean): string {
  const l = f.lifecycle;
  if (!l) return '';
  if (l.suppressed) return c.dim(` (suppressed until ${l.suppressed.expires}: ${l.suppressed.reason})`);
  if (l.stale) return c.dim(' (stale: not re-checked)');
  if (hasPrevious && (l.state === 'new' || l.state === 'regressed')) return ` ${c.bold(l.state.toUpperCase())}`;
  return '';
}

const LIST_LIMIT = 10;

function more(c: Colors, total: number): string[] {
  return total > LIST_LIMIT ? [c.dim(`    … and ${total - LIST_LIMIT} more`)] : [];
}

/** What changed since the previous scan: the part people read first. */
function deltaLines(report: ScanReport, c: Colors, opts: TerminalOptions): string[] {
  const d = report.delta!;
  const n = d.counts;
  const out: string[] = [];
  const counts = [
    `${c.bold(String(n.new))} new`,
    `${c.bold(String(n.regressed))} regressed`,
    `${c.green(String(n.resolved))} resolved`,
    `${n.stale} stale`,
    `${n.suppressed} suppressed`,
    `${n.open} open`,
  ].join(' · ');
  out.push(
    d.previousScanId
      ? `${c.bold('Since scan')} ${d.previousScanId}: ${counts}`
      : `${c.bold('First scan')}${opts.stateLabel ? c.dim(` (no earlier state in ${opts.stateLabel})`) : ''}: ${counts}`,
  );
  const fresh = alertable(report.findings);
  if (fresh.length > 0 && d.previousScanId) {
    out.push(c.bold('New and regressed'));
    const rows = [...fresh]
      .sort((a, b) => compareSeverity(a.severity, b.severity))
      .slice(0, LIST_LIMIT)
      .map((f) => [
        '   ',
        f.lifecycle!.state === 'new' ? c.bold('NEW') : c.bold(c.red('REGRESSED')),
        paintSeverity(c, f.severity, f.severity.toUpperCase()),
        f.checkId,
        f.clusterName,
        f.message,
      ]);
    out.push(table(rows), ...more(c, fresh.length));
  }
  if (d.resolved.length > 0 && d.previousScanId) {
    out.push(c.bold(c.green('Resolved')));
    out.push(
      table(
        d.resolved
          .slice(0, LIST_LIMIT)
          .map((r) => ['   ', r.severity.toUpperCase(), r.checkId, r.clusterName, r.reason ?? 'now passes']),
      ),
      ...more(c, d.resolved.length),
    );
  }
  if (d.stale.length > 0) {
    out.push(c.bold('Stale') + c.dim(' (still open: this scan could not read what would show them fixed)'));
    out.push(
      table(d.stale.slice(0, LIST_LIMIT).map((r) => ['   ', r.checkId, r.clusterName, r.reason ?? ''])),
      ...more(c, d.stale.length),
    );
  }
  for (const e of d.expiredSuppressions) {
    out.push(c.yellow(`Suppression ${e.index + 1} (${e.checkId} on ${e.resource}) expired on ${e.expires}`));
  }
  return out;
}
