import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import type { AksClusterSnapshot } from '../../core/snapshot.ts';
import { simAzureCredential } from '../../sim/clients.ts';
import { parseFleetSpec, type SimulatedCloud, startSimulatedCloud } from '../../sim/index.ts';
import { createAzureCollector } from './index.ts';
import { KEYVAULT_NEEDS, parseVaultResourceId } from './keyvault.ts';

/** The Key Vault reads of the Azure collector, real @azure/arm-keyvault client against the simulated ARM. */

const SUB = '11111111-1111-4111-8111-111111111111';
const KEYS_SUB = '22222222-2222-4222-8222-222222222222';
const NOW = new Date('2026-06-01T12:00:00Z');
const VERSION = '0123456789abcdef0123456789abcdef';
const kms = (vault: string, extra: Record<string, unknown> = {}) => ({
  securityProfile: {
    azureKeyVaultKms: { enabled: true, keyId: `https://${vault}.vault.azure.net/keys/etcd/${VERSION}`, ...extra },
  },
});
const vaultId = (sub: string, rg: string, name: string) =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.KeyVault/vaults/${name}`;

const spec = parseFleetSpec({
  azure: {
    subscriptions: [
      {
        id: SUB,
        clusters: [
          { name: 'plain', location: 'westeurope' },
          { name: 'public-kv', location: 'westeurope', properties: kms('kv-open') },
          {
            name: 'private-kv',
            location: 'westeurope',
            properties: kms('kv-central', {
              keyVaultNetworkAccess: 'Private',
              keyVaultResourceId: vaultId(KEYS_SUB, 'rg-central', 'kv-central'),
            }),
          },
          {
            name: 'denied-kv',
            location: 'westeurope',
            properties: kms('kv-locked', {
              keyVaultNetworkAccess: 'Private',
              keyVaultResourceId: vaultId(KEYS_SUB, 'rg-keys', 'kv-locked'),
            }),
          },
          { name: 'deleted-key', location: 'westeurope', properties: kms('kv-gone') },
          { name: 'elsewhere', location: 'westeurope', properties: kms('kv-elsewhere') },
        ],
      },
      { id: KEYS_SUB, clusters: [] },
    ],
    keyVaults: [
      {
        name: 'kv-central',
        subscriptionId: KEYS_SUB,
        resourceGroup: 'rg-central',
        publicNetworkAccess: 'Disabled',
        keys: [{ name: 'etcd', version: VERSION, expires: 'now-2d' }],
      },
      { name: 'kv-locked', subscriptionId: KEYS_SUB, denied: true },
      { name: 'kv-gone', keys: [{ name: 'etcd', deleted: true }] },
      { name: 'kv-elsewhere', subscriptionId: KEYS_SUB },
    ],
  },
});

describe('Azure collector: the Key Vault key behind azureKeyVaultKms', () => {
  let cloud: SimulatedCloud;
  let byName: Map<string, AksClusterSnapshot>;

  beforeAll(async () => {
    cloud = await startSimulatedCloud(spec, { now: NOW, maxPageSize: 1 });
    const collector = createAzureCollector(parseConfig({ azure: { maxAttempts: 1 } }), {
      credential: simAzureCredential(),
      endpoint: cloud.azure!.endpoint,
      ca: cloud.azure!.ca,
    });
    const { snapshots, errors } = await collector.collect({ provider: 'azure', accountId: SUB, region: '*' });
    expect(errors).toEqual([]);
    byName = new Map(snapshots.map((s) => [s.name, s as AksClusterSnapshot]));
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('reads nothing for a cluster without KMS', () => {
    const s = byName.get('plain')!;
    expect(s.secretsKey).toBeUndefined();
    expect(s.gaps).toEqual([]);
  });

  it('finds a vault by name in the subscription (listed once, paged) and reads the key version', () => {
    const s = byName.get('public-kv')!;
    expect(s.gaps).toEqual([]);
    expect(s.secretsKey).toMatchObject({ vaultName: 'kv-open', keyName: 'etcd', keyVersion: VERSION });
    expect(s.secretsKey?.vault?.id).toBe(vaultId(SUB, 'rg-keys', 'kv-open'));
    expect(s.secretsKey?.vault?.properties.publicNetworkAccess).toBeUndefined();
    expect(s.secretsKey?.key?.attributes).toMatchObject({ enabled: true });
    expect(s.secretsKey?.key?.attributes?.expires).toBeUndefined();
    expect(cloud.count({ action: 'Vaults.ListBySubscription', accountId: SUB, status: 200 })).toBe(2); // two pages of one vault, read once for three clusters
  });

  it('reads a private vault of another subscription by keyVaultResourceId, with its expiry', () => {
    const s = byName.get('private-kv')!;
    expect(s.gaps).toEqual([]);
    expect(s.secretsKey?.vault?.properties.publicNetworkAccess).toBe('Disabled');
    expect(s.secretsKey?.key?.attributes?.expires).toBe(NOW.getTime() / 1000 - 2 * 86_400);
  });

  it('a vault the reader may not read is an AccessDenied gap, not data', () => {
    const s = byName.get('denied-kv')!;
    expect(s.secretsKey?.vault).toBeUndefined();
    expect(s.secretsKey?.key).toBeUndefined();
    expect(s.gaps).toEqual([
      expect.objectContaining({
        need: KEYVAULT_NEEDS.getVault,
        code: 'AccessDenied',
        error: expect.stringContaining('Microsoft.KeyVault/vaults/read'),
      }),
    ]);
  });

  it('a deleted key is notFound (a finding), not a gap', () => {
    const s = byName.get('deleted-key')!;
    expect(s.gaps).toEqual([]);
    expect(s.secretsKey?.notFound).toBe('key');
    expect(s.secretsKey?.vault).toBeDefined();
  });

  it('a vault in no subscription the reader lists is a NotFound gap naming what to do, never "deleted"', () => {
    const s = byName.get('elsewhere')!;
    expect(s.secretsKey?.notFound).toBeUndefined();
    expect(s.gaps).toEqual([
      expect.objectContaining({
        need: KEYVAULT_NEEDS.listVaults,
        code: 'NotFound',
        error: expect.stringContaining('keyVaultResourceId'),
      }),
    ]);
  });

  it('parses vault resource ids, refusing anything else', () => {
    expect(parseVaultResourceId(vaultId(KEYS_SUB, 'RG', 'KV-A'))).toEqual({
      subscriptionId: KEYS_SUB,
      resourceGroup: 'RG',
      name: 'kv-a',
    });
    expect(parseVaultResourceId('/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/x/y')).toBeUndefined();
    expect(parseVaultResourceId(undefined)).toBeUndefined();
  });
});
