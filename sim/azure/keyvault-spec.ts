import * as z from 'zod';

/**
 * The `azure.keyVaults` part of a fleet spec (served by sim/azure/keyvault.ts). Apart from the routes so that the spec
 * schemas import nothing that imports them back (sim/spec.ts → azure/spec.ts → here).
 */

const TIME = z
  .string()
  .refine((s) => /^now[+-]\d{1,5}d$/.test(s) || !Number.isNaN(Date.parse(s)), 'an ISO time, or now-30d / now+30d');

const KeySpecSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9-]{1,127}$/, 'a Key Vault key name'),
  /** The version the spec describes; other versions of the key are served as its current one. */
  version: z
    .string()
    .regex(/^[A-Za-z0-9]{1,64}$/, 'a key version (32 hex digits)')
    .optional(),
  enabled: z.boolean().default(true),
  /** `attributes.exp`: an ISO time or `now+10d`. */
  expires: TIME.optional(),
  /** `attributes.nbf`. */
  notBefore: TIME.optional(),
  /** The key (or version) was deleted: 404. */
  deleted: z.boolean().default(false),
});

export const KeyVaultSpecSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]{3,24}$/i, 'a vault name: 3-24 letters, digits and -'),
  /** Default: the subscription of the first cluster whose key URL names the vault. */
  subscriptionId: z.string().min(1).optional(),
  resourceGroup: z.string().min(1).default('rg-keys'),
  location: z.string().min(1).default('westeurope'),
  /** ARM `properties.publicNetworkAccess`: Enabled (the default) or Disabled. */
  publicNetworkAccess: z.enum(['Enabled', 'Disabled']).optional(),
  /** ARM `properties.networkAcls` (wire names: defaultAction, bypass, ipRules, virtualNetworkRules). */
  networkAcls: z.record(z.string(), z.unknown()).optional(),
  /** The reader has no role on the vault: 403 on it and its keys, and it is not listed. */
  denied: z.boolean().default(false),
  /** The vault was deleted: 404, and not listed. */
  deleted: z.boolean().default(false),
  keys: z.array(KeySpecSchema).default([]),
});

export type KeyVaultSpec = z.output<typeof KeyVaultSpecSchema>;
