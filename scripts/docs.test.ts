import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { checks } from '../checks/index.ts';
import { AZURE_PERMISSIONS, GCP_PERMISSIONS } from '../collectors/cloud-permissions.ts';
import type { AnyCheck } from '../core/check.ts';
import { memberReadActions } from '../stacks/member-reader-stack.ts';
import { checkTable, readerActionsTable, replaceSection, SECTIONS, sectionBody } from './docs.ts';

const read = (file: string) => readFile(new URL(`../${file}`, import.meta.url), 'utf8');

/** `svc:Action` names in backticks. */
const actionsIn = (text: string) => new Set([...text.matchAll(/`([a-z0-9]+:[A-Za-z]+)`/g)].map((m) => m[1]!));

/** The lines of the markdown table that starts at the line `header`. */
function tableAfter(text: string, header: string): string {
  const from = text.indexOf(header);
  expect(from, header).toBeGreaterThanOrEqual(0);
  const rest = text.slice(from).split('\n');
  const end = rest.findIndex((l) => !l.startsWith('|'));
  return rest.slice(0, end).join('\n');
}

describe('generated documentation tables', () => {
  it.each([
    ['azure', AZURE_PERMISSIONS],
    ['gcp', GCP_PERMISSIONS],
  ] as const)(
    'maps every read an %s check needs to its permissions (collectors/cloud-permissions.ts)',
    (provider, map) => {
      const needs = new Set(checks.filter((c) => c.provider === provider).flatMap((c) => c.needs));
      for (const need of needs) expect(map[need], `${need} has no entry`).toBeDefined();
    },
  );

  it.each(SECTIONS.map((s) => [s.file, s.name, s] as const))(
    '%s %s matches the code (npm run docs)',
    async (file, name, s) => {
      expect(sectionBody(await read(file), name), `run npm run docs to update ${file}`).toBe(s.render(checks));
    },
  );

  it('lists in deploy.md exactly the actions of the generated member policy, one row each', async () => {
    const body = sectionBody(await read('docs/deploy.md'), 'reader-actions')!;
    expect([...actionsIn(body)].sort()).toEqual(memberReadActions(checks));
    expect(body.split('\n').length - 2).toBe(memberReadActions(checks).length);
  });

  it('names in the README the same reader actions as the policy', async () => {
    const table = tableAfter(await read('README.md'), '| actions | for |');
    expect([...actionsIn(table)].sort()).toEqual(memberReadActions(checks));
  });

  it('has every catalogue check in the README, and no check the catalogue lacks in its EKS table', async () => {
    const readme = await read('README.md');
    for (const c of checks) expect(readme, c.id).toContain(`| ${c.id} |`);
    const eks = tableAfter(readme.slice(readme.indexOf('## EKS checks')), '| id | severity | what it checks |');
    const ids = [...eks.matchAll(/^\| (EKS\.[A-Z]+\.\d+) \|/gm)].map((m) => m[1]);
    expect(ids.sort()).toEqual(
      checks
        .filter((c) => c.provider === 'aws')
        .map((c) => c.id)
        .sort(),
    );
  });

  it('fails when the catalogue changes: a new check or a new need shows up in the rendering', () => {
    const extra = { ...checks.find((c) => c.provider === 'azure')!, id: 'AKS.NEW.1' } as AnyCheck;
    expect(checkTable('azure', [...checks, extra])).not.toBe(checkTable('azure', checks));
    const needy = { ...checks[0]!, needs: [...checks[0]!.needs, 'eks:ListInsights'] } as AnyCheck;
    expect(readerActionsTable([needy, ...checks.slice(1)])).toContain('`eks:ListInsights`');
  });

  it('replaces only the marked section, and refuses a file without its markers', () => {
    const text = 'a\n<!-- generated:x (npm run docs) -->\nold\n<!-- /generated:x -->\nb';
    expect(replaceSection(text, 'x', 'new')).toBe(
      'a\n<!-- generated:x (npm run docs) -->\nnew\n<!-- /generated:x -->\nb',
    );
    expect(() => replaceSection('no markers', 'x', 'new')).toThrow(/missing markers/);
  });
});
