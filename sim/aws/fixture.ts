import { parseFleetSpec } from '../spec.ts';

/** A small fleet for the service tests: enough clusters in one place to page through. */
export const testFleet = () =>
  parseFleetSpec({
    caller: { accountId: '999999999999' },
    accounts: [
      {
        id: '111111111111',
        alias: 'prod',
        enabledRegions: ['us-east-1', 'eu-west-1'],
        clusters: [
          ...['alpha', 'bravo', 'charlie', 'delta', 'echo'].map((name) => ({ name, region: 'us-east-1' })),
          {
            name: 'euro',
            region: 'eu-west-1',
            createdAt: '2024-05-06T07:08:09.123Z',
            nodegroups: ['ng-a', 'ng-b', 'ng-c'].map((nodegroupName) => ({ nodegroupName })),
            addons: ['vpc-cni', 'coredns', 'kube-proxy'].map((addonName) => ({ addonName })),
          },
        ],
      },
      {
        id: '222222222222',
        enabledRegions: ['us-east-1', 'ap-east-1'],
        clusters: [{ name: 'other', region: 'us-east-1' }],
      },
      { id: '333333333333', enabledRegions: ['us-east-1'], denyAssumeRole: true },
      { id: '444444444444', enabledRegions: ['us-east-1'], readerRoleName: 'AuditReader', externalId: 'ext-4444' },
    ],
  });
