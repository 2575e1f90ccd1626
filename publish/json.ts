import type { ScanReport } from '../core/report.ts';
import { accessPathsByCluster } from './access-paths.ts';

/**
 * The versioned JSON report (`schemaVersion`), stable key order, newline-terminated. `accessPaths` (additive, so the
 * schema stays 2.0; absent when no result carries a path) groups by cluster the `evidence.accessPaths` of the
 * findings it holds: who can become cluster-admin, what pods and nodes can become (publish/access-paths.ts).
 */
export function toJson(report: ScanReport): string {
  const accessPaths = accessPathsByCluster(report.findings);
  return `${JSON.stringify(accessPaths.length ? { ...report, accessPaths } : report, null, 2)}\n`;
}
