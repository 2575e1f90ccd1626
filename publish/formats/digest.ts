import type { KnownBlock } from '@slack/types';
import type { Finding } from '../../core/finding.ts';
import { type AlertCounts, alertable, alertTotals } from '../../core/lifecycle.ts';
import type { ScanReport } from '../../core/report.ts';
import { atLeast, compareSeverity, SEVERITIES, type Severity } from '../../core/severity.ts';
import { escapeControlDeep } from '../../core/text.ts';
import { escapeHtml } from '../html-escape.ts';

/** Slack's documented limits: 50 blocks per message, 3,000 characters per section text, 150 per header. */
export const SLACK_LIMITS = { blocks: 50, sectionText: 3000, headerText: 150, contextText: 2000 } as const;

export interface DigestOptions {
  /** Only new and regressed findings at or above this severity are listed (all are counted). */
  minSeverity: Severity;
  /** A link to the full report (a presigned S3 URL, say). */
  reportUrl?: string;
  /** Findings listed at most, before "and N more". */
  maxFindings?: number;
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** New and regressed, unsuppressed, at or above the threshold, worst first. */
export function digestFindings(report: ScanReport, minSeverity: Severity): Finding[] {
  return alertable(report.findings)
    .filter((f) => atLeast(f.severity, minSeverity))
    .sort((a, b) => compareSeverity(a.severity, b.severity) || a.checkId.localeCompare(b.checkId));
}

/**
 * "…and N more (a critical, b high)" after the listed findings, or nothing: N and the split come from the whole
 * scan's counts (`alertTotals`), not from the report's findings, which are a selection in a large scan.
 */
function moreLine(totals: { total: number; bySeverity: Record<Severity, AlertCounts> }, shown: readonly Finding[]) {
  const left = totals.total - shown.length;
  if (left <= 0) return undefined;
  const split = SEVERITIES.map((s) => {
    const n = totals.bySeverity[s].new + totals.bySeverity[s].regressed - shown.filter((f) => f.severity === s).length;
    return n > 0 ? `${n} ${s}` : '';
  }).filter(Boolean);
  return `…and ${left} more${split.length ? ` (${split.join(', ')})` : ''}`;
}

function countsLine(report: ScanReport): string {
  const c = report.delta?.counts;
  if (!c) return `${report.summary.byStatus.FAIL} failing`;
  return `${c.new} new · ${c.regressed} regressed · ${c.resolved} resolved · ${c.stale} stale · ${c.suppressed} suppressed · ${c.open} open`;
}

function headline(report: ScanReport): string {
  const c = report.delta?.counts;
  const changed = c ? c.new + c.regressed : 0;
  return changed > 0
    ? `kubeposture: ${changed} new or regressed finding${changed === 1 ? '' : 's'}`
    : 'kubeposture: no new findings';
}

/** Slack mrkdwn needs only &, < and > escaped; cloud data (names, messages) must not become links or mentions. */
function mrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * One Block Kit message per scan: counts, the top new/regressed findings, resolved and stale counts,
 * and a link. Stays within Slack's limits by listing fewer findings and saying "and N more".
 */
export function toSlackDigest(untrusted: ScanReport, o: DigestOptions): { text: string; blocks: KnownBlock[] } {
  // Control and bidi characters from cloud data are shown as escapes, never sent raw (see core/text.ts).
  const report = escapeControlDeep(untrusted);
  const listed = digestFindings(report, o.minSeverity);
  const s = report.summary;
  const head: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(headline(report), SLACK_LIMITS.headerText) } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(
          `*${countsLine(report)}*\n${s.clusters} clusters in ${s.targets.total} targets (${s.targets.failed} failed, ${s.targets.partial} partial)`,
          SLACK_LIMITS.sectionText,
        ),
      },
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: clip(
            `Scan \`${mrkdwn(report.scan.id)}\` · ${mrkdwn(report.scan.trigger)} · ${mrkdwn(report.scan.finishedAt)}`,
            SLACK_LIMITS.contextText,
          ),
        },
      ],
    },
  ];
  const tail: KnownBlock[] = [];
  const d = report.delta;
  // Counts, not the lists' lengths: the counts are whole whatever a report keeps of the lists.
  const resolved = d?.counts.resolved ?? 0;
  const stale = d?.counts.stale ?? 0;
  if (d && (resolved || stale)) {
    const staleReasons = [...new Set(d.stale.map((r) => r.reason ?? ''))]
      .slice(0, 3)
      .map((r) => `• ${mrkdwn(clip(r, 300))}`);
    tail.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(
          `:white_check_mark: ${resolved} resolved${stale ? `\n:grey_question: ${stale} stale (not re-checked):\n${staleReasons.join('\n')}` : ''}`,
          SLACK_LIMITS.sectionText,
        ),
      },
    });
  }
  if (o.reportUrl) {
    tail.push({
      type: 'actions',
      elements: [
        { type: 'button', text: { type: 'plain_text', text: 'Open the report' }, url: clip(o.reportUrl, 3000) },
      ],
    });
  }
  // Room left for findings: the limit, minus the fixed blocks, a divider, and one for "and N more".
  const room = SLACK_LIMITS.blocks - head.length - tail.length - 2;
  const max = Math.max(0, Math.min(o.maxFindings ?? 20, room));
  const shown = listed.slice(0, max);
  const more = moreLine(alertTotals(report, o.minSeverity), shown);
  const body: KnownBlock[] = shown.length || more ? [{ type: 'divider' }] : [];
  for (const f of shown) {
    const label = f.lifecycle?.state === 'regressed' ? 'REGRESSED' : 'NEW';
    body.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(
          `*${f.severity.toUpperCase()}* ${label} · *${f.checkId}* ${mrkdwn(f.title)}\n${mrkdwn(f.clusterName)} (${mrkdwn(`${f.provider} ${f.accountId} ${f.region}`)})\n${mrkdwn(f.message)}`,
          SLACK_LIMITS.sectionText,
        ),
      },
    });
  }
  if (more) body.push({ type: 'context', elements: [{ type: 'mrkdwn', text: more }] });
  return { text: `${headline(report)} (${countsLine(report)})`, blocks: [...head, ...body, ...tail] };
}

