import type { ScanReport } from '../core/report.ts';

/** The versioned JSON report (`schemaVersion`), stable key order, newline-terminated. */
export function toJson(report: ScanReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
