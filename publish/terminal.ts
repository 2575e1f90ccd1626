import { stripVTControlCharacters } from 'node:util';
import pc from 'picocolors';
import type { ResultStatus } from '../core/check.ts';
import type { Finding } from '../core/finding.ts';
import { insightSummaryLines } from '../core/insights-summary.ts';
import { alertable, alertTotals } from '../core/lifecycle.ts';
import { plural, type ScanReport } from '../core/report.ts';
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

/**
 * Whether to colour output, in the order scanner users expect: `--no-color` (flag false) always wins; then
 * `FORCE_COLOR` (`0` or `false` turn colour off, any other non-empty value on, as in Node and chalk); then
 * `NO_COLOR` (any non-empty value: off, no-color.org); then `TERM=dumb`; then whether the stream is a terminal.
 */
export function colorEnabled(env: NodeJS.ProcessEnv, isTTY: boolean | undefined, flag?: boolean): boolean {
  if (flag === false) return false;
  const force = env.FORCE_COLOR?.trim().toLowerCase();
  if (force) return force !== '0' && force !== 'false';
  if (env.NO_COLOR) return false;
  if (env.TERM === 'dumb') return false;
  return Boolean(isTTY);
}

/**
 * Columns to fit output into: the terminal's own width; otherwise `COLUMNS` when it is a number (CI systems set it);
 * otherwise DEFAULT_WIDTH. Never below 40, where a table row has no room left for its message.
 */
export function outputWidth(stream: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv): number {
  const fromEnv = Number.parseInt(env.COLUMNS ?? '', 10);
  const width =
    stream.isTTY && stream.columns && stream.columns > 0
      ? stream.columns
      : Number.isFinite(fromEnv) && fromEnv > 0
        ? fromEnv
        : DEFAULT_WIDTH;
  return Math.max(40, width);
}

/** Display width when stdout is not a terminal (a CI log, a pipe, a file): wide enough for most messages. */
export const DEFAULT_WIDTH = 120;

const SGR = new RegExp(`^${String.fromCharCode(0x1b)}\\[[0-9;]*m`);

/** Columns a string takes on screen: our colour codes take none (cloud text is escaped before it gets here). */
export function visibleWidth(s: string): number {
  return [...stripVTControlCharacters(s)].length;
}

/**
 * Cuts a line to `width` columns, ending it with `…`; colour codes are kept (they take no room) and reset after a
 * cut, so a cut inside a coloured run does not colour the next line.
 */
export function truncateLine(line: string, width: number): string {
  if (visibleWidth(line) <= width) return line;
  let out = '';
  let used = 0;
  let coloured = false;
  for (let i = 0; i < line.length; ) {
    const sgr = SGR.exec(line.slice(i, i + 16));
    if (sgr) {
      out += sgr[0];
      coloured = true;
      i += sgr[0].length;
      continue;
    }
    const ch = String.fromCodePoint(line.codePointAt(i)!);
    if (used === width - 1) break;
    out += ch;
    used++;
    i += ch.length;
  }
  return `${out.trimEnd()}…${coloured ? '\x1b[0m' : ''}`;
}

/** Every line cut to `width`; `cut` says whether any was, so the output can say where the full text is. */
export function fitWidth(text: string, width: number): { text: string; cut: boolean } {
  let cut = false;
  const lines = text.split('\n').map((l) => {
    const fitted = truncateLine(l, width);
    if (fitted !== l) cut = true;
    return fitted;
  });
  return { text: lines.join('\n'), cut };
}

/** Plain-text table; pads on visible width so colours do not break alignment. */
export function table(rows: string[][], align: ('l' | 'r')[] = []): string {
  const visible = visibleWidth;
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
  /** Columns to fit every line into (long messages end with `…`); none: no limit. */
  width?: number;
  /** A line saying what the report was filtered to (`--severity`, `--changed-only`, `--checks`). */
  filterLabel?: string;
}

