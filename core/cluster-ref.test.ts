import { describe, expect, it } from 'vitest';
import { ClusterRefError, clusterIdKey, parseClusterRef } from './cluster-ref.ts';

describe('parseClusterRef', () => {
  it.each([
    [
      'arn:aws:eks:eu-west-1:111111111111:cluster/payments',
      { provider: 'aws', accountId: '111111111111', region: 'eu-west-1', name: 'payments', partition: 'aws' },
    ],
    [
      'arn:aws-us-gov:eks:us-gov-west-1:222222222222:cluster/gov_1',
      { provider: 'aws', accountId: '222222222222', region: 'us-gov-west-1', name: 'gov_1', partition: 'aws-us-gov' },
    ],
    [
      '/subscriptions/AAAAAAAA-0000-0000-0000-000000000001/resourceGroups/rg-prod/providers/Microsoft.ContainerService/managedClusters/aks-1',
      { provider: 'azure', accountId: 'aaaaaaaa-0000-0000-0000-000000000001', resourceGroup: 'rg-prod', name: 'aks-1' },
    ],
    [
      'projects/shop-prod-1234/locations/europe-west1/clusters/web',
      { provider: 'gcp', accountId: 'shop-prod-1234', location: 'europe-west1', name: 'web' },
    ],
    [
      'https://container.googleapis.com/v1/projects/shop-prod-1234/zones/europe-west1-b/clusters/web',
      {
        provider: 'gcp',
        id: 'projects/shop-prod-1234/locations/europe-west1-b/clusters/web',
        location: 'europe-west1-b',
      },
    ],
  ])('parses %s', (input, expected) => {
    expect(parseClusterRef(input)).toMatchObject(expected);
  });

  it.each([
    'payments',
    'arn:aws:eks:eu-west-1:11111111111:cluster/payments', // 11-digit account
    'arn:aws:eks:eu-west-1:111111111111:nodegroup/payments/ng/abc',
    'arn:aws:iam::111111111111:role/payments',
    '/subscriptions/x/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/a',
    'projects/p/locations/l/clusters/c', // project id too short
    '',
  ])('rejects %j with the accepted forms', (input) => {
    expect(() => parseClusterRef(input)).toThrow(ClusterRefError);
    expect(() => parseClusterRef(input)).toThrow(/EKS cluster ARN .*AKS resource id .*GKE cluster path/);
  });
});

describe('clusterIdKey', () => {
  it('matches a GKE self link to its path and an Azure id regardless of case', () => {
    const ref = parseClusterRef('projects/shop-prod-1234/locations/europe-west1/clusters/web');
    expect(
      clusterIdKey('https://container.googleapis.com/v1/projects/shop-prod-1234/locations/europe-west1/clusters/web'),
    ).toBe(clusterIdKey(ref.id));
    const aks = parseClusterRef(
      '/subscriptions/aaaaaaaa-0000-0000-0000-000000000001/resourcegroups/RG-Prod/providers/microsoft.containerservice/managedclusters/aks-1',
    );
    expect(clusterIdKey(aks.id)).toBe(
      clusterIdKey(
        '/subscriptions/AAAAAAAA-0000-0000-0000-000000000001/resourceGroups/rg-prod/providers/Microsoft.ContainerService/managedClusters/aks-1',
      ),
    );
    expect(clusterIdKey('arn:aws:eks:eu-west-1:111111111111:cluster/a')).toBe(
      'arn:aws:eks:eu-west-1:111111111111:cluster/a',
    );
  });
});
