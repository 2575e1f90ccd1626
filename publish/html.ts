import type { CheckMeta, ResultStatus } from '../core/check.ts';
import type { Finding } from '../core/finding.ts';
import type { ScanReport } from '../core/report.ts';
import { SEVERITIES } from '../core/severity.ts';
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
`;

function badge(kind: 'sev' | 'st', value: string): SafeHtml {
  return html`<span class="${kind} ${kind}-${value}">${value.replace('_', ' ')}</span>`;
}

function findingBlock(f: Finding, meta: CheckMeta | undefined): SafeHtml {
  const frameworks = meta ? Object.entries(meta.frameworks).map(([fw, ids]) => `${fw}: ${ids.join(', ')}`) : [];
  const showAdvice = f.status === 'FAIL' && meta;
  return html`<div class="finding">
  <p>${badge('st', f.status)} ${badge('sev', f.severity)} <b>${f.checkId}</b> ${f.title}</p>
  <p>${f.message}</p>
  <p class="muted">Resource: <code>${f.resourceId}</code> · Finding <code>${f.id}</code></p>
  ${showAdvice ? html`<p><b>Risk.</b> ${meta.risk}</p><p><b>Remediation.</b> ${meta.remediation.text}</p>${meta.remediation.cli ? html`<pre>${meta.remediation.cli}</pre>` : ''}` : ''}
  ${frameworks.length ? html`<p class="muted">Frameworks: ${frameworks.join(' · ')}</p>` : ''}
  ${Object.keys(f.evidence).length ? html`<details><summary>Evidence</summary><div><pre>${JSON.stringify(f.evidence, null, 2)}</pre></div></details>` : ''}
</div>`;
}

const ORDER: ResultStatus[] = ['FAIL', 'ERROR', 'PASS', 'NOT_APPLICABLE'];

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
<h2>Failing findings by severity</h2>
<table><tr>${SEVERITIES.map((sev) => html`<th>${badge('sev', sev)}</th>`)}</tr>
<tr>${SEVERITIES.map((sev) => html`<td><b>${s.failBySeverity[sev]}</b></td>`)}</tr></table>
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
