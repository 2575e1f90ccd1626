import type { Finding } from '../../core/finding.ts';

/**
 * A value may go into a copy-paste shell command only if it is a plain token: cloud names and tags are
 * attacker-influenced, and a quoted value could not go inside the single-quoted JSON some commands carry.
 * No leading `-`, which would read as an option. Anything else keeps its `<placeholder>` for the reader to fill.
 */
const SHELL_SAFE = /^[A-Za-z0-9/][A-Za-z0-9._:/@+=-]*$/;

const match = (re: RegExp, s: string): string | undefined => re.exec(s)?.[1];

/** What a finding knows of the placeholders the checks' commands use (`<cluster>`, `<rg>`, `<pool>`, ...). */
export function placeholderValues(f: Finding): Record<string, string | undefined> {
  const common = { cluster: f.clusterName, region: f.region, location: f.region };
  switch (f.provider) {
    case 'aws':
      return {
        ...common,
        account: f.accountId,
        nodegroup: match(/:nodegroup\/[^/]+\/([^/]+)/, f.resourceId),
        addon: match(/:addon\/[^/]+\/([^/]+)/, f.resourceId),
      };
    case 'azure': {
      const rg = match(/\/resourcegroups\/([^/]+)\//i, f.clusterId);
      return {
        ...common,
        subscription: f.accountId,
        rg,
        'resource-group': rg,
        'cluster-resource-id': f.clusterId,
        pool: match(/\/agentPools\/([^/]+)$/i, f.resourceId),
      };
    }
    case 'gcp':
      return {
        ...common,
        project: match(/\/projects\/([^/]+)\//, f.clusterId) ?? f.accountId,
        pool: match(/\/nodePools\/([^/]+)$/, f.resourceId),
      };
  }
}

/** The flag that points each CLI at the finding's account, region or project, when the command lacks it. */
const SCOPE: { cli: RegExp; flag: string; key: string }[] = [
  { cli: /^(aws eks|eksctl) /, flag: '--region', key: 'region' },
  { cli: /^az /, flag: '--subscription', key: 'subscription' },
  { cli: /^gcloud /, flag: '--project', key: 'project' },
];

/**
 * A check's remediation command with the finding's cluster, region, resource group, project, node group or pool
 * filled in, and each `&&`-joined step scoped to its account/region/project. Values that are not plain tokens
 * are left as placeholders (see SHELL_SAFE); the result is text, escaped where it is rendered.
 */
export function fillCommand(cli: string, f: Finding): string {
  const values = placeholderValues(f);
  const safe = (key: string) => {
    const v = values[key];
    return v !== undefined && SHELL_SAFE.test(v) ? v : undefined;
  };
  return cli
    .split(' && ')
    .map((step) => {
      const filled = step.replace(/<([a-z][a-z0-9-]*)>/g, (whole, name: string) => safe(name) ?? whole);
      const scope = SCOPE.find((s) => s.cli.test(filled));
      const value = scope && safe(scope.key);
      return scope && value && !filled.includes(`${scope.flag} `) ? `${filled} ${scope.flag} ${value}` : filled;
    })
    .join(' && ');
}

/** Only http(s) links from metadata become hrefs: a `javascript:` URL passes zod's `url()`. */
export function safeHref(url: string | undefined): string | undefined {
  return url && /^https?:\/\/[^\s"'<>]+$/i.test(url) ? url : undefined;
}

/** `2026-12-05T07:41:09.123Z` → `2026-12-05 07:41 UTC`; anything unparseable is shown as given. */
export function readableTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const d = new Date(t).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 16)} UTC`;
}

/** `8 s`, `3 min 20 s`, `1 h 5 min` between two ISO times; empty when either is unparseable or negative. */
export function readableDuration(fromIso: string, toIso: string): string {
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  if (!Number.isFinite(ms) || ms < 0) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
}
