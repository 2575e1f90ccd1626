import { describe } from 'vitest';
import { type CheckCase, itErrorsOnEachGap, itEvaluatesCases } from './cases.ts';
import check from './eks-no-bootstrap-creator-admin.ts';

const cases: CheckCase[] = [
  { name: 'passes when the creator got no implicit admin', overrides: {}, status: 'PASS', says: ['is false'] },
  {
    name: 'fails when the creator keeps admin as an access entry',
    overrides: { cluster: { accessConfig: { bootstrapClusterCreatorAdminPermissions: true } } },
    status: 'FAIL',
    says: ['is true', 'access entry for the creator'],
  },
  {
    name: 'fails harder-to-see CONFIG_MAP clusters, saying the grant is invisible',
    overrides: {
      cluster: { accessConfig: { authenticationMode: 'CONFIG_MAP', bootstrapClusterCreatorAdminPermissions: true } },
    },
    status: 'FAIL',
    says: ['invisible', 'cannot be revoked'],
  },
  {
    name: 'says ERROR when the setting is not reported',
    overrides: { cluster: { accessConfig: { bootstrapClusterCreatorAdminPermissions: undefined } } },
    status: 'ERROR',
    says: ['bootstrapClusterCreatorAdminPermissions is missing'],
  },
  {
    name: 'reports ERROR, not PASS, when DescribeCluster data is missing',
    overrides: { cluster: undefined },
    status: 'ERROR',
    says: ['cluster is missing'],
  },
];

describe('EKS.ACCESS.4 eks-no-bootstrap-creator-admin', () => {
  itEvaluatesCases(check, cases);
  itErrorsOnEachGap(check);
});