/** The human summary: counts by status × severity, failing findings by cluster, collection errors. */
export function toTerminal(untrusted: ScanReport, opts: TerminalOptions): string {
  // Cloud data (names, ARNs, messages) is escaped before our own colour codes are added around it.
  const report = escapeControlDeep(untrusted);
  if (opts.stateLabel !== undefined) opts = { ...opts, stateLabel: escapeControl(opts.stateLabel) };
  const c = pc.createColors(opts.color);
  const s = report.summary;
  const out: string[] = [];
  out.push(
    c.bold(`kubeposture scan ${report.scan.id}`),
    c.dim(
      `${scopeLabel(report)}${plural(s.targets.total, 'target')} (${s.targets.failed} failed, ${s.targets.partial} partial) · ${plural(s.clusters, 'cluster')}`,
    ),
  );
  if (opts.filterLabel) out.push(c.dim(`Showing ${escapeControl(opts.filterLabel)}`));
  out.push('');
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
          tag(c, f, Boolean(report.delta?.previousScanId)) + f.message,
        ]);
      out.push(table(shown));
      if (list.length > limit) out.push(c.dim(`    … and ${list.length - limit} more`));
    }
    out.push('');
  } else if (s.targets.total === 0 || s.targets.failed === s.targets.total) {
    // Nothing read is not nothing wrong: never the green line for a scan that saw no cluster.
    out.push(c.bold(c.magenta('Nothing was scanned: no target could be read (see the collection errors).')), '');
  } else {
    out.push(c.green('No failing findings.'), '');
  }

  const insights = insightSummaryLines(report.insights);
  if (insights.length > 0) out.push(c.bold('EKS insights open across accounts'), ...insights, '');

  if (report.errors.length > 0) {
    out.push(
      c.bold(c.magenta('Collection errors')) + c.dim(' (these were not scanned: nothing there is known to pass)'),
    );
    // The message says what to fix (a role, a permission, an API to enable): wrapped under its target, not cut.
    for (const e of report.errors) {
      out.push(`    ${e.provider} ${e.accountId} ${e.region}  ${e.stage}  ${c.magenta(e.code)}`);
      out.push(...wrap(e.message, (opts.width ?? Number.POSITIVE_INFINITY) - 6, 3).map((l) => `      ${l}`));
    }
    out.push('');
  }
  const text = out.join('\n');
  if (opts.width === undefined) return text;
  const fitted = fitWidth(text, opts.width);
  return fitted.cut
    ? `${fitted.text}\n${truncateLine(c.dim(`Long lines end with … at ${opts.width} columns: --format json or --out has the full text.`), opts.width)}\n`
    : fitted.text;
}

/**
 * Word-wraps plain text into lines of at most `width` columns, at most `maxLines` of them (the last ends with `…`
 * when text is left over). A word longer than a line (an ARN) is cut into pieces.
 */
export function wrap(text: string, width: number, maxLines: number): string[] {
  if (!Number.isFinite(width) || visibleWidth(text) <= width) return [text];
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let w = word;
    while (w) {
      const room = current ? width - visibleWidth(current) - 1 : width;
      if (visibleWidth(w) <= room) {
        current = current ? `${current} ${w}` : w;
        w = '';
      } else if (current && visibleWidth(w) <= width) {
        lines.push(current);
        current = '';
      } else {
        const cut = [...w].slice(0, Math.max(1, room)).join('');
        lines.push(current ? `${current} ${cut}` : cut);
        current = '';
        w = w.slice(cut.length);
      }
    }
  }
  if (current) lines.push(current);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = truncateLine(`${kept[maxLines - 1]} ${lines[maxLines]}`, width);
  return kept;
}

const SCOPE_NOUNS: Record<string, string> = { aws: 'AWS account', azure: 'Azure subscription', gcp: 'GCP project' };

/** `3 AWS accounts · 1 Azure subscription · `: what the targets span, per cloud (a whole-cloud `*` is not counted). */
function scopeLabel(report: ScanReport): string {
  const byProvider = new Map<string, Set<string>>();
  for (const t of report.targets) {
    if (t.accountId === '*') continue;
    byProvider.set(t.provider, (byProvider.get(t.provider) ?? new Set()).add(t.accountId));
  }
  return [...byProvider].map(([p, ids]) => `${plural(ids.size, SCOPE_NOUNS[p] ?? `${p} account`)} · `).join('');
}

/**
 * A marker before the message (a long message is cut at the terminal width; the marker must survive): on a first
 * scan everything is new, so only suppression and staleness are marked.
 */
function tag(c: Colors, f: Finding, hasPrevious: boolean): string {
  const l = f.lifecycle;
  if (!l) return '';
  if (l.suppressed) return `${c.dim(`(suppressed until ${l.suppressed.expires}: ${l.suppressed.reason})`)} `;
  if (l.stale) return `${c.dim('(stale: not re-checked)')} `;
  if (hasPrevious && (l.state === 'new' || l.state === 'regressed')) return `${c.bold(l.state.toUpperCase())} `;
  return '';
}

const LIST_LIMIT = 10;

/** "… and N more" under a list of `shown` rows, where `total` is the whole count (a report may hold a selection). */
function more(c: Colors, total: number, shown: number): string[] {
  return total > shown ? [c.dim(`    … and ${total - shown} more`)] : [];
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
    out.push(table(rows), ...more(c, alertTotals(report).total, rows.length));
  }
  if (d.resolved.length > 0 && d.previousScanId) {
    out.push(c.bold(c.green('Resolved')));
    out.push(
      table(
        d.resolved
          .slice(0, LIST_LIMIT)
          .map((r) => ['   ', r.severity.toUpperCase(), r.checkId, r.clusterName, r.reason ?? 'now passes']),
      ),
      ...more(c, n.resolved, Math.min(d.resolved.length, LIST_LIMIT)),
    );
  }
  if (d.stale.length > 0) {
    out.push(c.bold('Stale') + c.dim(' (still open: this scan could not read what would show them fixed)'));
    out.push(
      table(d.stale.slice(0, LIST_LIMIT).map((r) => ['   ', r.checkId, r.clusterName, r.reason ?? ''])),
      ...more(c, n.stale, Math.min(d.stale.length, LIST_LIMIT)),
    );
  }
  for (const e of d.expiredSuppressions) {
    out.push(c.yellow(`Suppression ${e.index + 1} (${e.checkId} on ${e.resource}) expired on ${e.expires}`));
  }
  return out;
}
