import { describe, expect, it } from 'vitest';
import { findingId } from './finding.ts';

/**
 * Finding ids key the stored finding state (local state files, DynamoDB): if they changed, every finding would
 * read as new and every old one as resolved. These values were computed by the first implementation
 * (sha256 of `checkId NUL resourceId`, first 32 hex digits, as `printf '%s\0%s' c r | sha256sum` gives) and
 * must never change.
 */
const PINNED: [checkId: string, resourceId: string, id: string][] = [
  ['EKS.ENDPOINT.1', 'arn:aws:eks:eu-west-1:111122223333:cluster/payments-prod', 'dec529cd7778910df431c10c47b05536'],
  [
    'EKS.VERSIONS.2',
    'arn:aws:eks:eu-west-1:111122223333:nodegroup/payments-prod/general/0ec9a1b2-1111-2222-3333-444455556666',
    'fa13a7617e126a55a7f7c32d6aa7d5e2',
  ],
  [
    'AKS.ENDPOINT.1',
    '/subscriptions/6b1c3e4f-2a5d-4c8e-9f01-23456789abcd/resourcegroups/rg-payments/providers/Microsoft.ContainerService/managedClusters/payments-prod',
    '38c0247a2dd5d1f812443b78d071e06f',
  ],
  [
    'GKE.NODES.1',
    'https://container.googleapis.com/v1/projects/shop-prod-4821/locations/europe-west1/clusters/shop/nodePools/default-pool',
    '7d0a275daa686d73ed4e218126a2a021',
  ],
  // Non-ASCII: hashed as UTF-8.
  ['EKS.ACCESS.3', 'arn:aws:iam::111122223333:role/Équipe-ops/ünïcode', '0b44b8e847ac47746571287c82afce0f'],
  ['', '', '6e340b9cffb37a989ca544e6bb780a2c'],
];

describe('findingId', () => {
  it.each(PINNED)('keeps the id of %s on %s', (checkId, resourceId, id) => {
    expect(findingId(checkId, resourceId)).toBe(id);
  });

  it('separates check id and resource id, so moving characters between them changes the id', () => {
    expect(findingId('EKS.A.1', 'xarn')).not.toBe(findingId('EKS.A.1x', 'arn'));
  });
});
