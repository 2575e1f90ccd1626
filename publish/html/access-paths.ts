import type { Finding } from '../../core/finding.ts';
import { accessPathsByCluster, type ReportedAccessPath } from '../access-paths.ts';
import { html, type SafeHtml } from '../html-escape.ts';

/** Bounds of the section, so a huge fleet still makes a page of a few MB (the rest is in report.json). */
export const ACCESS_PATH_LIMITS = { clusters: 50, pathsPerCluster: 25 };

/** The section's styles, added to the page's one stylesheet. */
export const ACCESS_PATHS_STYLE = `ol.hops{margin:0;padding-left:1.4em}ol.hops li{margin:0 0 4px}table.paths td{font-size:13px}`;

const n = (x: number) => x.toLocaleString('en-US');

function pathRow(p: ReportedAccessPath, rendered: ReadonlySet<string>): SafeHtml {
  const check = rendered.has(p.findingId) ? html`<a href="#f-${p.findingId}">${p.checkId}</a>` : html`${p.checkId}`;
  return html`<tr><td><span class="sev sev-${p.severity}">${p.severity}</span>${p.conditional ? html` <span class="lc lc-stale" title="granted only under a policy condition">conditional</span>` : ''}</td>
<td><b>${p.subject}</b><br><span class="muted">${p.subjectKind}</span></td>
<td><ol class="hops">${p.hops.map((h) => html`<li><code>${h.action}</code> on <code>${h.resource}</code><br><span class="muted">as ${h.principal}, via <code>${h.via}</code></span></li>`)}</ol>${p.conditions.length ? html`<p class="muted">only if ${p.conditions.map((c, i) => html`${i ? '; ' : ''}<code>${c}</code>`)}</p>` : ''}</td>
<td><b>${p.reaches}</b></td><td>${check}</td></tr>`;
}

const TABLE_HEAD = html`<tr><th>Severity</th><th>Who</th><th>How (hop by hop)</th><th>Reaches</th><th>Check</th></tr>`;

/**
 * "Access paths": per cluster, who can become cluster-admin and how, then what its pods and nodes can become in the
 * cloud. Reads only the `accessPaths` evidence of results (core/access-paths.ts); `rendered` are the findings the page
 * shows in detail (a path links to its finding when it is there). Empty when no result carries a path.
 */
export function accessPathsSection(findings: readonly Finding[], rendered: ReadonlySet<string>): SafeHtml {
  const clusters = accessPathsByCluster(findings);
  if (clusters.length === 0) return html``;
  const shown = clusters.slice(0, ACCESS_PATH_LIMITS.clusters);
  const total = clusters.reduce((sum, c) => sum + c.paths.length, 0);
  const conditional = clusters.reduce((sum, c) => sum + c.paths.filter((p) => p.conditional).length, 0);
  return html`<h2 id="access-paths">Access paths</h2>
<p class="muted">${n(total)} path${total === 1 ? '' : 's'} in ${n(clusters.length)} cluster${clusters.length === 1 ? '' : 's'}${conditional ? `, ${n(conditional)} conditional (granted only under a policy condition, shown with it)` : ''}: who can become cluster-admin, and what pods and nodes can become in the cloud. A cluster whose paths could not be worked out shows the path checks as ERROR under Clusters.</p>
${shown.map((c) => {
  const admin = c.paths.filter((p) => p.reaches === 'cluster-admin');
  const other = c.paths.filter((p) => p.reaches !== 'cluster-admin');
  const table = (title: string, list: ReportedAccessPath[]) => {
    if (!list.length) return html``;
    const rows = list.slice(0, ACCESS_PATH_LIMITS.pathsPerCluster);
    return html`<h3>${title}</h3><div class="scroll"><table class="paths">${TABLE_HEAD}${rows.map((p) => pathRow(p, rendered))}</table></div>${list.length > rows.length ? html`<p class="muted">… and ${n(list.length - rows.length)} more in report.json (<code>accessPaths</code>).</p>` : ''}`;
  };
  return html`<details class="cluster"><summary><b>${c.clusterName}</b> <span class="muted">${c.provider} · ${c.accountId} · ${c.region}</span> <span class="sev sev-${c.paths[0]!.severity}">${c.paths[0]!.severity}</span> <span class="muted">${n(admin.length)} to cluster-admin · ${n(other.length)} from pods and nodes</span></summary><div>
<p class="muted"><code>${c.clusterId}</code></p>
${table('Who can become cluster-admin', admin)}
${table('What pods and nodes can become', other)}
</div></details>`;
})}${clusters.length > shown.length ? html`<p class="muted">… and ${n(clusters.length - shown.length)} more clusters with access paths in report.json (<code>accessPaths</code>).</p>` : ''}`;
}
