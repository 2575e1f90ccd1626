import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.ts';
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
