import { resolveTime } from '../references.ts';
import type { SimGcp } from './fleet.ts';
import type { KmsKeySpec } from './kms-spec.ts';
import { GoogleError } from './server.ts';

/**
 * Cloud KMS v1 `projects.locations.keyRings.cryptoKeys.get` over REST (what `@google-cloud/kms` speaks with
 * `fallback: true`), for the GKE key checks (issue 15). A key is the spec's `gcp.kmsKeys` entry, or, for a key a
 * cluster's `databaseEncryption.keyName` names in one of the spec's readable projects, an ENABLED key rotating every
 * 90 days. A key of a project the spec does not have (another organization's, a central key project) is refused
 * with PERMISSION_DENIED unless listed: listing it stands for the grant of `cloudkms.cryptoKeys.get` there.
 */

const DEFAULT_KEY = (name: string): KmsKeySpec => ({
  name,
  primaryState: 'ENABLED',
  rotationPeriod: '7776000s',
  denied: false,
  deleted: false,
});

/** The KMS route of the GKE simulator's server: undefined for a path that is not a crypto key. */
export function kmsRoutes(
  gcp: SimGcp,
  specs: readonly KmsKeySpec[],
  now: Date,
): (path: string) => { action: string; projectId: string; answer(): unknown } | undefined {
  const iso = (t: string) => resolveTime(t, now).toISOString();
  return (path) => {
    const m = /^\/v1\/(projects\/([^/]+)\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+)$/.exec(path);
    if (!m) return undefined;
    const [, name, projectId] = m as unknown as [string, string, string];
    return {
      action: 'cryptoKeys.get',
      projectId,
      answer() {
        const listed = specs.find((k) => k.name === name);
        const project = gcp.projects.find((p) => p.id === projectId || p.number === projectId);
        if ((!listed && (!project || project.denied)) || listed?.denied)
          throw new GoogleError(
            403,
            'PERMISSION_DENIED',
            `Permission 'cloudkms.cryptoKeys.get' denied on resource '${name}' (or it may not exist).`,
            'IAM_PERMISSION_DENIED',
            { permission: 'cloudkms.cryptoKeys.get', resource: name },
          );
        const k = listed ?? DEFAULT_KEY(name);
        if (k.deleted) throw new GoogleError(404, 'NOT_FOUND', `CryptoKey ${name} not found.`);
        const scheduled = k.primaryState === 'DESTROY_SCHEDULED' || k.primaryState === 'DESTROYED';
        return {
          name,
          primary: {
            name: `${name}/cryptoKeyVersions/1`,
            state: k.primaryState,
            protectionLevel: 'SOFTWARE',
            algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION',
            createTime: '2025-04-01T09:00:00Z',
            generateTime: '2025-04-01T09:00:00Z',
            ...(scheduled
              ? { destroyTime: iso(k.destroyTime ?? (k.primaryState === 'DESTROYED' ? 'now-1d' : 'now+30d')) }
              : {}),
            ...(k.primaryState === 'DESTROYED' ? { destroyEventTime: iso(k.destroyTime ?? 'now-1d') } : {}),
          },
          purpose: 'ENCRYPT_DECRYPT',
          createTime: '2025-04-01T09:00:00Z',
          ...(k.rotationPeriod ? { rotationPeriod: k.rotationPeriod, nextRotationTime: iso('now+30d') } : {}),
          versionTemplate: { protectionLevel: 'SOFTWARE', algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION' },
          destroyScheduledDuration: '2592000s',
        };
      },
    };
  };
}
