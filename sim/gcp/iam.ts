import { createHash } from 'node:crypto';
import * as z from 'zod';

/**
 * Google Cloud IAM in the simulator (issue 13): a project's IAM policy as Resource Manager v3 `projects.getIamPolicy`
 * answers it (`POST /v3/projects/{id}:getIamPolicy`, what `@google-cloud/resource-manager` sends with `fallback: true`),
 * and roles as IAM v1 `roles.get` / `projects.roles.get` / `organizations.roles.get` answer them (`GET /v1/{name}`).
 */

const MEMBER = z
  .string()
  .regex(
    /^(allUsers|allAuthenticatedUsers|(user|group|serviceAccount|domain|deleted:user|deleted:group|deleted:serviceAccount):\S+|principal(Set)?:\/\/\S+)$/,
    'an IAM member like user:alice@example.com, group:..., serviceAccount:..., domain:..., allUsers',
  );
const ROLE = z
  .string()
  .regex(
    /^(roles\/[\w.]+|projects\/[a-z][a-z0-9-]+\/roles\/[\w.]+|organizations\/\d+\/roles\/[\w.]+)$/,
    'a role: roles/<name>, projects/<p>/roles/<id> or organizations/<n>/roles/<id>',
  );

export const IamBindingSpecSchema = z.strictObject({
  role: ROLE,
  members: z.array(MEMBER).min(1),
  condition: z
    .strictObject({ title: z.string().min(1), expression: z.string().min(1), description: z.string().optional() })
    .optional(),
});

export const CustomRoleSpecSchema = z.strictObject({
  /** `projects/<p>/roles/<id>` or `organizations/<n>/roles/<id>`; a project's own roles may give just `<id>`. */
  name: z.string().min(1),
  title: z.string().optional(),
  includedPermissions: z.array(z.string().min(1)).default([]),
  /** `iam.roles.get` on it is refused (403): the scan cannot know what the role grants. */
  denied: z.boolean().default(false),
});

export type IamBindingSpec = z.output<typeof IamBindingSpecSchema>;
export type GcpCustomRoleSpec = z.output<typeof CustomRoleSpecSchema>;

/** Predefined roles the simulated IAM knows beyond the ones the collector never asks for (owner, editor, ...). */
const PREDEFINED: Record<string, { title: string; includedPermissions: string[] }> = {
  'roles/container.developer': {
    title: 'Kubernetes Engine Developer',
    includedPermissions: ['container.clusters.get', 'container.clusters.getCredentials', 'container.pods.create'],
  },
  'roles/container.serviceAgent': {
    title: 'Kubernetes Engine Service Agent',
    includedPermissions: ['compute.instances.create', 'container.clusters.get', 'container.operations.get'],
  },
  'roles/logging.viewer': { title: 'Logs Viewer', includedPermissions: ['logging.logs.list'] },
};

export interface SimIamPolicy {
  bindings: IamBindingSpec[];
}

/**
 * A project's policy. No `iamPolicy` in the spec: what a new project has (its creator as owner, the Compute Engine
 * default service account and the Google APIs service agent as editors).
 */
export function resolveIamPolicy(
  projectNumber: string,
  spec: { bindings: IamBindingSpec[] } | undefined,
): SimIamPolicy {
  return (
    spec ?? {
      bindings: [
        { role: 'roles/owner', members: ['user:platform-admin@example.com'] },
        {
          role: 'roles/editor',
          members: [
            `serviceAccount:${projectNumber}-compute@developer.gserviceaccount.com`,
            `serviceAccount:${projectNumber}@cloudservices.gserviceaccount.com`,
          ],
        },
      ],
    }
  );
}

/**
 * The policy as getIamPolicy returns it for `requestedPolicyVersion`: below 3, conditional bindings lose their
 * condition and their role becomes `<role>_withcond_<hash>`, as the real API does, so a caller that forgets to ask for
 * version 3 sees roles it cannot match rather than unconditional grants.
 */
export function policyJson(policy: SimIamPolicy, requestedVersion: number): unknown {
  const conditional = policy.bindings.some((b) => b.condition);
  const v3 = requestedVersion >= 3;
  const bindings = policy.bindings.map((b) => {
    if (!b.condition) return { role: b.role, members: b.members };
    if (v3) return { role: b.role, members: b.members, condition: b.condition };
    const hash = createHash('sha256').update(b.condition.expression).digest('hex').slice(0, 20);
    return { role: `${b.role}_withcond_${hash}`, members: b.members };
  });
  const etag = createHash('sha256').update(JSON.stringify(policy)).digest('base64').slice(0, 12);
  return { version: conditional && v3 ? 3 : 1, etag, bindings };
}

