import { resolveTime } from '../references.ts';
import type { SimAzure, SimSubscription } from './fleet.ts';
import type { KeyVaultSpec } from './keyvault-spec.ts';
import { ArmError } from './server.ts';

/**
 * Key Vault through ARM (`Microsoft.KeyVault/vaults`, api 2026-02-01 as `@azure/arm-keyvault` 5 asks): the vaults
 * and key versions the AKS key checks read (issue 15). A vault is the spec's `azure.keyVaults` entry, or, for a vault
 * a cluster's `azureKeyVaultKms.keyId` names and the spec does not list, what `az keyvault create` gives (public
 * network access on, no firewall) in the cluster's subscription with every named key version enabled and without
 * expiry. Key material is never served: ARM does not return it either.
 */

interface SimKeyVault extends Omit<KeyVaultSpec, 'keys' | 'subscriptionId'> {
  subscriptionId: string;
  keys: (KeyVaultSpec['keys'][number] & { exp?: number; nbf?: number })[];
}

/** The vaults the fleet serves: the spec's, plus those its clusters name. Times resolved once, at start. */
export function resolveKeyVaults(azure: SimAzure, specs: readonly KeyVaultSpec[], now: Date): SimKeyVault[] {
  const seconds = (t: string | undefined) => (t ? Math.floor(resolveTime(t, now).getTime() / 1000) : undefined);
  const vaults: SimKeyVault[] = [];
  const named = new Map<string, string>();
  for (const s of azure.subscriptions)
    for (const c of s.clusters) {
      const kms = ((c.resource.properties.securityProfile ?? {}) as Record<string, Record<string, unknown>>)
        .azureKeyVaultKms;
      const m = /^https:\/\/([^.]+)\.vault\./i.exec(String(kms?.keyId ?? ''));
      if (m && !named.has(m[1]!.toLowerCase())) named.set(m[1]!.toLowerCase(), s.id);
    }
  for (const v of specs) {
    const name = v.name.toLowerCase();
    vaults.push({
      ...v,
      name,
      subscriptionId: (v.subscriptionId ?? named.get(name) ?? azure.subscriptions[0]?.id ?? '').toLowerCase(),
      keys: v.keys.map((k) => ({ ...k, exp: seconds(k.expires), nbf: seconds(k.notBefore) })),
    });
  }
  for (const [name, subscriptionId] of named)
    if (!vaults.some((v) => v.name === name))
      vaults.push({
        name,
        subscriptionId,
        resourceGroup: 'rg-keys',
        location: 'westeurope',
        denied: false,
        deleted: false,
        keys: [],
      });
  return vaults;
}

function vaultId(v: SimKeyVault): string {
  return `/subscriptions/${v.subscriptionId}/resourceGroups/${v.resourceGroup}/providers/Microsoft.KeyVault/vaults/${v.name}`;
}

function vaultJson(v: SimKeyVault, tenantId: string) {
  return {
    id: vaultId(v),
    name: v.name,
    type: 'Microsoft.KeyVault/vaults',
    location: v.location,
    tags: {},
    properties: {
      tenantId,
      sku: { family: 'A', name: 'standard' },
      accessPolicies: [],
      enableRbacAuthorization: true,
      enableSoftDelete: true,
      softDeleteRetentionInDays: 90,
      enablePurgeProtection: true,
      vaultUri: `https://${v.name}.vault.azure.net/`,
      provisioningState: 'Succeeded',
      ...(v.publicNetworkAccess ? { publicNetworkAccess: v.publicNetworkAccess } : {}),
      ...(v.networkAcls ? { networkAcls: v.networkAcls } : {}),
    },
  };
}

