import type { protos } from '@google-cloud/container';
import type { protos as rmProtos } from '@google-cloud/resource-manager';
import type { SnapshotBase } from './snapshot.ts';

export type GkeCluster = protos.google.container.v1.ICluster;
export type GkeNodePool = protos.google.container.v1.INodePool;
export type GkeServerConfig = protos.google.container.v1.IServerConfig;
export type GcpIamPolicy = rmProtos.google.iam.v1.IPolicy;

/**
 * A GKE cluster as the GKE API (`projects.locations.clusters.list`) describes it, as the SDK returned it.
 * Enum fields arrive as names (`GKE_METADATA`) or numbers, depending on the transport: read them through
 * `checks/gke/lib/enums.ts`.
 */
export interface GkeClusterSnapshot extends SnapshotBase {
  provider: 'gcp';
  cluster: GkeCluster;
  /** `getServerConfig` for the cluster's location: valid versions and release channels. */
  serverConfig: GkeServerConfig | undefined;
  /**
   * The project's IAM policy and the custom roles its bindings use (issue 13: who can become cluster-admin through
   * Google Cloud IAM). `undefined` when the policy could not be read (see `gaps`).
   */
  projectIam?: GkeProjectIam | undefined;
  // encryption key health (issue 15)
  /**
   * The Cloud KMS key of `databaseEncryption.keyName`, read with `getCryptoKey` (`collectors/gcp/kms.ts`). Absent
   * when the cluster names no key; present with no `cryptoKey` when it could not be read (a `cloudkms:*` gap says
   * why) or does not exist (`notFound`).
   */
  secretsKey?: GkeSecretsKeyFacts;
}

/**
 * The fields of `CryptoKey` the key checks read, in the API's proto3 JSON form (so a snapshot stays plain JSON
 * whatever the transport decoded: enums as names, timestamps as RFC 3339, durations as `"7776000s"`).
 */
export interface GkeCryptoKey {
  name: string;
  purpose: string;
  primary?: { name: string; state: string; destroyTime?: string; protectionLevel?: string };
  rotationPeriod?: string;
  nextRotationTime?: string;
}

export interface GkeSecretsKeyFacts {
  /** As `databaseEncryption.keyName` names it. */
  keyName: string;
  cryptoKey?: GkeCryptoKey;
  /** getCryptoKey answered NOT_FOUND: the key is gone, so the cluster cannot decrypt its Secrets. */
  notFound?: boolean;
}

/** `projects/P/locations/L/keyRings/R/cryptoKeys/K`, or undefined. */
export function parseCryptoKeyName(
  name: string,
): { project: string; location: string; keyRing: string; cryptoKey: string } | undefined {
  const m = /^projects\/([^/]+)\/locations\/([^/]+)\/keyRings\/([^/]+)\/cryptoKeys\/([^/]+)$/.exec(name.trim());
  if (!m) return undefined;
  return { project: m[1]!, location: m[2]!, keyRing: m[3]!, cryptoKey: m[4]! };
}

export interface GkeProjectIam {
  /** `projects.getIamPolicy` (policy version 3: conditions included), as the SDK returned it. */
  policy: GcpIamPolicy;
  /** Custom roles (`projects/p/roles/r`, `organizations/o/roles/r`) a binding uses, with their permissions, by name. */
  customRoles: Record<string, { name: string; title?: string; includedPermissions: string[] }>;
  /** Custom roles that could not be read (`iam.roles.get`): a path check never passes while one is bound. */
  unresolvedRoles: { role: string; error: string }[];
  /** The organization's domains (`gcp.organizationDomains`): members of other domains are outside it. Empty: not set. */
  organizationDomains: string[];
}
