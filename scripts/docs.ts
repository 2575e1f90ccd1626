/**
 * The documentation tables that must match the code, generated from the same sources: the reader role's actions
 * (`readActions`, the function that builds the member policy) and the AKS and GKE check catalogue. `npm run docs`
 * rewrites the marked sections; `scripts/docs.test.ts` fails when a section differs from what this renders.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { frameworks } from '../checks/frameworks/index.ts';
import { checks as catalogue } from '../checks/index.ts';
import { AWS_COLLECTOR_ACTIONS } from '../collectors/aws/index.ts';
import { AZURE_PERMISSIONS, type CloudPermission, GCP_PERMISSIONS } from '../collectors/cloud-permissions.ts';
import type { AnyCheck } from '../core/check.ts';
import { benchmarkCoverage } from '../core/compliance.ts';
import type { Provider } from '../core/snapshot.ts';
import { readActions } from '../stacks/read-policy.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A generated section: `<!-- generated:NAME (npm run docs) -->` … `<!-- /generated:NAME -->` in `file`. */
export interface GeneratedSection {
  file: string;
  name: string;
  render: (checks: readonly AnyCheck[]) => string;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

const COLLECTOR = new Set<string>(AWS_COLLECTOR_ACTIONS);

/** Who reads an action: the collector (every scan) and the checks that declare it, by id. */
function readers(action: string, checks: readonly AnyCheck[]): string {
  const aws = checks.filter((c) => c.provider === 'aws');
  const ids = aws.filter((c) => c.needs.includes(action)).map((c) => c.id);
  const out: string[] = [];
  if (COLLECTOR.has(action)) out.push('the collector (every scan)');
  if (ids.length === aws.length) out.push('every EKS check');
  else if (ids.length > 0) out.push(ids.join(', '));
  return out.join('; ');
}

/** The member reader role's actions, one row each, exactly the policy `stacks/read-policy.ts` builds. */
export function readerActionsTable(checks: readonly AnyCheck[]): string {
  const { anyResource, publicParameters } = readActions(checks);
  const rows = [
    ...anyResource.map((a) => [a, '`*`']),
    ...publicParameters.map((a) => [a, '`arn:<partition>:ssm:*::parameter/aws/service/*`']),
  ]
    .sort(([a], [b]) => a!.localeCompare(b!))
    .map(([a, resource]) => `| \`${a}\` | ${resource} | ${cell(readers(a!, checks))} |`);
  return ['| action | resource | read by |', '| --- | --- | --- |', ...rows].join('\n');
}

/** One provider's checks: id, severity, title, sorted by id. */
export function checkTable(provider: Provider, checks: readonly AnyCheck[]): string {
  const rows = checks
    .filter((c) => c.provider === provider)
    .sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }))
    .map((c) => `| ${c.id} | ${c.severity} | ${cell(c.title)} |`);
  return ['| id | severity | what it checks |', '| --- | --- | --- |', ...rows].join('\n');
}

/** Azure's or Google Cloud's reads: one row per `needs` name, its permissions, role and readers. */
export function cloudPermissionsTable(
  provider: 'azure' | 'gcp',
  checks: readonly AnyCheck[],
  map: Record<string, CloudPermission> = provider === 'azure' ? AZURE_PERMISSIONS : GCP_PERMISSIONS,
): string {
  const mine = checks.filter((c) => c.provider === provider);
  const rows = Object.entries(map)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([need, p]) => {
      const ids = mine.filter((c) => c.needs.includes(need)).map((c) => c.id);
      const by = [
        ...(p.collector ? ['the collector'] : []),
        ...(ids.length === mine.length ? [`every ${provider === 'azure' ? 'AKS' : 'GKE'} check`] : ids),
      ].join(', ');
      const perms = p.permissions.map((x) => `\`${x}\``).join(', ');
      return `| \`${need}\` | ${perms} | ${p.role} | ${cell(by)}${p.note ? ` (${cell(p.note)})` : ''} |`;
    });
  return ['| read | permissions | built-in role | read by |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** Per framework: its controls, the benchmark's Automated / Manual split, and how many a check judges. */
export function complianceCoverageTable(checks: readonly AnyCheck[]): string {
  const pct = (x: number, of: number) => `${of ? Math.round((x / of) * 100) : 0}%`;
  const rows = frameworks.map((f) => {
    const { coverage: c, checksByControl } = benchmarkCoverage(f, checks);
    const checked = f.controls.filter((x) => checksByControl.get(x.id)?.length).map((x) => x.id);
    return `| \`${f.id}\` | ${cell(`${f.title} ${f.version}`)} | ${c.controls} | ${c.automated} / ${c.manual} | ${c.checked} (${pct(c.checked, c.controls)}) | ${c.automatedChecked} of ${c.automated} | ${checked.join(', ')} |`;
  });
  return [
    "| `--compliance` | benchmark | controls | Automated / Manual (the benchmark's status) | checked by kubeposture | Automated ones checked | controls checked |",
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

export const SECTIONS: GeneratedSection[] = [
  { file: 'docs/deploy.md', name: 'reader-actions', render: readerActionsTable },
  { file: 'docs/deploy.md', name: 'azure-permissions', render: (c) => cloudPermissionsTable('azure', c) },
  { file: 'docs/deploy.md', name: 'gcp-permissions', render: (c) => cloudPermissionsTable('gcp', c) },
  { file: 'README.md', name: 'aks-checks', render: (c) => checkTable('azure', c) },
  { file: 'README.md', name: 'gke-checks', render: (c) => checkTable('gcp', c) },
  { file: 'README.md', name: 'compliance-coverage', render: complianceCoverageTable },
];

const begin = (name: string) => `<!-- generated:${name} (npm run docs) -->`;
const end = (name: string) => `<!-- /generated:${name} -->`;

/** The section's current body in `text`, or undefined when its markers are missing. */
export function sectionBody(text: string, name: string): string | undefined {
  const from = text.indexOf(begin(name));
  const to = text.indexOf(end(name));
  if (from < 0 || to < from) return undefined;
  return text.slice(from + begin(name).length, to).trim();
}

/** `text` with the section's body replaced; throws when its markers are missing. */
export function replaceSection(text: string, name: string, body: string): string {
  const from = text.indexOf(begin(name));
  const to = text.indexOf(end(name));
  if (from < 0 || to < from) throw new Error(`missing markers ${begin(name)} … ${end(name)}`);
  return `${text.slice(0, from + begin(name).length)}\n${body}\n${text.slice(to)}`;
}

/** Rewrites every generated section in place; returns the files changed. */
export async function writeDocs(checks: readonly AnyCheck[] = catalogue, root = ROOT): Promise<string[]> {
  const changed: string[] = [];
  for (const file of new Set(SECTIONS.map((s) => s.file))) {
    const path = `${root}/${file}`;
    const before = await readFile(path, 'utf8');
    let text = before;
    for (const s of SECTIONS.filter((x) => x.file === file)) text = replaceSection(text, s.name, s.render(checks));
    if (text !== before) {
      await writeFile(path, text);
      changed.push(file);
    }
  }
  return changed;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const changed = await writeDocs();
  console.log(changed.length ? `Updated ${changed.join(', ')}` : 'Documentation tables are up to date');
}