export interface EmailDigest {
  subject: string;
  text: string;
  html: string;
}

/** The same digest for email: plain text and a small HTML body (inline styles only). */
export function toEmailDigest(untrusted: ScanReport, o: DigestOptions): EmailDigest {
  const report = escapeControlDeep(untrusted);
  const listed = digestFindings(report, o.minSeverity);
  const max = o.maxFindings ?? 50;
  const shown = listed.slice(0, max);
  const more = moreLine(alertTotals(report, o.minSeverity), shown);
  const line = (f: Finding) =>
    `[${f.severity.toUpperCase()}] ${f.lifecycle?.state === 'regressed' ? 'REGRESSED' : 'NEW'} ${f.checkId} ${f.title} - ${f.clusterName} (${f.provider} ${f.accountId} ${f.region}): ${f.message}`;
  const text = [
    headline(report),
    countsLine(report),
    `Scan ${report.scan.id} (${report.scan.trigger}), finished ${report.scan.finishedAt}`,
    '',
    ...shown.map(line),
    ...(more ? [more.replace('…', '...')] : []),
    ...(o.reportUrl ? ['', `Report: ${o.reportUrl}`] : []),
    '',
  ].join('\n');
  const row = (f: Finding) =>
    `<tr><td style="padding:4px 8px"><b>${escapeHtml(f.severity.toUpperCase())}</b></td><td style="padding:4px 8px">${f.lifecycle?.state === 'regressed' ? 'regressed' : 'new'}</td><td style="padding:4px 8px"><b>${escapeHtml(f.checkId)}</b> ${escapeHtml(f.title)}<br><span style="color:#59636e">${escapeHtml(f.clusterName)} · ${escapeHtml(`${f.provider} ${f.accountId} ${f.region}`)}</span><br>${escapeHtml(f.message)}</td></tr>`;
  const html = `<!doctype html><html><body style="font:14px/1.5 system-ui,sans-serif;color:#1f2328">
<h2 style="margin:0 0 8px">${escapeHtml(headline(report))}</h2>
<p><b>${escapeHtml(countsLine(report))}</b><br><span style="color:#59636e">Scan ${escapeHtml(report.scan.id)} · ${escapeHtml(report.scan.finishedAt)}</span></p>
${shown.length ? `<table style="border-collapse:collapse">${shown.map(row).join('')}</table>` : ''}
${more ? `<p>${escapeHtml(more)}</p>` : ''}
${o.reportUrl ? `<p><a href="${escapeHtml(o.reportUrl)}">Open the report</a></p>` : ''}
</body></html>
`;
  // ASCII and at most 100 characters: what SNS accepts as an email subject, and what fits an inbox line.
  const subject = clip(`${headline(report)} (${countsLine(report).replaceAll(' · ', ', ')})`, 100);
  return { subject, text, html };
}
