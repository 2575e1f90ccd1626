import type { SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type AwsClusterRef, awsEventScope, EKS_RESCAN_EVENTS } from '../core/cluster-events.ts';
import { parseConfig } from '../core/config.ts';
import { cloudTrailFixture } from '../test/cloudtrail.ts';
import { logger, makeRescanHandler, type RescanDeps } from './rescan.ts';

const ACCOUNT = '111111111111';
const arn = (region: string, name: string) => `arn:aws:eks:${region}:${ACCOUNT}:cluster/${name}`;

/** An SQS batch as the event source mapping delivers it: one message per EventBridge event, body = the event. */
function batch(...bodies: (Record<string, unknown> | string)[]): SQSEvent {
  return {
    Records: bodies.map((b, i) => ({
      messageId: `m${i}`,
      receiptHandle: `rh${i}`,
      body: typeof b === 'string' ? b : JSON.stringify(b),
      attributes: {} as never,
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:999999999999:kubeposture-rescan',
      awsRegion: 'us-east-1',
    })),
  };
}

/** Deps that record what was scanned; `failing` clusters come back not ok, `silent` ones with no outcome. */
function recording(opts: { failing?: string[]; silent?: string[]; accountsFail?: string[]; config?: unknown } = {}) {
  const clusterCalls: AwsClusterRef[][] = [];
  const accountCalls: string[][] = [];
  const deps: RescanDeps = {
    async scanClusters(refs) {
      clusterCalls.push(refs);
      return {
        clusters: refs
          .filter((r) => !opts.silent?.includes(r.id))
          .map((r) =>
            opts.failing?.includes(r.id)
              ? { id: r.id, ok: false, error: 'ThrottlingException' }
              : { id: r.id, ok: true },
          ),
      };
    },
    async scanAccounts(ids) {
      accountCalls.push(ids);
      if (ids.some((id) => opts.accountsFail?.includes(id))) throw new Error('ExecutionLimitExceeded');
    },
    scope: awsEventScope(parseConfig(opts.config ?? { aws: { organization: {} } }, 'test')),
  };
  return { deps, clusterCalls, accountCalls };
}

const failures = (r: { batchItemFailures: { itemIdentifier: string }[] }) =>
  r.batchItemFailures.map((f) => f.itemIdentifier).sort();

