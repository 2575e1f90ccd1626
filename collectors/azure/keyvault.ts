import type { ManagedCluster } from '@azure/arm-containerservice';
import type { Key, KeyVaultManagementClient, Vault } from '@azure/arm-keyvault';
import type { CollectionGap } from '../../core/snapshot.ts';
import { type AksSecretsKeyFacts, parseKeyVaultKeyId } from '../../core/snapshot-aks.ts';
import { collectPages } from '../common/pages.ts';
import { classifyAzureError, describeAzureError } from './errors.ts';
import { ARM_ROUTES } from './schemas.ts';

/** What the key-health reads need, as the AKS key checks name them (Reader covers each: see README). */
export const KEYVAULT_NEEDS = {
  listVaults: 'keyvault:ListVaults',
  getVault: 'keyvault:GetVault',
  getKey: 'keyvault:GetKey',
} as const;

/** `/subscriptions/S/resourceGroups/RG/providers/Microsoft.KeyVault/vaults/NAME`, or undefined. */
export function parseVaultResourceId(
  id: string | undefined,
): { subscriptionId: string; resourceGroup: string; name: string } | undefined {
  const m =
    /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.KeyVault\/vaults\/([^/]+)\/?$/i.exec(
      id?.trim() ?? '',
    );
  return m ? { subscriptionId: m[1]!.toLowerCase(), resourceGroup: m[2]!, name: m[3]!.toLowerCase() } : undefined;
}

export interface KeyVaultReader {
  /**
   * The health facts of the key behind the cluster's `azureKeyVaultKms`. Never throws: what ARM does not answer is a
   * gap pushed on `gaps`, so the key checks say ERROR, never PASS. Undefined when KMS is off, names no key, or names
   * something that is not a Key Vault key URL (the checks report that from the cluster alone).
   */
  secretsKey(
    cluster: ManagedCluster,
    subscriptionId: string,
    gaps: CollectionGap[],
  ): Promise<AksSecretsKeyFacts | undefined>;
}

const continuation = (page: unknown) => (page as { continuationToken?: string }).continuationToken;

function gap(need: string, e: unknown, what: string): CollectionGap {
  return { need, code: classifyAzureError(e), error: `${describeAzureError(e)} (${what})` };
}

/**
 * Reads Key Vault through ARM (management plane: a private vault's firewall does not stop it, and no key material is
 * ever returned). The vault comes from `keyVaultResourceId` when the cluster sets it (private access), else from the
 * vaults of the cluster's subscription by name (the key URL names the vault, not its subscription); the vault list
 * is read once per subscription per scan, keeping only successes so one target's failure is not another's gap.
 */
export function keyVaultReader(
  client: (subscriptionId: string) => KeyVaultManagementClient,
  maxPages: number,
): KeyVaultReader {
  const vaultLists = new Map<string, Promise<Vault[]>>();
  function vaultsOf(subscriptionId: string): Promise<Vault[]> {
    let p = vaultLists.get(subscriptionId);
    if (!p) {
      p = collectPages<Vault[] & { continuationToken?: string }, Vault>(
        client(subscriptionId).vaults.listBySubscription().byPage(),
        (page) => page,
        { action: ARM_ROUTES.listVaults.action, nextToken: continuation, maxPages },
      );
      vaultLists.set(subscriptionId, p);
      p.catch(() => vaultLists.delete(subscriptionId));
    }
    return p;
  }

  return {
    async secretsKey(cluster, subscriptionId, gaps) {
      const kms = cluster.securityProfile?.azureKeyVaultKms;
      const keyId = kms?.enabled ? kms.keyId?.trim() : undefined;
      const parsed = keyId ? parseKeyVaultKeyId(keyId) : undefined;
      if (!keyId || !parsed) return undefined;
      const facts: AksSecretsKeyFacts = { keyId, ...parsed };
      const byId = parseVaultResourceId(kms?.keyVaultResourceId);
      // A resource id naming another vault than the key URL is not believed: the KMS plugin uses the key URL.
      let where = byId?.name === parsed.vaultName ? byId : undefined;
      if (where) {
        try {
          facts.vault = await client(where.subscriptionId).vaults.get(where.resourceGroup, where.name);
        } catch (e) {
          if (classifyAzureError(e) === 'NotFound') facts.notFound = 'vault';
          else gaps.push(gap(KEYVAULT_NEEDS.getVault, e, `vault ${kms?.keyVaultResourceId}`));
          return facts;
        }
      } else {
        let vaults: Vault[];
        try {
          vaults = await vaultsOf(subscriptionId);
        } catch (e) {
          gaps.push(gap(KEYVAULT_NEEDS.listVaults, e, `vaults of subscription ${subscriptionId}`));
          return facts;
        }
        facts.vault = vaults.find((v) => v.name?.toLowerCase() === parsed.vaultName);
        where = parseVaultResourceId(facts.vault?.id);
        if (!facts.vault || !where) {
          // Not "deleted": the vault may live in a subscription this identity cannot list.
          gaps.push({
            need: KEYVAULT_NEEDS.listVaults,
            code: 'NotFound',
            error: `NotFound: no vault named ${parsed.vaultName} in subscription ${subscriptionId} (it may be in another subscription: set keyVaultResourceId, or give the reader Reader there)`,
          });
          return facts;
        }
      }
      const keys = client(where.subscriptionId).keys;
      try {
        facts.key = (
          parsed.keyVersion
            ? await keys.getVersion(where.resourceGroup, where.name, parsed.keyName, parsed.keyVersion)
            : await keys.get(where.resourceGroup, where.name, parsed.keyName)
        ) as Key;
      } catch (e) {
        if (classifyAzureError(e) === 'NotFound') facts.notFound = 'key';
        else gaps.push(gap(KEYVAULT_NEEDS.getKey, e, `key ${keyId}`));
      }
      return facts;
    },
  };
}
