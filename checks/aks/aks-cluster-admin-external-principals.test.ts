import { describe, expect, it } from 'vitest';
import type { AccessPath } from '../../core/access-paths.ts';
import { aContext } from '../eks/builders.ts';
import check from './aks-cluster-admin-external-principals.ts';
import { anAksCluster, aRoleAssignment, roleAssignmentsOf, TEST_SUBSCRIPTION } from './builders.ts';

const SUB = `/subscriptions/${TEST_SUBSCRIPTION}`;

describe('AKS.ACCESS.6 aks-cluster-admin-external-principals', () => {
  it('fails a foreign-tenant group with a path, listing only its paths', () => {
    const s = anAksCluster({
      roleAssignments: roleAssignmentsOf([
        aRoleAssignment('Owner', '0a000000-0000-4000-8000-000000000001', SUB),
        aRoleAssignment('User Access Administrator', '0f000000-0000-4000-8000-000000000002', SUB, {
          principalType: 'ForeignGroup',
        }),
      ]),
    });
    const [r] = check.evaluate(s, aContext());
    expect(r?.status).toBe('FAIL');
    expect(r?.message).toContain('0f000000-0000-4000-8000-000000000002');
    const paths = r?.evidence?.accessPaths as AccessPath[];
    expect(paths.map((p) => p.subjectKind)).toEqual(['azure-foreigngroup']);
  });

  it('passes a foreign-tenant group that holds only Reader (no path), and says guests are not told apart', () => {
    const s = anAksCluster({
      roleAssignments: roleAssignmentsOf([
        aRoleAssignment('Reader', '0f000000-0000-4000-8000-000000000003', SUB, { principalType: 'ForeignGroup' }),
      ]),
    });
    const [r] = check.evaluate(s, aContext());
    expect(r?.status).toBe('PASS');
    expect(r?.message).toContain('guest users are not told apart');
  });

  it('is ERROR when the assignments were not collected', () => {
    expect(check.evaluate(anAksCluster({ roleAssignments: undefined }), aContext())[0]?.status).toBe('ERROR');
  });
});
