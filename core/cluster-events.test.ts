import { describe, expect, it } from 'vitest';
import { cloudTrailFixture } from '../test/cloudtrail.ts';
import {
  awsEventScope,
  CLUSTER_NAME_FIELDS,
  ClusterEventError,
  EKS_RESCAN_EVENTS,
  parseClusterEvent,
  partitionOfRegion,
  type RescanTrigger,
} from './cluster-events.ts';
import { parseConfig } from './config.ts';

const ARN = (region: string, name: string) => `arn:aws:eks:${region}:111111111111:cluster/${name}`;
/** Which cluster each fixture changes (the fixtures' own story), and whether its change settles later. */
const EXPECTED: Record<(typeof EKS_RESCAN_EVENTS)[number], [string, boolean]> = {
  CreateCluster: [ARN('us-east-1', 'ledger'), true],
  UpdateClusterConfig: [ARN('us-east-1', 'payments-prod'), true],
  UpdateClusterVersion: [ARN('us-east-1', 'checkout-api'), true],
  CreateAccessEntry: [ARN('us-east-1', 'payments-prod'), false],
  UpdateAccessEntry: [ARN('us-east-1', 'payments-prod'), false],
  DeleteAccessEntry: [ARN('us-east-1', 'checkout-api'), false],
  AssociateAccessPolicy: [ARN('us-east-1', 'payments-prod'), false],
  DisassociateAccessPolicy: [ARN('us-east-1', 'payments-prod'), false],
  CreatePodIdentityAssociation: [ARN('us-east-1', 'checkout-api'), false],
  UpdatePodIdentityAssociation: [ARN('us-east-1', 'checkout-api'), false],
  DeletePodIdentityAssociation: [ARN('us-east-1', 'checkout-api'), false],
  CreateNodegroup: [ARN('us-east-1', 'data-pipeline'), true],
  UpdateNodegroupConfig: [ARN('us-east-1', 'data-pipeline'), true],
  UpdateNodegroupVersion: [ARN('us-east-1', 'checkout-api'), true],
  CreateAddon: [ARN('us-east-1', 'payments-prod'), true],
  UpdateAddon: [ARN('us-east-1', 'payments-prod'), true],
  AssociateEncryptionConfig: [ARN('eu-west-1', 'payments-eu'), true],
  DeleteCluster: [ARN('eu-west-1', 'ml-training'), true],
};

function errorOf(event: unknown): ClusterEventError {
  try {
    parseClusterEvent(event);
  } catch (e) {
    if (e instanceof ClusterEventError) return e;
    throw e;
  }
  throw new Error('expected a ClusterEventError');
}

/** A deep copy of a fixture with `edit` applied to its `detail`. */
function withDetail(name: string, edit: (d: Record<string, unknown>) => void): Record<string, unknown> {
  const e = structuredClone(cloudTrailFixture(name));
  edit(e.detail as Record<string, unknown>);
  return e;
}

