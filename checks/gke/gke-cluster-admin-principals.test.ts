import { describe, expect, it } from 'vitest';
import type { AccessPath } from '../../core/access-paths.ts';
import { runCheck } from '../../core/engine.ts';
import { aContext } from '../eks/builders.ts';
import { aGkeCluster, aProjectIam, type GcpIamBinding, TEST_PROJECT } from './builders.ts';
import check from './gke-cluster-admin-principals.ts';

const CUSTOM = `projects/${TEST_PROJECT}/roles/gkeReconfigurer`;

function evaluate(bindings: GcpIamBinding[], o: Parameters<typeof aProjectIam>[0] = {}) {
  const [r] = check.evaluate(aGkeCluster({ projectIam: aProjectIam({ bindings, ...o }) }), aContext());
  const paths = (r?.evidence?.accessPaths ?? []) as AccessPath[];
  return { r: r!, paths, subjects: [...new Set(paths.map((p) => p.subject))] };
}

describe('GKE.ACCESS.3 gke-cluster-admin-principals', () => {
  it('finds owner, editor, container.admin, container.clusterAdmin and IAM admins; not viewers or developers', () => {
    const { r, subjects, paths } = evaluate([
      { role: 'roles/owner', members: ['user:owner@shop.example'] },
      { role: 'roles/editor', members: ['serviceAccount:123-compute@developer.gserviceaccount.com'] },
      { role: 'roles/container.admin', members: ['group:gke-admins@shop.example'] },
      { role: 'roles/container.clusterAdmin', members: ['user:sre@shop.example'] },
      { role: 'roles/resourcemanager.projectIamAdmin', members: ['user:iam@shop.example'] },
      { role: 'roles/viewer', members: ['group:everyone@shop.example'] },
      { role: 'roles/container.clusterViewer', members: ['user:dev@shop.example'] },
    ]);
    expect(r.status).toBe('PASS');
    expect(subjects).toEqual([
      'user:owner@shop.example',
      'serviceAccount:123-compute@developer.gserviceaccount.com',
      'group:gke-admins@shop.example',
      'user:sre@shop.example',
      'user:iam@shop.example',
    ]);
    const iamAdmin = paths.find((p) => p.subject === 'user:iam@shop.example')!;
    expect(iamAdmin.hops[0]).toEqual({
      principal: 'user:iam@shop.example',
      via: 'roles/resourcemanager.projectIamAdmin (project IAM binding)',
      action: 'resourcemanager.projects.setIamPolicy',
      resource: `projects/${TEST_PROJECT}`,
    });
    expect(paths.find((p) => p.subject === 'user:sre@shop.example')!.hops[0]!.action).toBe('container.clusters.update');
  });

  it('reports a conditional binding as conditional, with its expression, and still counts it', () => {
    const { r, paths } = evaluate([
      {
        role: 'roles/container.admin',
        members: ['user:oncall@shop.example'],
        condition: { title: 'break-glass', expression: 'request.time < timestamp("2026-01-01T00:00:00Z")' },
      },
    ]);
    expect(paths[0]!.conditions).toEqual([
      'IAM condition "break-glass": request.time < timestamp("2026-01-01T00:00:00Z")',
    ]);
    expect(r.message).toContain('1 member(s) (1 only under a condition)');
  });

  it('reads custom roles by their permissions', () => {
    const { subjects } = evaluate(
      [
        { role: CUSTOM, members: ['user:ops@shop.example'] },
        { role: `projects/${TEST_PROJECT}/roles/reader`, members: ['user:audit@shop.example'] },
      ],
      {
        customRoles: {
          [CUSTOM]: { name: CUSTOM, includedPermissions: ['container.clusters.get', 'container.clusters.update'] },
          [`projects/${TEST_PROJECT}/roles/reader`]: { name: 'r', includedPermissions: ['container.clusters.get'] },
        },
      },
    );
    expect(subjects).toEqual(['user:ops@shop.example']);
  });

  it('is ERROR, never PASS, while a bound role could not be read, naming it', () => {
    const { r } = evaluate([{ role: CUSTOM, members: ['user:ops@shop.example'] }], {
      unresolvedRoles: [{ role: CUSTOM, error: 'AccessDenied: iam.roles.get' }],
    });
    expect(r.status).toBe('ERROR');
    expect(r.message).toContain(`${CUSTOM}: AccessDenied: iam.roles.get`);
  });

  it('fails above the threshold even with an unreadable role', () => {
    const { r } = evaluate(
      [
        { role: 'roles/editor', members: Array.from({ length: 11 }, (_, i) => `user:u${i}@shop.example`) },
        { role: CUSTOM, members: ['user:ops@shop.example'] },
      ],
      { unresolvedRoles: [{ role: CUSTOM, error: 'NotFound' }] },
    );
    expect(r.status).toBe('FAIL');
  });

  it('ignores deleted members', () => {
    expect(evaluate([{ role: 'roles/owner', members: ['deleted:user:gone@shop.example?uid=1'] }]).subjects).toEqual([]);
  });

  it('is ERROR through the engine, naming crm:GetIamPolicy, when the policy could not be read', () => {
    const s = aGkeCluster({
      projectIam: undefined,
      gaps: [{ need: 'crm:GetIamPolicy', code: 'Throttled', error: 'Throttled: RATE_LIMIT_EXCEEDED' }],
    });
    const [f] = runCheck(check, s, aContext());
    expect(f).toMatchObject({ status: 'ERROR' });
    expect(f?.message).toContain('crm:GetIamPolicy: Throttled');
    expect(check.evaluate(aGkeCluster({ projectIam: undefined }), aContext())[0]?.status).toBe('ERROR');
  });
});
