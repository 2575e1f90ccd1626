/**
 * Issue 13's promise: a denied iam:GetAccountAuthorizationDetails makes exactly the path checks ERROR, naming the
 * action, and changes nothing else.
 */
import { describe, expect, it } from 'vitest';
import { evaluateSnapshots } from '../../core/engine.ts';
import { checks } from '../index.ts';
import { aContext, anEksCluster } from './builders.ts';
import { pathExamples } from './path-fixtures.ts';

const PATH_CHECKS = ['EKS.ACCESS.6', 'EKS.ACCESS.7', 'EKS.IDENTITY.6', 'EKS.IDENTITY.7', 'EKS.IDENTITY.8'];
const gap = { need: 'iam:GetAccountAuthorizationDetails', code: 'AccessDenied', error: 'AccessDenied: not authorized' };

describe('a denied iam:GetAccountAuthorizationDetails', () => {
  it('is needed by exactly the path checks', () => {
    expect(checks.filter((c) => c.needs.includes(gap.need)).map((c) => c.id)).toEqual(PATH_CHECKS);
  });

  it.each([anEksCluster(), ...Object.values(pathExamples).flatMap((e) => e.fail)])(
    'makes exactly the path checks ERROR, naming the action, on $name',
    (s) => {
      const before = evaluateSnapshots([s], checks, aContext());
      const after = evaluateSnapshots([{ ...s, iamAuthorization: undefined, gaps: [gap] }], checks, aContext());
      expect(after.map((f) => f.checkId)).toEqual(before.map((f) => f.checkId));
      for (const [i, f] of after.entries()) {
        if (PATH_CHECKS.includes(f.checkId)) {
          expect(f.status).toBe('ERROR');
          expect(f.message).toContain('iam:GetAccountAuthorizationDetails: AccessDenied');
        } else {
          expect(f).toEqual(before[i]);
        }
      }
    },
  );
});
