import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { configWarnings, parseConfig } from './config.ts';
import { ConfigError } from './errors.ts';

describe('parseConfig', () => {
  it('fills sensible defaults from an empty configuration', () => {
    const c = parseConfig({});
    expect(c.aws.roleName).toBe('KubepostureReader');
    expect(c.aws.accounts).toBeUndefined();
    expect(c.aws.regions).toBeUndefined();
    expect(c.checks.logging.requiredTypes).toEqual(['audit', 'authenticator']);
    expect(c.checks.access.maxClusterAdmins).toBe(3);
    expect(c.aws.kubernetesApiTimeoutMs).toBe(5_000);
    expect(c.concurrency.targets).toBeGreaterThan(0);
    expect(c.concurrency.threads).toBe('auto');
  });

  it('defaults the node and version settings to documented values', () => {
    const c = parseConfig({});
    expect(c.checks.versions.warnDays).toBe(90);
    expect(c.checks.nodes.releaseLag).toMatchObject({ failAfterDays: 14, mediumAfterDays: 45, highAfterDays: 90 });
    expect(c.checks.nodes.customAmiMaxAgeDays).toBe(90);
    expect(c.checks.hygiene.productionTags.env).toEqual(['prod', 'production']);
  });

  it.each([
    [{ aws: { accounts: [{ id: '1234' }] } }, 'aws.accounts[0].id'],
    [{ aws: { regions: ['EU-WEST-1'] } }, 'aws.regions[0]'],
    [{ checks: { logging: { requiredTypes: ['audits'] } } }, 'checks.logging.requiredTypes[0]'],
    [{ failOn: 'severe' }, 'failOn'],
    [{ aws: { roleNmae: 'x' } }, 'aws'],
    [{ concurrency: { targets: 0 } }, 'concurrency.targets'],
    [{ concurrency: { threads: 'many' } }, 'concurrency.threads'],
    [{ concurrency: { threads: -1 } }, 'concurrency.threads'],
    [{ checks: { access: { maxClusterAdmins: 0 } } }, 'checks.access.maxClusterAdmins'],
    [{ aws: { kubernetesApiTimeoutMs: 10 } }, 'aws.kubernetesApiTimeoutMs'],
    [{ checks: { versions: { warnDays: -1 } } }, 'checks.versions.warnDays'],
    [{ checks: { nodes: { customAmiMaxAgeDays: 0 } } }, 'checks.nodes.customAmiMaxAgeDays'],
    [{ checks: { nodes: { releaseLag: { failAfterDays: 60, mediumAfterDays: 30 } } } }, 'checks.nodes.releaseLag'],
    [{ checks: { hygiene: { productionTags: { env: [] } } } }, 'checks.hygiene.productionTags.env'],
    [{ azure: { subscriptions: ['prod'] } }, 'azure.subscriptions[0]'],
    [{ azure: { subscription: [] } }, 'azure'],
    [{ gcp: { projects: ['My_Project'] } }, 'gcp.projects[0]'],
    [{ gcp: { projects: [] } }, 'gcp.projects'],
  ])('rejects %j with an error naming %s', (raw, path) => {
    try {
      parseConfig(raw);
      expect.unreachable('should have thrown');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).issues.map((i) => i.path)).toContain(path);
      expect((e as Error).message).toContain(path);
    }
  });

  it('enables Azure and Google Cloud only when their sections are present', () => {
    expect(parseConfig({}).azure).toBeUndefined();
    expect(parseConfig({}).gcp).toBeUndefined();
    const c = parseConfig({ azure: {}, gcp: { projects: ['shop-prod-1234'] } });
    expect(c.azure).toEqual({ maxAttempts: 4 });
    expect(c.gcp?.projects).toEqual(['shop-prod-1234']);
  });

  it('names the allowed values of an enum in the message', () => {
    expect(() => parseConfig({ failOn: 'severe' })).toThrow(/critical.*high.*medium.*low.*info/);
  });
});

