import pc from 'picocolors';
import { type ComplianceControl, type ComplianceReport, coverageLine, VERDICT_ORDER } from '../core/compliance.ts';
import { escapeControl } from '../core/text.ts';
import { table, truncateLine } from './terminal.ts';

type Colors = ReturnType<typeof pc.createColors>;

const TITLE_WIDTH = 48;
const NAMED_CLUSTERS = 3;

function verdictCell(c: Colors, control: ComplianceControl): string {
  if (control.mode === 'manual') return c.dim('MANUAL');
  if (control.mode === 'not-assessed') return c.dim('NOT ASSESSED');
  if (control.clusters.length === 0) return c.dim('no clusters');
  const paint = { FAIL: c.red, ERROR: c.magenta, PASS: c.green, NOT_APPLICABLE: c.dim } as const;
  const accepted = control.clusters.filter((x) => x.acceptedRisk).length;
  return VERDICT_ORDER.filter((s) => control.verdicts[s] > 0)
    .map((s) => {
      const text = `${control.verdicts[s]} ${s === 'NOT_APPLICABLE' ? 'N/A' : s}`;
      return paint[s](s === 'FAIL' && accepted ? `${text} (${accepted} accepted)` : text);
    })
    .join(' · ');
}

/** The clusters that fail (or else error on) the control, a few by name. */
function whereCell(control: ComplianceControl): string {
  const bad = control.clusters.filter((x) => x.verdict === 'FAIL');
  const list = bad.length ? bad : control.clusters.filter((x) => x.verdict === 'ERROR');
  if (!list.length) return '';
  const names = list.slice(0, NAMED_CLUSTERS).map((x) => escapeControl(x.clusterName));
  const more = list.length > NAMED_CLUSTERS ? ` +${list.length - NAMED_CLUSTERS}` : '';
  return `${bad.length ? 'failing' : 'unknown'}: ${names.join(', ')}${more}`;
}

/**
 * The compliance section of the terminal summary: per benchmark, every control with its verdicts across clusters
 * (or MANUAL / NOT ASSESSED), the clusters that fail it, and the coverage line.
 */
export function complianceTerminal(reports: readonly ComplianceReport[], opts: { color: boolean }): string {
  const c = pc.createColors(opts.color);
  const out: string[] = [];
  for (const rep of reports) {
    const b = rep.benchmark;
    out.push(
      c.bold(`Compliance: ${b.title} ${b.version} (${b.id})`) +
        c.dim(` · ${rep.clusters.length} ${rep.clusters.length === 1 ? 'cluster' : 'clusters'}`),
      c.dim(`Coverage: ${coverageLine(rep.coverage)}`),
    );
    const rows = rep.controls.map((x) => [
      '  ',
      x.id,
      truncateLine(x.title, TITLE_WIDTH),
      verdictCell(c, x),
      c.dim(whereCell(x)),
    ]);
    out.push(table([['  ', 'CONTROL', 'TITLE', 'CLUSTERS', ''], ...rows]), '');
  }
  if (reports.length) {
    out.push(
      c.dim('A control fails on a cluster when any mapped check fails there; a suppressed failure still fails it'),
      c.dim('(shown as accepted). MANUAL: the benchmark needs a person. NOT ASSESSED: needs node or in-cluster data'),
      c.dim('kubeposture does not read. Their guidance is in --format json or csv, and in the HTML report.'),
      '',
    );
  }
  return out.join('\n');
}
