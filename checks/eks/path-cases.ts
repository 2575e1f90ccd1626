/** Test-only: the cases every privilege-path check test runs besides its own. */
import type { AnyCheck } from '../../core/check.ts';
import { type CheckCase, itErrorsOnEachGap, itEvaluatesCases } from './cases.ts';
import { IAM_DETAILS } from './lib/paths.ts';

/** The check's own cases, plus: ERROR naming the action when the account's IAM is absent, and on each gap. */
export function itEvaluatesPathCases(check: AnyCheck & { provider: 'aws' }, cases: CheckCase[]): void {
  itEvaluatesCases(check, [
    ...cases,
    {
      name: 'says ERROR, naming the action, when the account authorization was not collected',
      overrides: { iamAuthorization: undefined },
      status: 'ERROR',
      says: [IAM_DETAILS],
    },
  ]);
  itErrorsOnEachGap(check);
}
