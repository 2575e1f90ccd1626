import { CATEGORIES, type CheckMeta } from '../core/check.ts';
import type { Finding } from '../core/finding.ts';
import type { FindingLifecycle, FindingRef } from '../core/lifecycle.ts';
import type { ScanReport } from '../core/report.ts';
import { SEVERITIES } from '../core/severity.ts';
import type { Provider } from '../core/snapshot.ts';
import { ACCESS_PATHS_STYLE, accessPathsSection } from './html/access-paths.ts';
import { complianceSection } from './html/compliance.ts';
import { fillCommand, placeholderValues, readableDuration, readableTime, safeHref } from './html/fill.ts';
import {
  type CheckStat,
  type ClusterDetail,
  type ClusterStat,
  countFleet,
  DEFAULT_HTML_LIMITS,
  type FleetCounts,
  fresh,
  type HtmlLimits,
  type Selection,
  selectDetail,
} from './html/select.ts';
import { STYLE } from './html/style.ts';
import { html, SafeHtml } from './html-escape.ts';

export interface HtmlOptions extends Partial<HtmlLimits> {
  /**
   * Findings the caller left out of `report.findings` (a bounded selection of a huge scan): the page says how many,
   * and which file has them (`fullDataFile`, default report.json).
   */
  omitted?: number;
  fullDataFile?: string;
}

const CLOUDS: Provider[] = ['aws', 'azure', 'gcp'];
const CLOUD_NAMES: Record<Provider, string> = { aws: 'AWS (EKS)', azure: 'Azure (AKS)', gcp: 'Google Cloud (GKE)' };
/** Rows of the delta, error and target lists, and links per check in the catalogue. */
const LIST_LIMIT = 50;
const LINKS_PER_CHECK = 12;
const n = (x: number) => x.toLocaleString('en-US');
const plural = (x: number, one: string, many = `${one}s`) => `${n(x)} ${x === 1 ? one : many}`;

/** What the page links to: a finding's anchor only if it is rendered, a check's only if the catalogue lists it. */
interface Anchors {
  rendered: Set<string>;
  checks: Set<string>;
}

const sevIndex = (m: CheckMeta | undefined) => (m ? SEVERITIES.indexOf(m.severity) : SEVERITIES.length);
const findingHref = (id: string) => `#f-${id}`;
const checkAnchor = (checkId: string) => `c-${checkId}`;
const cellAnchor = (provider: Provider, category: string) => `m-${provider}-${category}`;

function badge(kind: 'sev' | 'st', value: string, text = value.replace('_', ' ')): SafeHtml {
  return html`<span class="${kind} ${kind}-${value}">${text}</span>`;
}

function time(iso: string): SafeHtml {
  return html`<time datetime="${iso}" title="${iso}">${readableTime(iso)}</time>`;
}

function lifecycleBadges(l: FindingLifecycle | undefined): SafeHtml {
  if (!l) return html``;
  const lc = (kind: string, text: string, title?: string) =>
    html` <span class="lc lc-${kind}"${title ? html` title="${title}"` : ''}>${text}</span>`;
  return html`${l.state === 'persisting' ? '' : lc(l.state, l.state)}${l.stale ? lc('stale', 'stale', l.stale.reason) : ''}${l.suppressed ? lc('suppressed', 'suppressed') : ''}`;
}

/** History only where it says something: a new finding was first and last seen now. */
function lifecycleLine(l: FindingLifecycle | undefined): SafeHtml {
  if (!l) return html``;
  const since = l.state === 'new' ? '' : html`Failing since ${time(l.firstSeen)} · last failed ${time(l.lastSeen)}`;
  const stale = l.stale ? html`<b>stale since ${time(l.stale.since)}</b>: ${l.stale.reason}` : '';
  const suppressed = l.suppressed
    ? html`<b>suppressed</b> by entry ${l.suppressed.index + 1} (${l.suppressed.owner}, until ${l.suppressed.expires}): ${l.suppressed.reason}`
    : '';
  const parts = [since, stale, suppressed].filter((p) => p !== '');
  return parts.length ? html`<p class="muted">${parts.map((p, i) => html`${i ? ' · ' : ''}${p}`)}</p>` : html``;
}