describe('rescan handler', () => {
  // The handler's JSON log lines: not this test's output.
  beforeEach(() => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each(EKS_RESCAN_EVENTS)('rescans only the cluster a %s event names', async (name) => {
    const { deps, clusterCalls, accountCalls } = recording();
    const result = await makeRescanHandler(deps)(batch(cloudTrailFixture(name)));
    expect(failures(result)).toEqual([]);
    expect(clusterCalls).toHaveLength(1);
    expect(clusterCalls[0]).toHaveLength(1);
    const expectedName = (cloudTrailFixture(name).detail as { requestParameters: { name: string } }).requestParameters
      .name;
    expect(clusterCalls[0]![0]).toMatchObject({ provider: 'aws', accountId: ACCOUNT, name: expectedName });
    expect(accountCalls).toEqual([]);
  });

  it('scans a cluster once for a burst of its changes, and each other cluster once, in one call', async () => {
    const { deps, clusterCalls } = recording();
    const result = await makeRescanHandler(deps)(
      batch(
        cloudTrailFixture('UpdateClusterConfig'),
        cloudTrailFixture('CreateAccessEntry'),
        cloudTrailFixture('AssociateAccessPolicy'),
        cloudTrailFixture('CreateAddon'),
        cloudTrailFixture('UpdateNodegroupVersion'),
      ),
    );
    expect(failures(result)).toEqual([]);
    expect(clusterCalls).toHaveLength(1);
    expect(clusterCalls[0]!.map((r) => r.id).sort()).toEqual([
      arn('us-east-1', 'checkout-api'),
      arn('us-east-1', 'payments-prod'),
    ]);
  });

  it('reports failed exactly the messages of clusters that were not scanned, or not answered for', async () => {
    const { deps } = recording({
      failing: [arn('us-east-1', 'payments-prod')],
      silent: [arn('eu-west-1', 'payments-eu')],
    });
    const result = await makeRescanHandler(deps)(
      batch(
        cloudTrailFixture('UpdateClusterConfig'), // m0 payments-prod: failed
        cloudTrailFixture('UpdateClusterVersion'), // m1 checkout-api: scanned
        cloudTrailFixture('CreateAccessEntry'), // m2 payments-prod: failed
        cloudTrailFixture('AssociateEncryptionConfig'), // m3 payments-eu: no outcome
      ),
    );
    expect(failures(result)).toEqual(['m0', 'm2', 'm3']);
  });

  it('fails every cluster message when the scan throws, but not the account scans', async () => {
    const { deps, accountCalls } = recording();
    deps.scanClusters = vi.fn().mockRejectedValue(new Error('StateConflictError'));
    const result = await makeRescanHandler(deps)(
      batch(cloudTrailFixture('CreateNodegroup'), cloudTrailFixture('UpdateAssumeRolePolicy')),
    );
    expect(failures(result)).toEqual(['m0']);
    expect(accountCalls).toEqual([[ACCOUNT]]);
  });

  it('dead-letters an event it cannot map, naming the field, and still scans the rest of the batch', async () => {
    const { deps, clusterCalls } = recording();
    const unknown = cloudTrailFixture('UpdateClusterConfig');
    (unknown.detail as Record<string, unknown>).eventName = 'TagResource';
    const nameless = cloudTrailFixture('UpdateClusterConfig');
    (nameless.detail as Record<string, unknown>).requestParameters = {};
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => {});
    try {
      const result = await makeRescanHandler(deps)(
        batch('not json', unknown, nameless, cloudTrailFixture('DeleteAccessEntry')),
      );
      expect(failures(result)).toEqual(['m0', 'm1', 'm2']);
      expect(clusterCalls).toEqual([[expect.objectContaining({ id: arn('us-east-1', 'checkout-api') })]]);
      const lines = logged.mock.calls.map((c) => JSON.stringify(c));
      expect(lines.some((l) => l.includes('"field":"body"'))).toBe(true);
      expect(lines.some((l) => l.includes('"field":"detail.eventName"'))).toBe(true);
      expect(lines.some((l) => l.includes('"field":"detail.requestParameters.name"'))).toBe(true);
    } finally {
      logged.mockRestore();
    }
  });

  it('scans nothing for a failed call, and does not retry it', async () => {
    const { deps, clusterCalls } = recording();
    const denied = cloudTrailFixture('UpdateClusterConfig');
    Object.assign(denied.detail as object, { errorCode: 'AccessDeniedException', responseElements: null });
    expect(failures(await makeRescanHandler(deps)(batch(denied)))).toEqual([]);
    expect(clusterCalls).toEqual([]);
  });

  it('starts one account scan per account whose IAM trust changed; a refused start fails only its messages', async () => {
    const { deps, accountCalls } = recording({ accountsFail: ['222222222222'] });
    const other = cloudTrailFixture('UpdateAssumeRolePolicy');
    Object.assign(other, { account: '222222222222' });
    Object.assign(other.detail as object, { recipientAccountId: '222222222222' });
    const result = await makeRescanHandler(deps)(
      batch(cloudTrailFixture('UpdateAssumeRolePolicy'), cloudTrailFixture('UpdateAssumeRolePolicy'), other),
    );
    expect(accountCalls.sort()).toEqual([[ACCOUNT], ['222222222222']]);
    expect(failures(result)).toEqual(['m2']);
  });

  it('ignores clusters and accounts the scan configuration leaves out', async () => {
    const { deps, clusterCalls, accountCalls } = recording({
      config: { aws: { organization: { exclude: [ACCOUNT] } } },
    });
    const result = await makeRescanHandler(deps)(
      batch(cloudTrailFixture('UpdateClusterConfig'), cloudTrailFixture('UpdateAssumeRolePolicy')),
    );
    expect(failures(result)).toEqual([]);
    expect([clusterCalls, accountCalls]).toEqual([[], []]);
    const regional = recording({ config: { aws: { organization: {}, regions: ['us-east-1'] } } });
    await makeRescanHandler(regional.deps)(batch(cloudTrailFixture('DeleteCluster'), cloudTrailFixture('UpdateAddon')));
    expect(regional.clusterCalls.map((c) => c.map((r) => r.name))).toEqual([['payments-prod']]);
  });

  it('refuses a batch that is not an SQS event, naming the field', async () => {
    const { deps } = recording();
    await expect(makeRescanHandler(deps)({ Records: [{ body: '{}' }] })).rejects.toThrow(/Records\[0\]\.messageId/);
  });
});
