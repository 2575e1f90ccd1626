import { describe, expect, it } from 'vitest';
import { aFinding } from '../../test/findings.ts';
import { fillCommand, readableDuration, readableTime, safeHref } from './fill.ts';

const AKS_ID =
  '/subscriptions/7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/resourcegroups/rg-dev-aks/providers/Microsoft.ContainerService/managedClusters/dev-aks';
const GKE_ID = 'https://container.googleapis.com/v1/projects/shop-prod-4821/locations/europe-west1-b/clusters/batch';

describe('fillCommand', () => {
  it('fills an EKS command with the cluster and node group, and scopes each aws eks step to the region', () => {
    const f = aFinding({
      cluster: 'payments',
      region: 'eu-west-1',
      resourceId: 'arn:aws:eks:eu-west-1:111111111111:nodegroup/payments/gpu/77023767-f25f',
    });
    expect(
      fillCommand('aws eks update-nodegroup-version --cluster-name <cluster> --nodegroup-name <nodegroup>', f),
    ).toBe('aws eks update-nodegroup-version --cluster-name payments --nodegroup-name gpu --region eu-west-1');
    expect(
      fillCommand(
        'aws eks describe-cluster --name <cluster> && aws iam update-assume-role-policy --role-name <role>',
        f,
      ),
    ).toBe(
      'aws eks describe-cluster --name payments --region eu-west-1 && aws iam update-assume-role-policy --role-name <role>',
    );
    expect(fillCommand('aws eks x --name <cluster> && eksctl utils y --cluster <cluster> --approve', f)).toBe(
      'aws eks x --name payments --region eu-west-1 && eksctl utils y --cluster payments --approve --region eu-west-1',
    );
    expect(fillCommand('aws eks x --name <cluster> --region <region>', f)).toBe(
      'aws eks x --name payments --region eu-west-1',
    );
  });

  it('fills AKS commands with the resource group read from the cluster id, the pool and the subscription', () => {
    const f = aFinding({
      provider: 'azure',
      cluster: 'dev-aks',
      accountId: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      region: 'westeurope',
      clusterId: AKS_ID,
      resourceId: `${AKS_ID}/agentPools/nodepool1`,
    });
    expect(
      fillCommand(
        'az aks nodepool upgrade --resource-group <rg> --cluster-name <cluster> --name <pool> --node-image-only',
        f,
      ),
    ).toBe(
      'az aks nodepool upgrade --resource-group rg-dev-aks --cluster-name dev-aks --name nodepool1 --node-image-only --subscription 7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    );
    expect(fillCommand('az monitor diagnostic-settings create --resource <cluster-resource-id>', f)).toContain(
      `--resource ${AKS_ID} `,
    );
  });

  it('fills GKE commands with the location and the project', () => {
    const f = aFinding({
      provider: 'gcp',
      cluster: 'batch',
      accountId: 'shop-prod-4821',
      region: 'europe-west1-b',
      clusterId: GKE_ID,
      resourceId: `${GKE_ID}/nodePools/ubuntu-pool`,
    });
    expect(
      fillCommand('gcloud container node-pools update <pool> --cluster <cluster> --location <location> --x', f),
    ).toBe(
      'gcloud container node-pools update ubuntu-pool --cluster batch --location europe-west1-b --x --project shop-prod-4821',
    );
  });

  it('never puts a value with shell syntax into a command: the placeholder stays', () => {
    for (const cluster of ['prod;rm -rf ~', '$(curl evil)', 'a b', "x'y", '`id`', '-rf', 'a\nb']) {
      const out = fillCommand('aws eks update-cluster-config --name <cluster>', aFinding({ cluster }));
      expect(out).toBe('aws eks update-cluster-config --name <cluster> --region us-east-1');
    }
    const badRegion = fillCommand('aws eks x --name <cluster>', aFinding({ cluster: 'ok', region: 'us-east-1&&id' }));
    expect(badRegion).toBe('aws eks x --name ok');
  });
});

describe('times and links', () => {
  it('shows times to the minute in UTC, and leaves what it cannot parse as it is', () => {
    expect(readableTime('2026-12-05T07:41:09.123Z')).toBe('2026-12-05 07:41 UTC');
    expect(readableTime('2026-12-05T08:41:09+01:00')).toBe('2026-12-05 07:41 UTC');
    expect(readableTime('yesterday')).toBe('yesterday');
    expect(readableDuration('2026-12-05T07:41:00Z', '2026-12-05T07:41:08.4Z')).toBe('8 s');
    expect(readableDuration('2026-12-05T07:41:00Z', '2026-12-05T07:44:20Z')).toBe('3 min 20 s');
    expect(readableDuration('2026-12-05T07:00:00Z', '2026-12-05T08:05:00Z')).toBe('1 h 5 min');
    expect(readableDuration('later', '2026-12-05T08:05:00Z')).toBe('');
  });

  it('links only to http(s) addresses', () => {
    expect(safeHref('https://docs.aws.amazon.com/eks/')).toBe('https://docs.aws.amazon.com/eks/');
    expect(safeHref('javascript:alert(1)')).toBeUndefined();
    expect(safeHref('https://x.test/"onmouseover="a')).toBeUndefined();
    expect(safeHref(undefined)).toBeUndefined();
  });
});