function checkLink(checkId: string, a: Anchors): SafeHtml {
  return a.checks.has(checkId)
    ? html`<a href="#${checkAnchor(checkId)}"><b>${checkId}</b></a>`
    : html`<b>${checkId}</b>`;
}

/** A FAIL or ERROR: what is wrong and where, the command for this cluster; the why and how live in the catalogue. */
function problemBlock(f: Finding, meta: CheckMeta | undefined, a: Anchors): SafeHtml {
  const cli = f.status === 'FAIL' && meta?.remediation.cli ? fillCommand(meta.remediation.cli, f) : undefined;
  const hasEvidence = Object.keys(f.evidence).length > 0;
  return html`<div class="finding" id="f-${f.id}">
<p>${badge('st', f.status)} ${badge('sev', f.severity)}${lifecycleBadges(f.lifecycle)} ${checkLink(f.checkId, a)} ${f.title}</p>
<p>${f.message}</p>
${f.resourceId !== f.clusterId ? html`<p class="muted">Resource <code>${f.resourceId}</code></p>` : ''}${lifecycleLine(f.lifecycle)}
${cli ? html`<pre class="cmd">${cli}</pre>` : ''}${hasEvidence ? html`<details><summary>Evidence</summary><div><pre>${JSON.stringify(f.evidence, null, 2)}</pre></div></details>` : ''}
</div>`;
}

function passingTable(list: Finding[], a: Anchors): SafeHtml {
  return html`<div class="scroll"><table><tr><th>Status</th><th>Check</th><th>Result</th></tr>${list.map(
    (f) =>
      html`<tr id="f-${f.id}"><td>${badge('st', f.status)}${lifecycleBadges(f.lifecycle)}</td><td>${checkLink(f.checkId, a)} ${f.title}</td><td class="msg">${f.message}${f.resourceId !== f.clusterId ? html`<br><code class="muted">${f.resourceId}</code>` : ''}</td></tr>`,
  )}</table></div>`;
}

function severityChips(fails: number[]): SafeHtml[] {
  return SEVERITIES.flatMap((sev, i) => (fails[i] ? [badge('sev', sev, `${n(fails[i]!)} ${sev}`)] : []));
}

function clusterSection(d: ClusterDetail, metaById: Map<string, CheckMeta>, a: Anchors): SafeHtml {
  const s = d.stat;
  const fail = s.byStatus.FAIL;
  const err = s.byStatus.ERROR;
  const cut = s.total - d.problems.length - d.passing.length;
  const status = [
    fail ? '' : 'no failing results',
    err ? plural(err, 'error') : '',
    `${n(s.byStatus.PASS)} passing`,
    s.byStatus.NOT_APPLICABLE ? `${n(s.byStatus.NOT_APPLICABLE)} not applicable` : '',
  ].filter(Boolean);
  return html`<details class="cluster"><summary><b>${s.name}</b> <span class="muted">${s.provider} · ${s.accountId} · ${s.region}</span> <span class="chips">${severityChips(s.fails)}</span> <span class="muted">${status.join(' · ')}</span></summary><div>
<p class="muted"><code>${s.id}</code></p>
${d.problems.map((f) => problemBlock(f, metaById.get(f.checkId), a))}
${d.passing.length ? html`<details><summary>${n(s.byStatus.PASS)} passing, ${n(s.byStatus.NOT_APPLICABLE)} not applicable</summary><div>${passingTable(d.passing, a)}</div></details>` : ''}
${cut > 0 ? html`<p class="muted">${plural(cut, 'more result')} of this cluster ${cut === 1 ? 'is' : 'are'} in report.json.</p>` : ''}
</div></details>`;
}

