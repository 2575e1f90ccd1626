import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ClusterRefError, clusterIdKey, parseClusterRef } from '../core/cluster-ref.ts';
import { ConfigError, errorMessage } from '../core/errors.ts';
import type { Finding } from '../core/finding.ts';
import { escapeControl } from '../core/text.ts';
import { accessPathsByCluster, formatAccessPaths } from '../publish/access-paths.ts';

export interface PathsOptions {
  sample?: boolean;
  fleet?: string;
  config?: string;
  report?: string;
  cluster?: string;
  format: 'table' | 'json';
}

interface PathsIo {
  stdout: { write(s: string): unknown };
  cwd: string;
}

/**
 * `kubeposture paths`: the access paths of a scan's results, from a JSON report (`--report`, what `scan --out` or
 * `scan --format json` wrote) or from a scan of the simulated fleet run here (`scanJson`, the `scan` command's JSON).
 * Reads only the `accessPaths` evidence of findings (publish/access-paths.ts), as the HTML and JSON reports do.
 */
export async function pathsCommand(
  o: PathsOptions,
  io: PathsIo,
  scanJson: (o: Pick<PathsOptions, 'sample' | 'fleet' | 'config'>) => Promise<{ code: number; json: string }>,
): Promise<number> {
  const sources = [o.sample, o.fleet, o.report].filter(Boolean).length;
  if (sources !== 1) {
    throw new ConfigError(
      'paths needs exactly one of --sample, --fleet FILE or --report FILE (the report.json of `kubeposture scan --out DIR`)',
    );
  }
  const wanted = o.cluster ? clusterKey(o.cluster) : undefined;
  let findings: Finding[];
  if (o.report) {
    findings = await reportFindings(resolve(io.cwd, o.report), o.report);
  } else {
    const { code, json } = await scanJson(o);
    if (!json) return code;
    findings = (JSON.parse(json) as { findings: Finding[] }).findings;
  }
  const clusters = accessPathsByCluster(findings).filter((c) => !wanted || clusterIdKey(c.clusterId) === wanted);
  if (o.format === 'json') io.stdout.write(`${JSON.stringify(clusters, null, 2)}\n`);
  else if (wanted && clusters.length === 0) io.stdout.write(`No access paths for ${escapeControl(o.cluster!)}.\n`);
  else io.stdout.write(formatAccessPaths(clusters, (s) => escapeControl(s)));
  return 0;
}

function clusterKey(input: string): string {
  try {
    return clusterIdKey(parseClusterRef(input).id);
  } catch (e) {
    if (e instanceof ClusterRefError) throw new ConfigError(`--cluster: ${e.message}`);
    throw e;
  }
}

async function reportFindings(file: string, label: string): Promise<Finding[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`--report: cannot read ${label}: ${errorMessage(e)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(`--report: ${label} is not JSON`);
  }
  const findings = (parsed as { findings?: unknown } | null)?.findings;
  if (!Array.isArray(findings)) {
    throw new ConfigError(`--report: ${label} is not a kubeposture JSON report (it has no findings list)`);
  }
  return findings as Finding[];
}