describe('parseClusterEvent', () => {
  it.each(EKS_RESCAN_EVENTS)('maps a %s event to the one cluster it changed', (name) => {
    const t = parseClusterEvent(cloudTrailFixture(name));
    const [arn, settling] = EXPECTED[name];
    expect(t).toMatchObject({ kind: 'cluster', eventName: name, settling, ref: { provider: 'aws', id: arn } });
    expect((t as Extract<RescanTrigger, { kind: 'cluster' }>).eventId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reads the cluster from the request even when the response is empty (DeleteAccessEntry answers null)', () => {
    const e = cloudTrailFixture('DeleteAccessEntry');
    expect((e.detail as Record<string, unknown>).responseElements).toBeNull();
    expect(parseClusterEvent(e)).toMatchObject({ ref: { name: 'checkout-api' } });
  });

  it('accepts the older CloudTrail shape that named the cluster clusterName (EKS user guide sample)', () => {
    const e = withDetail('CreateCluster', (d) => {
      d.requestParameters = { clusterName: 'ledger' };
      d.responseElements = { cluster: { clusterName: 'ledger' } };
    });
    expect(parseClusterEvent(e)).toMatchObject({ ref: { id: ARN('us-east-1', 'ledger') } });
  });

  it('maps UpdateAssumeRolePolicy to every cluster of the role’s account', () => {
    expect(parseClusterEvent(cloudTrailFixture('UpdateAssumeRolePolicy'))).toMatchObject({
      kind: 'account',
      accountId: '111111111111',
      partition: 'aws',
      roleName: 'ledger-admin',
    });
  });

  it('ignores a call that failed: nothing changed, so nothing is rescanned', () => {
    const e = withDetail('UpdateClusterConfig', (d) => {
      d.errorCode = 'AccessDeniedException';
      d.errorMessage = 'User is not authorized to perform: eks:UpdateClusterConfig';
      d.responseElements = null;
    });
    expect(parseClusterEvent(e)).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/AccessDenied/) });
  });

  it('builds ARNs in the region’s partition', () => {
    expect(partitionOfRegion('cn-northwest-1')).toBe('aws-cn');
    expect(partitionOfRegion('us-gov-west-1')).toBe('aws-us-gov');
    const e = cloudTrailFixture('UpdateAddon');
    e.region = 'cn-north-1';
    (e.detail as Record<string, unknown>).awsRegion = 'cn-north-1';
    expect(parseClusterEvent(e)).toMatchObject({
      ref: { id: 'arn:aws-cn:eks:cn-north-1:111111111111:cluster/payments-prod', partition: 'aws-cn' },
    });
  });

  it.each([
    [
      'no cluster name anywhere',
      'detail.requestParameters.name',
      (d: Record<string, unknown>) => {
        d.requestParameters = { resourcesVpcConfig: {} };
        d.responseElements = null;
      },
    ],
    [
      'request parameters omitted',
      'detail.requestParameters.name',
      (d: Record<string, unknown>) => {
        d.requestParameters = null;
        d.responseElements = { accessEntry: { type: 'STANDARD' } };
      },
    ],
    [
      'a name EKS would refuse',
      'detail.requestParameters.name',
      (d: Record<string, unknown>) => {
        d.requestParameters = { name: '../etc' };
      },
    ],
    [
      'request and response disagree',
      'detail.responseElements.accessEntry.clusterName',
      (d: Record<string, unknown>) => {
        (d.responseElements as { accessEntry: { clusterName: string } }).accessEntry.clusterName = 'other';
      },
    ],
    [
      'no account',
      'account',
      (d: Record<string, unknown>) => {
        delete d.recipientAccountId;
      },
    ],
    [
      'an account that disagrees with the envelope',
      'detail.recipientAccountId',
      (d: Record<string, unknown>) => {
        d.recipientAccountId = '222222222222';
      },
    ],
    [
      'a bad region',
      'detail.awsRegion',
      (d: Record<string, unknown>) => {
        d.awsRegion = 'moon-1';
      },
    ],
    [
      'an event this path does not forward',
      'detail.eventName',
      (d: Record<string, unknown>) => {
        d.eventName = 'DescribeCluster';
      },
    ],
    [
      'an event source that is not the envelope’s',
      'detail.eventSource',
      (d: Record<string, unknown>) => {
        d.eventSource = 'iam.amazonaws.com';
      },
    ],
  ])('refuses an event with %s, naming %s', (_, field, edit) => {
    const e = withDetail('CreateAccessEntry', edit);
    if (field === 'account') delete e.account;
    const err = errorOf(e);
    expect(err.field).toBe(field);
    expect(err.message).toContain(field);
  });

  it('refuses what is not a CloudTrail event from EKS or IAM, naming the field', () => {
    expect(errorOf('{}').field).toBe('event');
    expect(errorOf({ ...cloudTrailFixture('CreateAddon'), 'detail-type': 'EKS Add-on Update' }).field).toBe(
      'detail-type',
    );
    expect(errorOf({ ...cloudTrailFixture('CreateAddon'), source: 'aws.ec2' }).field).toBe('source');
    expect(errorOf({ ...cloudTrailFixture('CreateAddon'), detail: [] }).field).toBe('detail');
    const iam = structuredClone(cloudTrailFixture('UpdateAssumeRolePolicy'));
    (iam.detail as { requestParameters: unknown }).requestParameters = {};
    expect(errorOf(iam).field).toBe('detail.requestParameters.roleName');
  });

  it('knows where every forwarded EKS event names its cluster, request first', () => {
    for (const name of EKS_RESCAN_EVENTS) expect(CLUSTER_NAME_FIELDS[name][0]).toBe('requestParameters.name');
  });
});

describe('awsEventScope', () => {
  const ref = (accountId: string, region: string) =>
    ({ provider: 'aws', id: '', accountId, region, name: 'c', partition: 'aws' }) as const;

  it('keeps out accounts the organization scan excludes and regions it does not scan', () => {
    const scope = awsEventScope(
      parseConfig({ aws: { organization: { exclude: ['999999999999'] }, regions: ['us-east-1'] } }, 't'),
    );
    expect(scope.cluster(ref('111111111111', 'us-east-1'))).toBe(true);
    expect(scope.cluster(ref('111111111111', 'eu-west-1'))).toBe(false);
    expect(scope.cluster(ref('999999999999', 'us-east-1'))).toBe(false);
    expect(scope.account('999999999999')).toBe(false);
  });

  it('keeps to a fixed account list, or an organization include list', () => {
    const listed = awsEventScope(parseConfig({ aws: { accounts: [{ id: '111111111111' }] } }, 't'));
    expect([listed.account('111111111111'), listed.account('222222222222')]).toEqual([true, false]);
    const included = awsEventScope(parseConfig({ aws: { organization: { include: ['222222222222'] } } }, 't'));
    expect([included.account('111111111111'), included.account('222222222222')]).toEqual([false, true]);
  });
});