/** Critical and high FAILs, not suppressed, new and regressed first: the answer to "what do I fix now". */
function fixFirstSection(counts: FleetCounts, limits: HtmlLimits, a: Anchors): SafeHtml {
  const urgent = counts.urgent;
  const shown = urgent.slice(0, Math.max(0, limits.maxFixFirst));
  const freshCount = urgent.filter(fresh).length;
  return html`<h2 id="fix-first">Fix first</h2>
${
  urgent.length
    ? html`<p class="muted">${plural(urgent.length, 'critical or high failing finding')} (not suppressed)${freshCount && freshCount < urgent.length ? `, the ${n(freshCount)} new or regressed first` : ''}. Each links to its details; the risk and the fix of each check are under <a href="#checks">Checks</a>.</p>
<ol class="fix">${shown.map((f) => {
        const label = html`<b>${f.checkId}</b> ${f.title}`;
        return html`<li>${badge('sev', f.severity)}${lifecycleBadges(f.lifecycle)} ${a.rendered.has(f.id) ? html`<a href="${findingHref(f.id)}">${label}</a>` : label}<br><span class="where">${f.clusterName} · ${f.provider} ${f.accountId} ${f.region} —</span> ${f.message}</li>`;
      })}</ol>${urgent.length > shown.length ? html`<p class="muted">… and ${n(urgent.length - shown.length)} more: every finding is in report.json.</p>` : ''}`
    : html`<p>No critical or high failing findings${counts.clusters.length ? '' : ' (no cluster results)'}.</p>`
}`;
}

/** Share of results failing → colour step, so the eye finds the hot spots before reading numbers. */
function heat(c: { fail: number; total: number }): string {
  if (!c.fail) return 'h0';
  const share = c.fail / c.total;
  return share < 0.1 ? 'h1' : share < 0.25 ? 'h2' : share < 0.5 ? 'h3' : 'h4';
}

function matrixSection(counts: FleetCounts, partial: boolean): SafeHtml {
  const rows = CATEGORIES.filter((cat) => CLOUDS.some((p) => counts.cells.has(`${cat}/${p}`)));
  const clouds = CLOUDS.filter((p) => CATEGORIES.some((cat) => counts.cells.has(`${cat}/${p}`)));
  if (!rows.length) return html``;
  return html`<h2 id="matrix">Failing results by category and cloud</h2>
<div class="scroll"><table class="heat"><tr><th>Category</th>${clouds.map((p) => html`<th>${CLOUD_NAMES[p]}</th>`)}</tr>
${rows.map(
  (cat) =>
    html`<tr><td>${cat}</td>${clouds.map((p) => {
      const c = counts.cells.get(`${cat}/${p}`);
      if (!c) return html`<td class="hx">—</td>`;
      const text = html`<b>${n(c.fail)}</b> <small>of ${n(c.total)}${c.error ? html` · ${n(c.error)} err` : ''}</small>`;
      return html`<td class="${heat(c)}" title="${n(c.fail)} failing, ${n(c.error)} errors, ${n(c.total)} results">${c.fail + c.error ? html`<a href="#${cellAnchor(p, cat)}">${text}</a>` : text}</td>`;
    })}</tr>`,
)}</table></div>
<p class="legend muted">Share failing: <span class="h0">none</span><span class="h1">under 10%</span><span class="h2">under 25%</span><span class="h3">under 50%</span><span class="h4">50% or more</span> A cell links to the failing checks of that category and cloud.${partial ? ' Counts cover the findings in this page, not those left out.' : ''}</p>`;
}

function refRow(r: FindingRef, a: Anchors): SafeHtml {
  const label = html`<b>${r.checkId}</b> ${r.title}`;
  return html`<tr><td>${badge('sev', r.severity)}</td><td>${a.rendered.has(r.id) ? html`<a href="${findingHref(r.id)}">${label}</a>` : label}</td><td>${r.clusterName}<br><span class="muted">${r.provider} ${r.accountId} ${r.region}</span></td><td class="msg">${r.reason ?? r.message}</td></tr>`;
}

