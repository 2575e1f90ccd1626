import { ProjectsClient } from '@google-cloud/resource-manager';
import type { AuthClient } from 'google-auth-library';
import { GCP_KNOWN_ROLES } from '../../core/gcp-roles.ts';
import type { CollectionGap } from '../../core/snapshot.ts';
import type { GcpIamPolicy, GkeProjectIam } from '../../core/snapshot-gke.ts';
import { successCache } from '../common/success-cache.ts';
import { type GcpCallSettings, type GcpClientOptions, gaxOptions, gcpCall, gcpGetJson } from './clients.ts';
import { classifyGcpError, describeGcpError } from './errors.ts';
import type { IamRoleAnswer } from './schemas.ts';

/**
 * Issue 13, GKE: the project's IAM policy (Resource Manager `projects.getIamPolicy`, policy version 3 so conditions
 * come with their bindings) and the roles its bindings use that `GCP_KNOWN_ROLES` does not describe (IAM `roles.get`),
 * from which checks/gke/lib/admin-paths.ts works out who can become cluster-admin.
 */

export const PROJECT_IAM_NEEDS = { policy: 'crm:GetIamPolicy', role: 'gcp-iam:GetRole' } as const;

const IAM = 'https://iam.googleapis.com';

/** Always with an explicit auth client (see clusterManagerClient); REST to the simulator when `endpoint` is set. */
export function projectsClient(auth: AuthClient, o: GcpClientOptions): ProjectsClient {
  // The package pins google-gax 5 (google-auth-library 10, other types); the AuthClient of 11 has the `fetch` it calls.
  const authClient = auth as never;
  if (!o.endpoint) return new ProjectsClient({ authClient });
  const url = new URL(o.endpoint);
  return new ProjectsClient({
    fallback: true,
    apiEndpoint: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    protocol: url.protocol.replace(':', ''),
    authClient,
  } as ConstructorParameters<typeof ProjectsClient>[0]);
}

/** Reads project policies (once per project and scan) and roles (once per role and scan); only successes are kept. */
export function createProjectIamReader(deps: {
  auth: () => Promise<AuthClient>;
  options: GcpClientOptions;
  organizationDomains: readonly string[];
}) {
  let client: Promise<ProjectsClient> | undefined;
  const projects = () => {
    client ??= deps.auth().then((a) => projectsClient(a, deps.options));
    return client;
  };
  const cached = successCache<IamRoleAnswer>();
  const role = (auth: AuthClient, name: string, s: GcpCallSettings) =>
    cached(name, () =>
      gcpGetJson<IamRoleAnswer>(auth, 'gcp-iam:GetRole', new URL(`/v1/${name}`, deps.options.endpoint ?? IAM), s),
    );

  /** The project's IAM facts, or a gap when the policy itself could not be read. */
  return async function readProjectIam(
    projectId: string,
    s: GcpCallSettings,
  ): Promise<{ value: GkeProjectIam | undefined; gaps: CollectionGap[] }> {
    let policy: GcpIamPolicy;
    try {
      const c = await projects();
      policy = await gcpCall(PROJECT_IAM_NEEDS.policy, s, (o) =>
        c
          .getIamPolicy({ resource: `projects/${projectId}`, options: { requestedPolicyVersion: 3 } }, gaxOptions(o))
          .then(([r]) => r),
      );
    } catch (e) {
      return {
        value: undefined,
        gaps: [{ need: PROJECT_IAM_NEEDS.policy, code: classifyGcpError(e), error: describeGcpError(e) }],
      };
    }
    const auth = await deps.auth();
    const unknown = [...new Set((policy.bindings ?? []).map((b) => b.role ?? ''))].filter(
      (r) => r && !(r in GCP_KNOWN_ROLES),
    );
    const customRoles: GkeProjectIam['customRoles'] = {};
    const unresolvedRoles: GkeProjectIam['unresolvedRoles'] = [];
    await Promise.all(
      unknown.map(async (name) => {
        try {
          const r = await role(auth, name, s);
          customRoles[name] = {
            name: r.name,
            ...(typeof r.title === 'string' ? { title: r.title } : {}),
            includedPermissions: r.includedPermissions ?? [],
          };
        } catch (e) {
          unresolvedRoles.push({ role: name, error: describeGcpError(e) });
        }
      }),
    );
    unresolvedRoles.sort((a, b) => a.role.localeCompare(b.role));
    // The etag is bytes; as base64 it stays readable in stored snapshots.
    const etag = typeof policy.etag === 'string' ? policy.etag : Buffer.from(policy.etag ?? []).toString('base64');
    return {
      value: {
        policy: { ...policy, etag },
        customRoles,
        unresolvedRoles,
        organizationDomains: [...deps.organizationDomains],
      },
      gaps: [],
    };
  };
}
