import { describe, expect, it } from 'vitest';
import { iamAnswer, policyJson } from './iam.ts';

const policy = {
  bindings: [
    { role: 'roles/owner', members: ['user:a@example.com'] },
    { role: 'roles/container.admin', members: ['user:b@example.com'], condition: { title: 't', expression: 'x' } },
  ],
};
const fail = (status: number, grpc: string, message: string) => Object.assign(new Error(message), { status, grpc });
const gcp = {
  projects: [{ id: 'shop-1234', number: '123456', denied: false, iamPolicy: policy, customRoles: [] }],
  organizationRoles: [{ name: 'organizations/1/roles/secret', includedPermissions: [], denied: true }],
};

describe('simulated project IAM', () => {
  it("serves conditions at version 3 and, below it, the real API's _withcond_ role names without them", () => {
    expect(policyJson(policy, 3)).toMatchObject({ version: 3, bindings: [{}, { condition: { expression: 'x' } }] });
    const v1 = policyJson(policy, 1) as { version: number; bindings: { role: string; condition?: unknown }[] };
    expect(v1.version).toBe(1);
    expect(v1.bindings[1]!.role).toMatch(/^roles\/container\.admin_withcond_[0-9a-f]{20}$/);
    expect(v1.bindings[1]!.condition).toBeUndefined();
  });

  it('answers getIamPolicy by POST only, and refuses a denied custom role with 403', () => {
    expect(
      iamAnswer('POST', '/v3/projects/shop-1234:getIamPolicy', '{"options":{"requestedPolicyVersion":3}}', gcp, fail),
    ).toMatchObject({ service: 'crm', action: 'projects.getIamPolicy', projectId: 'shop-1234' });
    expect(() => iamAnswer('GET', '/v3/projects/shop-1234:getIamPolicy', '', gcp, fail)).toThrow(/POST/);
    expect(() => iamAnswer('GET', '/v1/organizations/1/roles/secret', '', gcp, fail)).toThrow(
      expect.objectContaining({ status: 403 }),
    );
    expect(() => iamAnswer('GET', '/v1/roles/unknown.role', '', gcp, fail)).toThrow(
      expect.objectContaining({ status: 404 }),
    );
    expect(iamAnswer('GET', '/v1/projects/shop-1234/locations/-/clusters', '', gcp, fail)).toBeUndefined();
  });
});