function more(total: number, shown: number): SafeHtml {
  return total > shown ? html`<p class="muted">… and ${n(total - shown)} more in report.json.</p>` : html``;
}

function foldedTable(title: string, head: string[], rows: SafeHtml[], total: number, intro = ''): SafeHtml {
  return html`<details><summary>${title}</summary><div>${intro ? html`<p class="muted">${intro}</p>` : ''}<div class="scroll"><table><tr>${head.map((h) => html`<th>${h}</th>`)}</tr>${rows}</table></div>${more(total, rows.length)}</div></details>`;
}

/**
 * Resolved or stale findings (named by their stored state), folded, the first LIST_LIMIT of them; `total` is the
 * delta's count (whole even if a report keeps part of the list).
 */
function refTable(
  title: string,
  why: string,
  refs: FindingRef[],
  total: number,
  a: Anchors,
  intro = '',
): SafeHtml | '' {
  if (!refs.length) return '';
  const rows = refs.slice(0, LIST_LIMIT).map((r) => refRow(r, a));
  const whole = Math.max(total, refs.length);
  return foldedTable(`${title} (${n(whole)})`, ['Severity', 'Check', 'Cluster', why], rows, whole, intro);
}

/** What changed since the previous scan: counts, and the lists folded (fix-first already leads with the new). */
function deltaSection(report: ScanReport, a: Anchors): SafeHtml {
  const d = report.delta;
  if (!d) return html``;
  const c = d.counts;
  const fresh = report.findings.filter(
    (f) =>
      f.lifecycle &&
      !f.lifecycle.suppressed &&
      (f.lifecycle.state === 'new' || f.lifecycle.state === 'regressed') &&
      a.rendered.has(f.id),
  );
  const card = (label: string, x: number, cls = '') => html`<div class="card ${cls}">${label}<b>${n(x)}</b></div>`;
  const head = ['Severity', 'Check', 'Cluster'];
  return html`<h2 id="changes">What changed</h2>
<p class="meta">${d.previousScanId ? html`Since scan <code>${d.previousScanId}</code>.` : 'First scan with this state: every failing finding is new.'}</p>
<div class="cards">${card('New', c.new, c.new ? 'delta' : '')}${card('Regressed', c.regressed, c.regressed ? 'delta' : '')}${card('Resolved', c.resolved, 'good')}${card('Still failing', c.persisting)}${card('Stale', c.stale)}${card('Suppressed', c.suppressed)}${card('Open', c.open)}</div>
${
  fresh.length && d.previousScanId
    ? foldedTable(
        `New and regressed (${n(c.new + c.regressed)})`,
        [...head, 'Evidence'],
        fresh
          .slice(0, LIST_LIMIT)
          .map(
            (f) =>
              html`<tr><td>${badge('sev', f.severity)}${lifecycleBadges(f.lifecycle)}</td><td><a href="${findingHref(f.id)}"><b>${f.checkId}</b></a> ${f.title}</td><td>${f.clusterName}<br><span class="muted">${f.provider} ${f.accountId} ${f.region}</span></td><td class="msg">${f.message}</td></tr>`,
          ),
        c.new + c.regressed,
      )
    : ''
}
${refTable('Resolved', 'How', d.resolved, c.resolved, a)}
${refTable('Stale', 'Why not re-checked', d.stale, c.stale, a, 'Still open: this scan could not read what would show them fixed.')}
${d.expiredSuppressions.map((e) => html`<p><b>Expired suppression</b> ${e.index + 1}: ${e.checkId} on <code>${e.resource}</code> expired on ${e.expires} and no longer applies.</p>`)}`;
}

