import type { CheckMeta } from '../core/check.ts';
import type { ScanReport } from '../core/report.ts';
import type { ReportArtifact } from '../core/state.ts';
import { toOcsf } from './formats/ocsf.ts';
import { toHtml } from './html.ts';
import { toJson } from './json.ts';

export const pretty = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/** The files of one scan's report, the same for `--out DIR` and for S3. */
export function reportArtifacts(report: ScanReport, catalogue: readonly CheckMeta[]): ReportArtifact[] {
  return [
    { name: 'report.json', contentType: 'application/json', body: toJson(report) },
    { name: 'report.ocsf.json', contentType: 'application/json', body: pretty(toOcsf(report, catalogue)) },
    { name: 'report.html', contentType: 'text/html; charset=utf-8', body: toHtml(report, catalogue) },
  ];
}