export class IamRoleError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** `GET /v1/{name}` of IAM: a predefined role or a custom one from the spec. */
export function roleJson(name: string, custom: GcpCustomRoleSpec[]): unknown {
  const predefined = PREDEFINED[name];
  if (predefined) return { name, ...predefined, stage: 'GA', etag: 'AA==' };
  const c = custom.find((r) => r.name === name);
  if (!c) throw new IamRoleError(404, `The role named ${name} was not found.`);
  if (c.denied) throw new IamRoleError(403, `Permission 'iam.roles.get' denied on resource '${name}'.`);
  return {
    name,
    title: c.title ?? name.split('/').pop(),
    includedPermissions: c.includedPermissions,
    stage: 'GA',
    etag: 'BwYh',
  };
}

type Fail = (
  status: number,
  grpc: string,
  message: string,
  reason?: string,
  metadata?: Record<string, string>,
) => Error;

export interface IamAnswer {
  service: 'crm' | 'iam';
  action: string;
  projectId?: string;
  body: unknown;
}

export const GET_IAM_POLICY_PATH = /^\/v3\/projects\/([^/:]+):getIamPolicy$/;
const ROLE_PATH = /^\/v1\/((?:projects\/([^/]+)\/|organizations\/\d+\/)?roles\/[\w.]+)$/;

/** The answer to an IAM request (getIamPolicy, roles.get), or undefined when `path` is neither. */
export function iamAnswer(
  method: string | undefined,
  path: string,
  body: string,
  gcp: {
    projects: {
      id: string;
      number: string;
      denied: boolean;
      iamPolicy: SimIamPolicy;
      customRoles: GcpCustomRoleSpec[];
    }[];
    organizationRoles: GcpCustomRoleSpec[];
  },
  fail: Fail,
): IamAnswer | undefined {
  const m = GET_IAM_POLICY_PATH.exec(path);
  if (m) {
    if (method !== 'POST') throw fail(404, 'NOT_FOUND', `getIamPolicy is POST, not ${method}`);
    const p = gcp.projects.find((x) => x.id === m[1] || x.number === m[1]);
    if (!p || p.denied)
      throw fail(
        403,
        'PERMISSION_DENIED',
        `The caller does not have permission (resourcemanager.projects.getIamPolicy on projects/${m[1]})`,
        'IAM_PERMISSION_DENIED',
        { permission: 'resourcemanager.projects.getIamPolicy' },
      );
    let requested = 0;
    try {
      const parsed = JSON.parse(body || '{}') as { options?: { requestedPolicyVersion?: number | string } };
      requested = Number(parsed.options?.requestedPolicyVersion ?? 0);
    } catch {
      throw fail(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
    }
    return {
      service: 'crm',
      action: 'projects.getIamPolicy',
      projectId: p.id,
      body: policyJson(p.iamPolicy, requested),
    };
  }
  const r = ROLE_PATH.exec(path);
  if (!r) return undefined;
  const name = r[1]!;
  const project = r[2] ? gcp.projects.find((x) => x.id === r[2]) : undefined;
  try {
    return {
      service: 'iam',
      action: 'roles.get',
      ...(project ? { projectId: project.id } : {}),
      body: roleJson(name, [...(project?.customRoles ?? []), ...gcp.organizationRoles]),
    };
  } catch (e) {
    if (e instanceof IamRoleError)
      throw e.status === 403
        ? fail(403, 'PERMISSION_DENIED', e.message, 'IAM_PERMISSION_DENIED', { permission: 'iam.roles.get' })
        : fail(404, 'NOT_FOUND', e.message);
    throw e;
  }
}

/** The service and action a request path names (for the call record and fault rules), before it is answered. */
export function iamCallOf(path: string): { service: 'crm' | 'iam'; action: string } | undefined {
  if (GET_IAM_POLICY_PATH.test(path)) return { service: 'crm', action: 'projects.getIamPolicy' };
  if (ROLE_PATH.test(path)) return { service: 'iam', action: 'roles.get' };
  return undefined;
}