function errorsSection(report: ScanReport): SafeHtml {
  const errors = report.errors;
  if (!errors.length) return html``;
  return html`<h2 id="errors">Collection errors</h2><p class="muted">These targets or stages could not be read: their clusters have no PASS results, and findings there are unknown, not fixed.</p>
<div class="scroll"><table><tr><th>Provider</th><th>Account</th><th>Region</th><th>Stage</th><th>Code</th><th>Message</th></tr>
${errors.slice(0, LIST_LIMIT).map((e) => html`<tr><td>${e.provider}</td><td><code>${e.accountId}</code></td><td>${e.region}</td><td>${e.stage}</td><td>${e.code}</td><td class="msg">${e.message}</td></tr>`)}</table></div>${more(errors.length, Math.min(errors.length, LIST_LIMIT))}`;
}

function targetsSection(report: ScanReport): SafeHtml {
  const t = report.targets;
  const notes = report.notes ?? [];
  const rows = t
    .slice(0, LIST_LIMIT * 4)
    .map(
      (x) =>
        html`<tr><td>${x.provider}</td><td><code>${x.accountId}</code></td><td>${x.region}</td><td>${x.status}</td><td class="num">${n(x.clusters)}</td></tr>`,
    );
  return html`${foldedTable(`Targets (${n(t.length)}: ${n(report.summary.targets.failed)} failed, ${n(report.summary.targets.partial)} partial)`, ['Provider', 'Account', 'Region', 'Status', 'Clusters'], rows, t.length)}
${notes.length ? html`<details><summary>Left out on purpose (${n(notes.length)})</summary><div><ul>${notes.slice(0, LIST_LIMIT).map((x) => html`<li>${x.provider} <code>${x.accountId}</code>: ${x.reason}</li>`)}</ul>${more(notes.length, Math.min(notes.length, LIST_LIMIT))}</div></details>` : ''}`;
}

/** A node group, add-on or pool by its name; other resources by the last part of their id. */
function shortResource(f: Finding): string {
  const v = placeholderValues(f);
  return v.nodegroup ?? v.addon ?? v.pool ?? f.resourceId.split(/[/:]/).pop() ?? f.resourceId;
}