function keyJson(v: SimKeyVault, name: string, version: string | undefined) {
  const k = v.keys.find(
    (x) => x.name.toLowerCase() === name.toLowerCase() && (!x.version || !version || x.version === version),
  );
  if (k?.deleted) throw new ArmError(404, 'NotFound', `The key '${name}' was not found in vault '${v.name}'.`);
  const current = k?.version ?? version ?? '0123456789abcdef0123456789abcdef';
  const uri = `https://${v.name}.vault.azure.net/keys/${name}`;
  return {
    id: `${vaultId(v)}/keys/${name}${version ? `/versions/${version}` : ''}`,
    name: version ?? name,
    type: version ? 'Microsoft.KeyVault/vaults/keys/versions' : 'Microsoft.KeyVault/vaults/keys',
    location: v.location,
    properties: {
      attributes: {
        enabled: k?.enabled ?? true,
        created: 1_735_689_600,
        updated: 1_735_689_600,
        recoveryLevel: 'Recoverable',
        exportable: false,
        ...(k?.exp !== undefined ? { exp: k.exp } : {}),
        ...(k?.nbf !== undefined ? { nbf: k.nbf } : {}),
      },
      kty: 'RSA',
      keyOps: ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'],
      keySize: 2048,
      keyUri: uri,
      keyUriWithVersion: `${uri}/${current}`,
    },
  };
}

export interface KeyVaultRoute {
  action: string;
  permission: string;
  subscriptionId: string;
  answer(sub: SimSubscription | undefined, url: URL): unknown;
}

/**
 * The ARM routes of Key Vault, for the ARM handler (sim/azure/server.ts): undefined for a path that is not Key
 * Vault's. `page` is the handler's own paging, so vault lists page like every ARM list.
 */
export function keyVaultRoutes(
  vaults: readonly SimKeyVault[],
  tenantId: string,
  page: <T>(items: T[], url: URL) => unknown,
): (path: string) => KeyVaultRoute | undefined {
  const visible = (v: SimKeyVault) => !v.denied && !v.deleted;
  function vault(sub: string, rg: string, name: string, permission: string): SimKeyVault {
    const v = vaults.find((x) => x.subscriptionId === sub.toLowerCase() && x.name === name.toLowerCase() && !x.deleted);
    if (!v || v.resourceGroup.toLowerCase() !== rg.toLowerCase())
      throw new ArmError(
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.KeyVault/vaults/${name}' under resource group '${rg}' was not found.`,
      );
    if (v.denied)
      throw new ArmError(
        403,
        'AuthorizationFailed',
        `The client 'kubeposture-reader' with object id '00000000-0000-0000-0000-00000000beef' does not have authorization to perform action '${permission}' over scope '${vaultId(v)}' or the scope is invalid.`,
      );
    return v;
  }
  return (path) => {
    let m = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.KeyVault\/vaults$/i.exec(path);
    if (m) {
      const sub = m[1]!.toLowerCase();
      return {
        action: 'Vaults.ListBySubscription',
        permission: 'Microsoft.KeyVault/vaults/read',
        subscriptionId: sub,
        answer: (_s, url) =>
          page(
            vaults.filter((v) => v.subscriptionId === sub && visible(v)).map((v) => vaultJson(v, tenantId)),
            url,
          ),
      };
    }
    const base = '^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.KeyVault/vaults/([^/]+)';
    m = new RegExp(`${base}$`, 'i').exec(path);
    if (m) {
      const [, sub, rg, name] = m as unknown as [string, string, string, string];
      return {
        action: 'Vaults.Get',
        permission: 'Microsoft.KeyVault/vaults/read',
        subscriptionId: sub,
        answer: () => vaultJson(vault(sub, rg, name, 'Microsoft.KeyVault/vaults/read'), tenantId),
      };
    }
    m = new RegExp(`${base}/keys/([^/]+)(?:/versions/([^/]+))?$`, 'i').exec(path);
    if (m) {
      const [, sub, rg, name, key, version] = m as unknown as [string, string, string, string, string, string?];
      const permission = version
        ? 'Microsoft.KeyVault/vaults/keys/versions/read'
        : 'Microsoft.KeyVault/vaults/keys/read';
      return {
        action: version ? 'Keys.GetVersion' : 'Keys.Get',
        permission,
        subscriptionId: sub,
        answer: () => keyJson(vault(sub, rg, name, permission), key, version),
      };
    }
    return undefined;
  };
}
