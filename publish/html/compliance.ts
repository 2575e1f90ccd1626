import type { ResultStatus } from '../../core/check.ts';
import { type ComplianceControl, type ComplianceReport, coverageLine, VERDICT_ORDER } from '../../core/compliance.ts';
import { html, type SafeHtml } from '../html-escape.ts';

/** Clusters named per verdict in a control's row before "and N more". */
const NAMED = 12;
const n = (x: number) => x.toLocaleString('en-US');

const verdictBadge = (s: ResultStatus, text: string) => html`<span class="st st-${s}">${text}</span>`;

function verdictsCell(c: ComplianceControl): SafeHtml {
  if (c.mode === 'manual') return verdictBadge('NOT_APPLICABLE', 'manual');
  if (c.mode === 'not-assessed') return verdictBadge('NOT_APPLICABLE', 'not assessed');
  if (!c.clusters.length) return html`<span class="muted">no clusters scanned</span>`;
  return html`${VERDICT_ORDER.filter((s) => c.verdicts[s] > 0).map(
    (s) => html`${verdictBadge(s, `${n(c.verdicts[s])} ${s === 'NOT_APPLICABLE' ? 'N/A' : s}`)} `,
  )}`;
}

/** Which clusters fail or could not be judged, and why (the mapped checks), a few by name. */
function clustersCell(c: ComplianceControl): SafeHtml {
  if (c.mode !== 'checked') return html`<span class="muted">${c.guidance ?? ''}</span>`;
  const lines = (['FAIL', 'ERROR'] as const).flatMap((v) => {
    const list = c.clusters.filter((x) => x.verdict === v);
    if (!list.length) return [];
    const names = list.slice(0, NAMED).map((x) => {
      const why = v === 'FAIL' ? x.failing : [...x.errors, ...x.missing.map((m) => `${m} not run`)];
      const tip = `${x.accountId} ${x.region}: ${why.join(', ')}${x.acceptedRisk ? ' (every failure suppressed: accepted risk)' : ''}`;
      return html`<span title="${tip}">${x.clusterName}${x.acceptedRisk ? html` <small>(accepted)</small>` : ''}</span>`;
    });
    return [
      html`<div><b>${v === 'FAIL' ? 'Failing' : 'Unknown'}:</b> ${names.map((x, i) => html`${i ? ', ' : ''}${x}`)}${list.length > NAMED ? ` and ${n(list.length - NAMED)} more` : ''}</div>`,
    ];
  });
  return html`${lines}<div class="muted">Checks: ${c.checks.join(', ')}</div>`;
}

function benchmarkBlock(rep: ComplianceReport): SafeHtml {
  const b = rep.benchmark;
  const cov = rep.coverage;
  const failing = rep.controls.filter((c) => c.verdicts.FAIL > 0).length;
  return html`<h3 id="compliance-${b.id}">${b.title} ${b.version} <span class="muted">(${b.id})</span></h3>
<div class="cards"><div class="card">Controls<b>${n(cov.controls)}</b><span class="muted">${n(cov.automated)} automated, ${n(cov.manual)} manual</span></div><div class="card">Checked by kubeposture<b>${n(cov.checked)}</b><span class="muted">${cov.controls ? Math.round((cov.checked / cov.controls) * 100) : 0}% of controls</span></div><div class="card${failing ? ' delta' : ''}">Failing on a cluster<b>${n(failing)}</b></div><div class="card">Clusters<b>${n(rep.clusters.length)}</b></div></div>
<p class="muted">Coverage: ${coverageLine(cov)}.</p>
<details><summary>${n(rep.controls.length)} controls: verdicts across clusters, and guidance for those judged by hand</summary><div><div class="scroll"><table><tr><th>Control</th><th>Title</th><th>Verdict across clusters</th><th>Where, or what to check</th></tr>
${rep.controls.map(
  (c) =>
    html`<tr><td><b>${c.id}</b></td><td>${c.title}${c.section ? html`<br><small class="muted">${c.section} · ${c.assessment}</small>` : html`<br><small class="muted">${c.assessment}</small>`}</td><td>${verdictsCell(c)}</td><td class="msg">${clustersCell(c)}</td></tr>`,
)}</table></div></div></details>`;
}

/**
 * The report's compliance section (`--compliance`): per benchmark, coverage cards, then every control with its
 * verdicts across clusters, the clusters failing it, and guidance for the controls no check judges. Empty without
 * a compliance section in the report.
 */
export function complianceSection(reports: readonly ComplianceReport[] | undefined): SafeHtml {
  if (!reports?.length) return html``;
  return html`<h2 id="compliance">Compliance</h2>
<p class="muted">Each control a kubeposture check maps to is judged per cluster: it fails where any mapped check fails, is unknown where one could not read its data or did not run, and passes only where the checks pass. A suppressed failure still fails its control (shown as accepted). Controls no check maps to are listed as manual (the benchmark needs a person) or not assessed (they need node or in-cluster data kubeposture does not read), with what to check.</p>
${reports.map(benchmarkBlock)}`;
}
