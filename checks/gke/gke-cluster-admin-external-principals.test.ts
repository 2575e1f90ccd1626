import { describe, expect, it } from 'vitest';
import { aContext } from '../eks/builders.ts';
import { memberStanding } from './admin-paths.ts';
import { aGkeCluster, aProjectIam, type GcpIamBinding } from './builders.ts';
import check from './gke-cluster-admin-external-principals.ts';

const evaluate = (bindings: GcpIamBinding[], o: Parameters<typeof aProjectIam>[0] = {}) =>
  check.evaluate(aGkeCluster({ projectIam: aProjectIam({ bindings, ...o }) }), aContext())[0]!;

describe('memberStanding', () => {
  it.each([
    ['allUsers', [], 'outside'],
    ['allAuthenticatedUsers', ['shop.example'], 'outside'],
    ['user:someone@gmail.com', ['shop.example'], 'outside'],
    ['user:someone@googlemail.com', [], 'outside'],
    ['user:a@partner.example', ['shop.example'], 'outside'],
    ['user:a@shop.example', ['shop.example'], 'inside'],
    ['group:a@eu.shop.example', ['shop.example'], 'inside'],
    ['domain:shop.example', ['shop.example'], 'inside'],
    ['user:a@shop.example', [], 'unknown'],
    ['serviceAccount:x@p.iam.gserviceaccount.com', [], 'inside'],
    [
      'principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/github/attribute.repository/org/repo',
      ['shop.example'],
      'outside',
    ],
    ['principal://iam.googleapis.com/locations/global/workforcePools/staff/subject/alice', [], 'inside'],
  ] as const)('%s with %j: %s', (member, domains, expected) => {
    expect(memberStanding(member, domains)).toBe(expected);
  });
});

describe('GKE.ACCESS.4 gke-cluster-admin-external-principals', () => {
  it('fails a consumer account and another domain with a path; a viewer outside is no path', () => {
    const r = evaluate([
      { role: 'roles/owner', members: ['user:lead@shop.example', 'user:freelancer@gmail.com'] },
      { role: 'roles/container.admin', members: ['group:ops@partner.example'] },
      { role: 'roles/viewer', members: ['user:auditor@other.example'] },
    ]);
    expect(r.status).toBe('FAIL');
    expect(r.message).toContain('2 member(s) outside the organization');
    expect(r.message).toContain('user:freelancer@gmail.com');
    expect(r.message).not.toContain('auditor');
  });

  it('is ERROR, not PASS, when the organization domains are not configured and a domain member has a path', () => {
    const r = evaluate([{ role: 'roles/owner', members: ['user:lead@shop.example'] }], { organizationDomains: [] });
    expect(r.status).toBe('ERROR');
    expect(r.message).toContain('set gcp.organizationDomains');
  });

  it('still fails public members without configured domains', () => {
    expect(
      evaluate([{ role: 'roles/editor', members: ['allAuthenticatedUsers'] }], { organizationDomains: [] }).status,
    ).toBe('FAIL');
  });

  it('is ERROR when a role that could not be read is bound to a member outside', () => {
    const role = 'organizations/1234/roles/mystery';
    const r = evaluate([{ role, members: ['user:x@partner.example'] }], {
      unresolvedRoles: [{ role, error: 'AccessDenied' }],
    });
    expect(r.status).toBe('ERROR');
    expect(r.message).toContain(role);
  });

  it('passes when every member with a path is inside', () => {
    expect(evaluate([{ role: 'roles/owner', members: ['user:lead@shop.example'] }]).status).toBe('PASS');
  });
});
