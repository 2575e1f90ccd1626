import * as z from 'zod';
import { CustomRoleSpecSchema, IamBindingSpecSchema } from './iam.ts';
import { KmsKeySpecSchema } from './kms-spec.ts';

/**
 * The Google Cloud part of a fleet spec: projects with GKE clusters. Cluster fields use the GKE v1 REST
 * names (lowerCamel, enums as names) and are deep-merged over `defaults.cluster` (objects merge, lists
 * replace, `null` removes), which sit over what `gcloud container clusters create` gives without flags.
 */

const PROJECT_ID = z
  .string()
  .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'a GCP project id: 6 to 30 lowercase letters, digits and hyphens');
const LOCATION = z
  .string()
  .regex(/^[a-z]+-[a-z]+\d(-[a-z])?$/, 'a GCP region or zone like europe-west1 or europe-west1-b');
const GKE_NAME = z
  .string()
  .regex(/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/, 'a GKE name: lowercase letters, digits and -, up to 40');
const PLAIN = z.record(z.string(), z.unknown());

const GkeClusterSpecSchema = z.object({ name: GKE_NAME, location: LOCATION }).catchall(z.unknown());

const ProjectSpecSchema = z.strictObject({
  id: PROJECT_ID,
  /** Default: derived from the id, deterministically. */
  number: z
    .string()
    .regex(/^\d{6,20}$/, 'a project number (digits; quote it in YAML)')
    .optional(),
  /** The GKE API is not enabled: every call answers 403 SERVICE_DISABLED. */
  apiDisabled: z.boolean().default(false),
  /** The identity has no role here: 403 PERMISSION_DENIED, and the project is not listed. */
  denied: z.boolean().default(false),
  /** Sim-only: methods (as the sim's calls name them, `getServerConfig`) refused with 403 PERMISSION_DENIED. */
  deniedActions: z.array(z.enum(['getServerConfig', 'clusters.list'])).default([]),
  clusters: z.array(GkeClusterSpecSchema).default([]),
  /** The project's IAM policy (sim/gcp/iam.ts). Absent: a new project's (owner, default editors). */
  iamPolicy: z.strictObject({ bindings: z.array(IamBindingSpecSchema) }).optional(),
  /** The project's custom roles: `name` is the role id or `projects/<id>/roles/<role>`. */
  customRoles: z.array(CustomRoleSpecSchema).default([]),
});

export const DEFAULT_GKE_SERVER_CONFIG = {
  defaultClusterVersion: '1.32.6-gke.1125000',
  validMasterVersions: ['1.33.2-gke.1240000', '1.32.6-gke.1125000', '1.31.10-gke.1045000'],
  validNodeVersions: ['1.33.2-gke.1240000', '1.32.6-gke.1125000', '1.31.10-gke.1045000', '1.30.14-gke.1135000'],
  defaultImageType: 'COS_CONTAINERD',
  validImageTypes: ['COS_CONTAINERD', 'UBUNTU_CONTAINERD', 'WINDOWS_LTSC_CONTAINERD'],
  channels: [
    { channel: 'RAPID', defaultVersion: '1.33.2-gke.1240000', validVersions: ['1.33.2-gke.1240000'] },
    { channel: 'REGULAR', defaultVersion: '1.32.6-gke.1125000', validVersions: ['1.32.6-gke.1125000'] },
    { channel: 'STABLE', defaultVersion: '1.31.10-gke.1045000', validVersions: ['1.31.10-gke.1045000'] },
  ],
};

export const GcpSpecSchema = z.strictObject({
  defaults: z.strictObject({ cluster: PLAIN.default({}) }).default({ cluster: {} }),
  /** What `getServerConfig` answers, in every location (GKE REST field names). */
  serverConfig: PLAIN.default(DEFAULT_GKE_SERVER_CONFIG),
  projects: z.array(ProjectSpecSchema).default([]),
  /** Custom roles of the organization (`organizations/<n>/roles/<id>`), for `iam.roles.get`. */
  organizationRoles: z.array(CustomRoleSpecSchema).default([]),
  /** The organization's domains, as a scan of this fleet is configured (`gcp.organizationDomains`). */
  organizationDomains: z.array(z.string().min(1)).optional(),
  /** Cloud KMS keys behind clusters' `databaseEncryption` (sim/gcp/kms.ts); a key a cluster names is served anyway. */
  kmsKeys: z.array(KmsKeySpecSchema).default([]),
});

export type GcpSpec = z.output<typeof GcpSpecSchema>;
export type ProjectSpec = z.output<typeof ProjectSpecSchema>;
export type GkeClusterSpec = z.output<typeof GkeClusterSpecSchema>;

export function gcpIssues(gcp: GcpSpec | undefined): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  if (!gcp) return issues;
  const ids = new Map<string, number>();
  gcp.projects.forEach((p, i) => {
    const first = ids.get(p.id);
    if (first !== undefined)
      issues.push({ path: `gcp.projects[${i}].id`, message: `${p.id} is already gcp.projects[${first}]` });
    else ids.set(p.id, i);
    const names = new Map<string, number>();
    p.clusters.forEach((c, j) => {
      const key = `${c.location}/${c.name}`;
      const dup = names.get(key);
      if (dup !== undefined)
        issues.push({
          path: `gcp.projects[${i}].clusters[${j}].name`,
          message: `${c.name} is already clusters[${dup}] in ${c.location}`,
        });
      else names.set(key, j);
      if (c.nodePools !== undefined && !Array.isArray(c.nodePools))
        issues.push({ path: `gcp.projects[${i}].clusters[${j}].nodePools`, message: 'must be a list' });
    });
  });
  return issues;
}