function catalogueEntry(k: CheckStat, meta: CheckMeta | undefined, links: Finding[]): SafeHtml {
  const urls = [meta?.remediation.url, ...(meta?.references ?? [])]
    .map(safeHref)
    .filter((u, i, all): u is string => u !== undefined && all.indexOf(u) === i);
  const frameworks = meta ? Object.entries(meta.frameworks).map(([fw, ids]) => `${fw}: ${ids.join(', ')}`) : [];
  const counts = [k.fail ? `${n(k.fail)} failing` : '', k.error ? plural(k.error, 'error') : ''].filter(Boolean);
  // The anchor is inside the body, not on <details>: following a link to it opens the folded entry (HTML's
  // ancestor-details revealing), which a link to the <details> itself would not.
  return html`<details class="check"><summary>${meta ? badge('sev', meta.severity) : ''} <b>${k.checkId}</b> ${meta?.title ?? k.title} <span class="muted">· ${counts.join(', ')}</span></summary><div id="${checkAnchor(k.checkId)}">
${
  meta
    ? html`<p><b>Risk.</b> ${meta.risk}</p>
<p><b>Fix.</b> ${meta.remediation.text}</p>
${meta.remediation.cli ? html`<pre>${meta.remediation.cli}</pre><p class="muted">Each failing finding shows this command with its cluster filled in.</p>` : ''}
${urls.length ? html`<p>Docs: ${urls.map((u, i) => html`${i ? ' · ' : ''}<a href="${u}" rel="noopener noreferrer">${u.replace(/^https?:\/\//, '')}</a>`)}</p>` : ''}
<p class="muted">Severity ${meta.severity}: ${meta.severityRationale}</p>
${frameworks.length ? html`<p class="muted">Frameworks: ${frameworks.join(' · ')}</p>` : ''}`
    : html`<p class="muted">No metadata for this check in this version of kubeposture.</p>`
}
${
  links.length
    ? html`<p>Failing on: ${links.map((f, i) => html`${i ? ', ' : ''}<a href="${findingHref(f.id)}">${f.clusterName}${f.resourceId !== f.clusterId ? html` <small>(${shortResource(f)})</small>` : ''}</a>`)}${k.fail > links.length ? html` and ${n(k.fail - links.length)} more` : ''}.</p>`
    : ''
}
</div></details>`;
}

/** Each failing check's risk, fix, docs and controls, once, grouped by cloud and category (the matrix links here). */
function catalogueSection(
  counts: FleetCounts,
  metaById: Map<string, CheckMeta>,
  linksByCheck: Map<string, Finding[]>,
): SafeHtml {
  const groups = CLOUDS.flatMap((p) =>
    CATEGORIES.map((cat) => ({
      p,
      cat,
      checks: [...counts.checks.values()]
        .filter((k) => k.provider === p && k.category === cat)
        .sort(
          (x, y) =>
            sevIndex(metaById.get(x.checkId)) - sevIndex(metaById.get(y.checkId)) ||
            y.fail - x.fail ||
            x.checkId.localeCompare(y.checkId),
        ),
    })).filter((g) => g.checks.length),
  );
  if (!groups.length) return html``;
  const total = groups.reduce((x, g) => x + g.checks.length, 0);
  // Folded as a whole too: it is reference, reached through the links of findings and matrix cells (which open it).
  return html`<h2 id="checks">Checks: risk and fix</h2>
<details class="catalogue"><summary>${plural(total, 'check')} with a failing or unreadable result: risk, fix, docs and the clusters each fails on, stated once</summary><div>
${groups.map(
  (g) =>
    html`<h3 id="${cellAnchor(g.p, g.cat)}">${CLOUD_NAMES[g.p]} · ${g.cat}</h3>${g.checks.map((k) =>
      catalogueEntry(k, metaById.get(k.checkId), linksByCheck.get(k.checkId) ?? []),
    )}`,
)}
</div></details>`;
}

function boundsNotice(
  report: ScanReport,
  counts: FleetCounts,
  sel: Selection,
  omitted: number,
  fullDataFile: string,
): SafeHtml {
  const lines: SafeHtml[] = [];
  if (omitted > 0)
    lines.push(
      html`<b>${plural(omitted, 'more finding')} ${omitted === 1 ? 'is' : 'are'} in ${fullDataFile}</b>: this page was built from a bounded selection of the scan's results.`,
    );
  const total = counts.clusters.length;
  if (sel.details.length < total)
    lines.push(
      html`${n(sel.details.length)} of ${n(total)} clusters are detailed below, worst first; the rest are counted in the totals and the matrix.`,
    );
  if (sel.rows < report.findings.length)
    lines.push(html`${n(sel.rows)} of ${n(report.findings.length)} results are shown in detail, failing ones first.`);
  if (!lines.length) return html``;
  return html`<div class="notice">${lines.map((l) => html`<p>${l}</p>`)}<p>The full data is in report.json, next to this file.</p></div>`;
}

/**
 * A self-contained, triage-first HTML report: inline CSS, no script, no network; every value escaped. Detail is
 * bounded by `options` (clusters, result rows, fix-first rows), so a 20,000-cluster fleet still makes a page of a
 * few MB; what is left out is counted and said. Pure function of the report.
 */
export function toHtml(report: ScanReport, catalogue: readonly CheckMeta[] = [], options: HtmlOptions = {}): string {
  const limits: HtmlLimits = {
    maxClusters: options.maxClusters ?? DEFAULT_HTML_LIMITS.maxClusters,
    maxFindings: options.maxFindings ?? DEFAULT_HTML_LIMITS.maxFindings,
    maxFixFirst: options.maxFixFirst ?? DEFAULT_HTML_LIMITS.maxFixFirst,
  };
  const omitted = Math.max(0, options.omitted ?? 0);
  const metaById = new Map(catalogue.map((c) => [c.id, c]));
  const s = report.summary;
  const counts = countFleet(report.findings);
  const sel = selectDetail(report.findings, counts, limits);
  const anchors: Anchors = { rendered: sel.rendered, checks: new Set(counts.checks.keys()) };
  const linksByCheck = new Map<string, Finding[]>();
  for (const d of sel.details)
    for (const f of d.problems) {
      if (f.status !== 'FAIL') continue;
      const list = linksByCheck.get(f.checkId) ?? [];
      if (list.length < LINKS_PER_CHECK) list.push(f);
      linksByCheck.set(f.checkId, list);
    }
  const paths = accessPathsSection(report.findings, sel.rendered);
  const took = readableDuration(report.scan.startedAt, report.scan.finishedAt);
  const fails = SEVERITIES.map((sev) => s.failBySeverity[sev]);
  const card = (label: SafeHtml | string, value: number, extra: SafeHtml | string = '') =>
    html`<div class="card">${label}<b>${n(value)}</b>${extra}</div>`;

  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>kubeposture report ${report.scan.id}</title><style>${new SafeHtml(STYLE + ACCESS_PATHS_STYLE)}</style></head>
<body><main>
<h1>kubeposture report</h1>
<p class="meta">Scan <code>${report.scan.id}</code> · ${time(report.scan.startedAt)}${took ? `, took ${took}` : ''} · ${report.scan.trigger} · ${report.tool.name} ${report.tool.version} · report schema ${report.schemaVersion}</p>
${boundsNotice(report, counts, sel, omitted, options.fullDataFile ?? 'report.json')}
<div class="cards">
${card('Clusters', s.clusters)}
${card('Targets', s.targets.total, html`<span class="muted">${n(s.targets.failed)} failed, ${n(s.targets.partial)} partial</span>`)}
${card(badge('st', 'FAIL', 'failing'), s.byStatus.FAIL, html`<span class="chips">${severityChips(fails)}</span>`)}
${card(badge('st', 'ERROR', 'errors'), s.byStatus.ERROR)}
${card(badge('st', 'PASS', 'passing'), s.byStatus.PASS)}
${card(badge('st', 'NOT_APPLICABLE', 'not applicable'), s.byStatus.NOT_APPLICABLE)}
</div>
<nav><a href="#fix-first">Fix first</a>${counts.cells.size ? html`<a href="#matrix">By category and cloud</a>` : ''}${report.delta ? html`<a href="#changes">What changed</a>` : ''}${report.errors.length ? html`<a href="#errors">Collection errors</a>` : ''}${report.compliance?.length ? html`<a href="#compliance">Compliance</a>` : ''}${paths.value ? html`<a href="#access-paths">Access paths</a>` : ''}<a href="#clusters">Clusters</a>${counts.checks.size ? html`<a href="#checks">Checks</a>` : ''}</nav>
${fixFirstSection(counts, limits, anchors)}
${matrixSection(counts, omitted > 0)}
${complianceSection(report.compliance)}
${deltaSection(report, anchors)}
${errorsSection(report)}
${targetsSection(report)}
${paths}
<h2 id="clusters">Clusters</h2>
${
  sel.details.length
    ? html`<p class="muted">Worst first. Open a cluster for its failing results, each with the fix command for that cluster; passing and not-applicable results are folded inside.</p>
${sel.details.map((d) => clusterSection(d, metaById, anchors))}${counts.clusters.length > sel.details.length ? html`<p class="muted">… and ${plural(counts.clusters.length - sel.details.length, 'more cluster')} (${n(counts.clusters.slice(sel.details.length).filter((c: ClusterStat) => c.byStatus.FAIL > 0).length)} with failing results) in report.json.</p>` : ''}`
    : html`<p class="muted">No clusters found.</p>`
}
${catalogueSection(counts, metaById, linksByCheck)}
</main></body></html>
`;
  return page.value;
}
