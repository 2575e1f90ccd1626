import { CATEGORIES, type CheckMeta, type ResultStatus } from '../core/check.ts';
import type { Finding } from '../core/finding.ts';
import { alertable, type FindingLifecycle, type FindingRef } from '../core/lifecycle.ts';
import type { ScanReport } from '../core/report.ts';
import { compareSeverity, SEVERITIES } from '../core/severity.ts';
import type { Provider } from '../core/snapshot.ts';
import { html, SafeHtml } from './html-escape.ts';

const STYLE = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa;--critical:#8b0000;--high:#d1242f;--medium:#bc4c00;--low:#9a6700;--info:#0969da;--pass:#1a7f37;--error:#8250df}
*{box-sizing:border-box}body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg);margin:0}
main{max-width:1200px;margin:0 auto;padding:24px}h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
.meta{color:var(--muted)}.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}.card{border:1px solid var(--line);border-radius:6px;padding:10px 14px;min-width:110px;background:var(--soft)}
.card b{display:block;font-size:22px}table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600}.sev,.st{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;color:#fff}
.sev-critical{background:var(--critical)}.sev-high{background:var(--high)}.sev-medium{background:var(--medium)}.sev-low{background:var(--low)}.sev-info{background:var(--info)}
.st-FAIL{background:var(--high)}.st-PASS{background:var(--pass)}.st-ERROR{background:var(--error)}.st-NOT_APPLICABLE{background:var(--muted)}
details{border:1px solid var(--line);border-radius:6px;margin:8px 0;background:var(--bg)}summary{cursor:pointer;padding:8px 12px;font-weight:600}
details>div{padding:0 12px 12px}pre{background:var(--soft);padding:8px;border-radius:4px;overflow:auto;font-size:12px;max-height:240px;white-space:pre-wrap;overflow-wrap:anywhere}
.finding{border-top:1px solid var(--line);padding:8px 0}.finding p{margin:4px 0}.muted{color:var(--muted)}code{font-size:12px}
.lc{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;border:1px solid currentColor}
.lc-new{color:var(--high)}.lc-regressed{color:var(--critical);background:#ffebe9}.lc-persisting{color:var(--muted)}.lc-resolved{color:var(--pass)}
.lc-stale{color:var(--error)}.lc-suppressed{color:var(--muted);border-style:dashed}
.card.delta b{color:var(--high)}.card.good b{color:var(--pass)}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}td.zero{color:var(--muted)}
a{color:var(--info)}@media print{details{break-inside:avoid}details:not([open])>div{display:block}}
`;

function badge(kind: 'sev' | 'st', value: string): SafeHtml {
  return html`<span class="${kind} ${kind}-${value}">${value.replace('_', ' ')}</span>`;
}

function lifecycleBadges(l: FindingLifecycle | undefined): SafeHtml {
  if (!l) return html``;
  const lc = (kind: string, text: string, title = '') =>
    html` <span class="lc lc-${kind}" title="${title}">${text}</span>`;
  return html`${l.state === 'persisting' ? '' : lc(l.state, l.state)}${l.stale ? lc('stale', 'stale', l.stale.reason) : ''}${l.suppressed ? lc('suppressed', 'suppressed') : ''}`;
}

function lifecycleLine(l: FindingLifecycle | undefined): SafeHtml {
  if (!l) return html``;
  return html`<p class="muted">First seen ${l.firstSeen} · last failed ${l.lastSeen}${l.stale ? html` · <b>stale since ${l.stale.since}</b>: ${l.stale.reason}` : ''}${
    l.suppressed
      ? html` · <b>suppressed</b> by entry ${l.suppressed.index + 1} (${l.suppressed.owner}, until ${l.suppressed.expires}): ${l.suppressed.reason}`
      : ''
  }</p>`;
}

function findingBlock(f: Finding, meta: CheckMeta | undefined): SafeHtml {
  const frameworks = meta ? Object.entries(meta.frameworks).map(([fw, ids]) => `${fw}: ${ids.join(', ')}`) : [];
  const showAdvice = f.status === 'FAIL' && meta;
  return html`<div class="finding" id="f-${f.id}">
  <p>${badge('st', f.status)} ${badge('sev', f.severity)}${lifecycleBadges(f.lifecycle)} <b>${f.checkId}</b> ${f.title}</p>
  <p>${f.message}</p>
  ${lifecycleLine(f.lifecycle)}
  <p class="muted">Resource: <code>${f.resourceId}</code> · Finding <code>${f.id}</code></p>
  ${showAdvice ? html`<p><b>Risk.</b> ${meta.risk}</p><p><b>Remediation.</b> ${meta.remediation.text}</p>${meta.remediation.cli ? html`<pre>${meta.remediation.cli}</pre>` : ''}` : ''}
  ${frameworks.length ? html`<p class="muted">Frameworks: ${frameworks.join(' · ')}</p>` : ''}
  ${Object.keys(f.evidence).length ? html`<details><summary>Evidence</summary><div><pre>${JSON.stringify(f.evidence, null, 2)}</pre></div></details>` : ''}
</div>`;
}

const ORDER: ResultStatus[] = ['FAIL', 'ERROR', 'PASS', 'NOT_APPLICABLE'];
const CLOUDS: Provider[] = ['aws', 'azure', 'gcp'];
const CLOUD_NAMES: Record<Provider, string> = { aws: 'AWS (EKS)', azure: 'Azure (AKS)', gcp: 'Google Cloud (GKE)' };
const LIST_LIMIT = 50;

function refRow(r: FindingRef): SafeHtml {
  return html`<tr><td>${badge('sev', r.severity)}</td><td><b>${r.checkId}</b> ${r.title}</td><td>${r.clusterName}<br><span class="muted">${r.provider} ${r.accountId} ${r.region}</span></td><td>${r.reason ?? r.message}</td></tr>`;
}

function truncated(total: number): SafeHtml {
  return total > LIST_LIMIT ? html`<p class="muted">… and ${total - LIST_LIMIT} more.</p>` : html``;
}

/** What changed since the previous scan: the section a reader looks at first. */
function deltaSection(report: ScanReport): SafeHtml {
  const d = report.delta;
  if (!d) return html``;
  const c = d.counts;
  const fresh = alertable(report.findings).sort((a, b) => compareSeverity(a.severity, b.severity));
  const card = (label: string, n: number, cls = '') => html`<div class="card ${cls}">${label}<b>${n}</b></div>`;
  return html`<h2>What changed</h2>
<p class="meta">${d.previousScanId ? html`Since scan <code>${d.previousScanId}</code>.` : 'First scan with this state: every failing finding is new.'}</p>
<div class="cards">${card('New', c.new, c.new ? 'delta' : '')}${card('Regressed', c.regressed, c.regressed ? 'delta' : '')}${card('Resolved', c.resolved, 'good')}${card('Still failing', c.persisting)}${card('Stale', c.stale)}${card('Suppressed', c.suppressed)}${card('Open', c.open)}</div>
${
  fresh.length && d.previousScanId
    ? html`<h3>New and regressed</h3><table><tr><th>Severity</th><th>Check</th><th>Cluster</th><th>Evidence</th></tr>
${fresh.slice(0, LIST_LIMIT).map((f) => html`<tr><td>${badge('sev', f.severity)}${lifecycleBadges(f.lifecycle)}</td><td><a href="#f-${f.id}"><b>${f.checkId}</b></a> ${f.title}</td><td>${f.clusterName}<br><span class="muted">${f.provider} ${f.accountId} ${f.region}</span></td><td>${f.message}</td></tr>`)}</table>${truncated(fresh.length)}`
    : ''
}
${d.resolved.length ? html`<h3>Resolved</h3><table><tr><th>Severity</th><th>Check</th><th>Cluster</th><th>How</th></tr>${d.resolved.slice(0, LIST_LIMIT).map(refRow)}</table>${truncated(d.resolved.length)}` : ''}
${
  d.stale.length
    ? html`<h3>Stale</h3><p class="muted">Still open: this scan could not read what would show them fixed.</p><table><tr><th>Severity</th><th>Check</th><th>Cluster</th><th>Why not re-checked</th></tr>${d.stale.slice(0, LIST_LIMIT).map(refRow)}</table>${truncated(d.stale.length)}`
    : ''
}
${d.expiredSuppressions.map((e) => html`<p><b>Expired suppression</b> ${e.index + 1}: ${e.checkId} on <code>${e.resource}</code> expired on ${e.expires} and no longer applies.</p>`)}`;
}

/** Failing findings per category and cloud: where the problems cluster, across EKS, AKS and GKE. */
function matrixSection(report: ScanReport): SafeHtml {
  const cell = new Map<string, { fail: number; total: number }>();
  for (const f of report.findings) {
    const key = `${f.category}/${f.provider}`;
    const c = cell.get(key) ?? { fail: 0, total: 0 };
    c.total++;
    if (f.status === 'FAIL') c.fail++;
    cell.set(key, c);
  }
  return html`<h2>Failing results by category and cloud</h2><table><tr><th>Category</th>${CLOUDS.map((p) => html`<th class="num">${CLOUD_NAMES[p]}</th>`)}</tr>
${CATEGORIES.map(
  (cat) =>
    html`<tr><td>${cat}</td>${CLOUDS.map((p) => {
      const c = cell.get(`${cat}/${p}`);
      return c
        ? html`<td class="num ${c.fail ? '' : 'zero'}"><b>${c.fail}</b> of ${c.total}</td>`
        : html`<td class="num zero">—</td>`;
    })}</tr>`,
)}</table>`;
}

/** A self-contained HTML report: inline CSS, no script, no network. Pure function of the report. */
export function toHtml(report: ScanReport, catalogue: readonly CheckMeta[] = []): string {
  const metaById = new Map(catalogue.map((c) => [c.id, c]));
  const s = report.summary;
  const clusters = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const list = clusters.get(f.clusterId) ?? [];
    list.push(f);
    clusters.set(f.clusterId, list);
  }
  const clusterSections = [...clusters.entries()].map(([id, list]) => {
    const first = list[0]!;
    const fails = list.filter((f) => f.status === 'FAIL').length;
    const errs = list.filter((f) => f.status === 'ERROR').length;
    const sorted = [...list].sort((a, b) => ORDER.indexOf(a.status) - ORDER.indexOf(b.status));
    return html`<details ${fails + errs > 0 ? html`open` : ''}><summary>${first.clusterName} <span class="muted">· ${first.provider} ${first.accountId} ${first.region} · ${fails} failing, ${errs} errors, ${list.length} results</span></summary><div>
<p class="muted"><code>${id}</code></p>
${sorted.map((f) => findingBlock(f, metaById.get(f.checkId)))}
</div></details>`;
  });

  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>kubeposture report ${report.scan.id}</title><style>${new SafeHtml(STYLE)}</style></head>
<body><main>
<h1>kubeposture report</h1>
<p class="meta">Scan <code>${report.scan.id}</code> · started ${report.scan.startedAt} · finished ${report.scan.finishedAt} · ${report.tool.name} ${report.tool.version} · report schema ${report.schemaVersion}</p>
<div class="cards">
  <div class="card">Clusters<b>${s.clusters}</b></div>
  <div class="card">Targets<b>${s.targets.total}</b><span class="muted">${s.targets.failed} failed, ${s.targets.partial} partial</span></div>
  ${ORDER.map((st) => html`<div class="card">${badge('st', st)}<b>${s.byStatus[st]}</b></div>`)}
</div>
${deltaSection(report)}
<h2>Failing findings by severity</h2>
<table><tr>${SEVERITIES.map((sev) => html`<th>${badge('sev', sev)}</th>`)}</tr>
<tr>${SEVERITIES.map((sev) => html`<td><b>${s.failBySeverity[sev]}</b></td>`)}</tr></table>
${matrixSection(report)}
${
  report.errors.length
    ? html`<h2>Collection errors</h2><p class="muted">These targets or stages could not be read: their clusters have no PASS results, and findings there are unknown, not fixed.</p>
<table><tr><th>Provider</th><th>Account</th><th>Region</th><th>Stage</th><th>Code</th><th>Message</th></tr>
${report.errors.map((e) => html`<tr><td>${e.provider}</td><td>${e.accountId}</td><td>${e.region}</td><td>${e.stage}</td><td>${e.code}</td><td>${e.message}</td></tr>`)}</table>`
    : ''
}
<h2>Targets</h2>
<table><tr><th>Provider</th><th>Account</th><th>Region</th><th>Status</th><th>Clusters</th></tr>
${report.targets.map((t) => html`<tr><td>${t.provider}</td><td>${t.accountId}</td><td>${t.region}</td><td>${t.status}</td><td>${t.clusters}</td></tr>`)}</table>
<h2>Clusters</h2>
${clusterSections.length ? clusterSections : html`<p class="muted">No clusters found.</p>`}
</main></body></html>
`;
  return page.value;
}