/** The ConfigError message parseConfig throws for `raw`. */
function message(raw: unknown): string {
  try {
    parseConfig(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  return expect.unreachable('should have thrown');
}

describe('parseConfig: strict types and bounded lists', () => {
  it.each([
    [{ aws: 5 }, 'aws: expected a mapping, got a number'],
    [{ azure: 'x' }, 'azure: expected a mapping, got a string'],
    [{ gcp: [] }, 'gcp: expected a mapping, got a list'],
    [{ concurrency: true }, 'concurrency: expected a mapping, got true or false'],
    [{ checks: 1 }, 'checks: expected a mapping, got a number'],
    [{ collection: 'fast' }, 'collection: expected a mapping, got a string'],
    [{ aws: { regions: 'eu-west-1' } }, 'aws.regions: expected a list, got a string'],
    [{ aws: { accounts: [{ id: 111111111111 }] } }, 'aws.accounts[0].id: expected a string, got a number'],
    [{ aws: { maxAttempts: '3' } }, 'aws.maxAttempts: expected a number, got a string'],
    [{ suppressions: {} }, '(root): unknown key "suppressions" (suppressions are a file of their own'],
  ])('rejects %j naming the field and the expected type', (raw, expected) => {
    expect(message(raw)).toContain(expected);
  });

  it('takes an empty section (YAML `azure:` with nothing under it) as the section with its defaults', () => {
    const c = parseConfig({ aws: null, azure: null, gcp: null });
    expect(c.aws.roleName).toBe('KubepostureReader');
    expect(c.azure).toEqual({ maxAttempts: 4 });
    expect(c.gcp).toEqual({ maxAttempts: 4 });
  });

  it('bounds each list, checking its size before its items', () => {
    const regions = Array.from({ length: 300_000 }, () => 'not a region');
    const started = performance.now();
    const text = message({ aws: { regions } });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(text).toContain('aws.regions: at most 64 regions');
    expect(text.split('\n')).toHaveLength(2); // one problem, not 300,000
    const ids = (n: number) => Array.from({ length: n }, (_, i) => String(100_000_000_000 + i));
    expect(message({ aws: { accounts: ids(10_001).map((id) => ({ id })) } })).toContain(
      'aws.accounts: at most 10,000 accounts',
    );
    expect(message({ aws: { organization: { exclude: ids(10_001) } } })).toContain(
      'aws.organization.exclude: at most 10,000 accounts',
    );
    expect(message({ gcp: { projects: Array(10_001).fill('shop-prod-1234') } })).toContain(
      'gcp.projects: at most 10,000 projects',
    );
    expect(message({ azure: { subscriptions: Array(10_001).fill('00000000-0000-0000-0000-000000000001') } })).toContain(
      'azure.subscriptions: at most 10,000 subscriptions',
    );
    expect(parseConfig({ aws: { accounts: ids(10_000).map((id) => ({ id })) } }).aws.accounts).toHaveLength(10_000);
  });

  it('lists at most 20 problems, then says how many more', () => {
    const text = message({ aws: { regions: Array.from({ length: 50 }, (_, i) => `bad-${i}`) } });
    expect(text).toContain('aws.regions[19]');
    expect(text).not.toContain('aws.regions[20]');
    expect(text).toContain('… and 30 more');
  });

  it('scans a region, account, subscription or project listed twice once', () => {
    const c = parseConfig({
      aws: {
        regions: ['eu-west-1', 'us-east-1', 'eu-west-1'],
        accounts: [{ id: '111111111111' }, { id: '222222222222' }, { id: '111111111111' }],
        organization: { include: ['111111111111', '111111111111'], exclude: ['333333333333', '333333333333'] },
      },
      azure: {
        subscriptions: ['AAAAAAAA-0000-0000-0000-000000000001', 'aaaaaaaa-0000-0000-0000-000000000001'],
      },
      gcp: { projects: ['shop-prod-1234', 'shop-prod-1234'] },
      checks: { logging: { requiredTypes: ['audit', 'audit', 'api'] } },
    });
    expect(c.aws.regions).toEqual(['eu-west-1', 'us-east-1']);
    expect(c.aws.accounts?.map((a) => a.id)).toEqual(['111111111111', '222222222222']);
    expect(c.aws.organization).toEqual({ include: ['111111111111'], exclude: ['333333333333'] });
    expect(c.azure?.subscriptions).toEqual(['AAAAAAAA-0000-0000-0000-000000000001']);
    expect(c.gcp?.projects).toEqual(['shop-prod-1234']);
    expect(c.checks.logging.requiredTypes).toEqual(['audit', 'api']);
  });

  it('refuses one account listed twice with different settings, naming both entries', () => {
    expect(
      message({ aws: { accounts: [{ id: '111111111111' }, { id: '111111111111', roleName: 'Other' }] } }),
    ).toContain('aws.accounts[1].id: 111111111111 is listed twice with different settings (also aws.accounts[0])');
  });
});

describe('parseConfig: messages that say how to fix it', () => {
  it('says a missing field is required, not "expected string, received undefined"', () => {
    const text = message({ aws: { accounts: [{ roleName: 'Reader' }] } });
    expect(text).toContain('aws.accounts[0].id: required (a string)');
    expect(text).not.toContain('received undefined');
  });

  it.each([
    [
      { aws: { accounts: ['111111111111'] } },
      'aws.accounts[0]: expected a mapping, got a string; write it as accounts: [{ id: "111111111111" }]',
    ],
    [
      { aws: { accounts: '111111111111' } },
      'aws.accounts: expected a list, got a string; write it as accounts: [{ id: "111111111111" }]',
    ],
    [{ aws: { regions: 'eu-west-1' } }, 'write it as regions: [eu-west-1, us-east-1]'],
    [
      { gcp: { projects: 'shop-prod-1234' } },
      'gcp.projects: expected a list, got a string; write it as projects: [shop-prod-1234]',
    ],
    [{ checks: { hygiene: { productionTags: ['env'] } } }, 'write it as productionTags: { env: [prod, production] }'],
    [{ collection: { connectTimeoutMs: '3s' } }, 'collection.connectTimeoutMs: expected a number, got a string'],
    [{ concurrency: { targets: {} } }, 'concurrency.targets: expected a number, got a mapping'],
    [{ securityHub: 5 }, 'securityHub: expected a mapping, got a number'],
  ])('shows the accepted shape for %j', (raw, expected) => {
    expect(message(raw)).toContain(expected);
  });

  it('explains that an unquoted YAML account id is a number that lost its leading zero', () => {
    const raw = parseYaml('aws:\n  accounts:\n    - id: 012345678901\n  organization:\n    exclude: [222222222222]\n');
    const text = message(raw);
    expect(text).toContain(
      'aws.accounts[0].id: expected a string, got a number: quote account ids in YAML (id: "012345678901"); unquoted, YAML reads them as numbers and 12345678901 has lost its leading zero',
    );
    expect(text).toContain('aws.organization.exclude[0]: expected a string, got a number: quote account ids in YAML');
    // Quoted, the same file is valid and keeps the zero.
    const quoted = parseYaml('aws:\n  accounts:\n    - id: "012345678901"\n');
    expect(parseConfig(quoted).aws.accounts?.[0]?.id).toBe('012345678901');
  });

  it.each([
    [{ aws: { roleNmae: 'x' } }, 'aws: unknown key "roleNmae" (did you mean roleName?)'],
    [{ aws: { region: ['eu-west-1'] } }, 'aws: unknown key "region" (did you mean regions?)'],
    [{ checks: { loging: {} } }, 'checks: unknown key "loging" (did you mean logging?)'],
    [{ concurency: {} }, '(root): unknown key "concurency" (did you mean concurrency?)'],
    [{ azure: { subscription: [] } }, 'azure: unknown key "subscription" (did you mean subscriptions?)'],
    [{ securityhub: {} }, '(root): unknown key "securityhub" (did you mean securityHub?)'],
  ])('suggests the closest key for a typo in %j', (raw, expected) => {
    expect(message(raw)).toContain(expected);
  });

  it('lists the allowed keys when nothing is close, and clips a long key', () => {
    const text = message({ aws: { [`x${'y'.repeat(500)}`]: 1 } });
    expect(text).toContain('allowed: accounts, organization, roleName');
    expect(text).not.toContain('did you mean');
    expect(text.length).toBeLessThan(600);
  });
});

describe('configWarnings: regions', () => {
  it('warns about a region AWS does not have, with the closest known one', () => {
    const warnings = configWarnings(parseConfig({ aws: { regions: ['eu-west-1', 'us-east-9'] } }));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('aws.regions[1]: us-east-9 is not a known AWS region (did you mean us-east-1?)');
    expect(warnings[0]).toContain('aws.allowUnknownRegions: true');
  });

  it('warns about an unknown Security Hub region too', () => {
    const c = parseConfig({ securityHub: { accountId: '111111111111', region: 'eu-wets-1' } });
    expect(configWarnings(c)).toEqual([
      expect.stringContaining('securityHub.region: eu-wets-1 is not a known AWS region'),
    ]);
  });

  it('is silent for known regions, GovCloud and China included, and when unknown regions are allowed', () => {
    expect(
      configWarnings(parseConfig({ aws: { regions: ['us-gov-west-1', 'cn-north-1', 'ap-southeast-7'] } })),
    ).toEqual([]);
    expect(configWarnings(parseConfig({ aws: { regions: ['us-east-9'], allowUnknownRegions: true } }))).toEqual([]);
    expect(configWarnings(parseConfig({}))).toEqual([]);
  });
});
