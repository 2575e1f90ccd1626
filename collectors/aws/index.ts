import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import type { Cluster } from '@aws-sdk/client-eks';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import pLimit from 'p-limit';
import type { ScanConfig } from '../../core/config.ts';
import { Deadline } from '../../core/deadline.ts';
import type { FailureCode } from '../../core/errors.ts';
import type { CollectionGap, EksClusterSnapshot } from '../../core/snapshot.ts';
import type { IamAuthorization } from '../../core/snapshot-iam.ts';
import type {
  CollectOptions,
  Collector,
  Target,
  TargetCollection,
  TargetError,
  TargetPlan,
} from '../../core/target.ts';
import {
  type AwsClientOptions,
  type AwsCredentials,
  ec2Client,
  eksClient,
  guardDutyClient,
  iamClient,
  kmsClient,
  organizationsClient,
  ssmClient,
  stsClient,
} from './clients.ts';
import { assumeRoleOnce } from './credentials.ts';
import { withDeadline } from './deadline.ts';
import { collectEksCluster, gap, listClusterNames, partitionOf } from './eks.ts';
import { eksTokenCache } from './eks-token.ts';
import { classifyAwsError, describeAwsError } from './errors.ts';
import { collectGuardDuty } from './guardduty.ts';
import { type AccountIam, accountIam } from './iam.ts';
import {
  IAM_AUTHORIZATION_ACTIONS,
  IAM_AUTHORIZATION_NEED,
  readAccountAuthorization,
  serviceControlPolicyReader,
} from './iam-authorization.ts';
import { collectInsights } from './insights.ts';
import { collectSecretsKey } from './kms.ts';
import { AWS_AUTH_PATH, kubernetesGetRetrying, parseAwsAuth } from './kubernetes.ts';
import { type ClusterInProgress, collectNodeFacts, imageLookup, instanceLookup } from './nodes.ts';
import { RateLimiters, rateLimitSettings } from './rate-limit.ts';
import { createReferenceSource } from './references.ts';

/**
 * Every AWS API action this collector calls in a target account, whatever the checks need: the
 * member reader role grants these plus the checks' declared `needs` (stacks/member-reader-stack.ts).
 * Each failed call becomes a gap or an error naming the same action.
 */
export const AWS_COLLECTOR_ACTIONS = [
  'eks:ListClusters',
  'eks:DescribeCluster',
  'eks:ListNodegroups',
  'eks:DescribeNodegroup',
  'eks:ListAddons',
  'eks:DescribeAddon',
  'ec2:DescribeRegions',
  ...IAM_AUTHORIZATION_ACTIONS,
] as const;

/**
 * The collection of one named cluster. No snapshot means DescribeCluster answered ResourceNotFound: the cluster is
 * gone, the only answer that lets its findings resolve. Any other DescribeCluster failure (denied, throttled, timed
 * out, malformed) is an error for the cluster, so nothing of it resolves, even from the reads that did succeed.
 */
export function namedClusterCollection(target: Target, snapshot: EksClusterSnapshot | undefined): TargetCollection {
  const described = snapshot?.gaps.find((g) => g.need === 'eks:DescribeCluster');
  if (!snapshot || !described) return { target, snapshots: snapshot ? [snapshot] : [], errors: [] };
  const error: TargetError = {
    provider: 'aws',
    accountId: target.accountId,
    region: target.region,
    stage: 'describe-cluster',
    code: (described.code ?? 'Unknown') as FailureCode,
    message: `Cannot describe EKS cluster ${target.cluster?.name ?? snapshot.name}: ${described.error}`,
  };
  return { target, snapshots: [], errors: [error] };
}

/** See `kubernetesReads` in createAwsCollector. */
const KUBERNETES_READS_AT_ONCE = 32;
/** Tries per aws-auth read (kubernetesGetRetrying says which failures are retried). */
const KUBERNETES_READ_ATTEMPTS = 3;

export interface AwsCollectorDeps {
  /** The scanner's own credentials. Default: the SDK's default chain (env, profile, SSO, container, instance). */
  credentials?: AwsCredentials;
  /** Overrides every AWS endpoint (tests). Normally unset: `AWS_ENDPOINT_URL[_<SERVICE>]` apply. */
  endpoint?: string;
  /** Region for STS and EC2 DescribeRegions. Default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1. */
  homeRegion?: string;
  clock?: () => Date;
}

interface AccountSession {
  accountId: string;
  /** undefined: the scanner's own default credentials (no role to assume). */
  credentials: AwsCredentials | undefined;
  /** Set when the credentials come from AssumeRole, to name the failing stage. */
  roleArn?: string;
}

/**
 * EKS across AWS accounts and regions. One AssumeRole per account per collector instance
 * (one scan), shared by all regions and services of that account.
 */
export function createAwsCollector(
  config: ScanConfig,
  deps: AwsCollectorDeps = {},
): Collector & {
  /** AssumeRole calls made so far, by account (for tests and the scan record). */
  assumeRoleCalls(): Record<string, number>;
  /** Throttling answers the rate limiters saw (every attempt counts), and how many (account, region, service) keys. */
  rateLimitStats(): { throttles: number; keys: number };
} {
  const aws = config.aws;
  const clock = deps.clock ?? (() => new Date());
  const homeRegion = deps.homeRegion ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const clientOptions: AwsClientOptions = {
    maxAttempts: aws.maxAttempts,
    retryBaseDelayMs: aws.retryBaseDelayMs,
    connectTimeoutMs: config.collection.connectTimeoutMs,
    requestTimeoutMs: config.collection.requestTimeoutMs,
    ...(deps.endpoint ? { endpoint: deps.endpoint } : {}),
  };
  const maxPages = config.collection.maxPages;
  const limiters = aws.rateLimits.enabled ? new RateLimiters(rateLimitSettings(aws.rateLimits)) : undefined;
  const optionsFor = (accountId: string, region: string, service: string): AwsClientOptions =>
    limiters ? { ...clientOptions, limiter: limiters.for(accountId, region, service) } : clientOptions;

  /**
   * One client per (account, region, service) while it is in use, shared by whatever reads that key (the plan's
   * DescribeRegions and the home-region target, or every cluster of a target); every client shares the
   * process's connections (clients.ts requestHandler) and its key's rate limiter. A target's clients are
   * dropped when it ends (the scan never comes back to that account and region); an account's IAM client lives
   * in iamByAccount for the scan.
   */
  const pool = new Map<string, { client: unknown; signal?: AbortSignal }>();
  function pooled<C>(
    make: (region: string, credentials: AwsCredentials | undefined, o: AwsClientOptions) => C,
    service: string,
    session: AccountSession,
    region: string,
    /** The target deadline's signal the client is bound to (clients.ts `signal`); a client of another is not reused. */
    signal?: AbortSignal,
  ): C {
    const key = `${session.accountId}/${region}/${service}`;
    const entry = pool.get(key);
    if (entry && entry.signal === signal) return entry.client as C;
    const client = make(region, session.credentials, {
      ...optionsFor(session.accountId, region, service),
      ...(signal ? { signal } : {}),
    });
    pool.set(key, { client, ...(signal ? { signal } : {}) });
    return client;
  }
  const release = (accountId: string, region: string) => {
    for (const service of ['eks', 'ec2', 'ssm', 'guardduty', 'kms']) pool.delete(`${accountId}/${region}/${service}`);
  };
  // The scanner's own account is not known before GetCallerIdentity: its STS key is `self`.
  const baseSts = stsClient(homeRegion, deps.credentials, optionsFor('self', homeRegion, 'sts'));
  const sessions = new Map<string, AccountSession & { calls?: () => number }>();
  // One IAM view per account per scan: a single ListRoles walk serves all its regions and clusters.
  const iamByAccount = new Map<string, AccountIam>();
  const tokens = eksTokenCache(clock);

  /**
   * The account's IAM facts, shared by all its targets: its client carries no target's deadline (one target's
   * deadline must not fail the walk for the others; timeouts bound it), and each target stops waiting at its own.
   */
  function iamOf(session: AccountSession, deadline: Deadline): AccountIam {
    let facts = iamByAccount.get(session.accountId);
    if (!facts) {
      // IAM is global: one client and one limiter per account, signed in the home region.
      facts = accountIam(
        iamClient(homeRegion, session.credentials, optionsFor(session.accountId, homeRegion, 'iam')),
        maxPages,
      );
      iamByAccount.set(session.accountId, facts);
    }
    const shared = facts;
    return {
      roles: () => deadline.race(shared.roles()),
      oidcProviders: () => deadline.race(shared.oidcProviders()),
      userExists: (userName) => deadline.race(shared.userExists(userName)),
    };
  }

  /**
   * The account's IAM authorization (privilege paths, issue 13): one GetAccountAuthorizationDetails walk per account
   * per scan, shared by its regions and clusters like `iamOf`, plus the SCPs when the scanner can read them. A failed
   * read is a gap naming the action on each of the account's clusters, never an empty authorization.
   */
  const authorizationByAccount = new Map<string, Promise<IamAuthorization>>();
  let scps: ReturnType<typeof serviceControlPolicyReader> | undefined;
  function authorizationOf(session: AccountSession): Promise<IamAuthorization> {
    let read = authorizationByAccount.get(session.accountId);
    if (!read) {
      const { accountId } = session;
      const iam = iamClient(homeRegion, session.credentials, optionsFor(accountId, homeRegion, 'iam'));
      if (aws.serviceControlPolicies && !scps) {
        // Organizations is global: its endpoint is us-east-1 in the aws partition; the scanner's own credentials.
        const orgRegion = partitionOf(homeRegion) === 'aws' ? 'us-east-1' : homeRegion;
        scps = serviceControlPolicyReader(
          organizationsClient(orgRegion, deps.credentials, optionsFor('self', orgRegion, 'organizations')),
          maxPages,
        );
      }
      const scpRead: ReturnType<NonNullable<typeof scps>> = scps
        ? scps(accountId)
        : Promise.resolve({
            serviceControlPoliciesNote:
              'SCPs not applied: reading them is off (aws.serviceControlPolicies: false; serverless scan workers never call Organizations)',
            problems: [],
          });
      read = Promise.all([readAccountAuthorization(iam, accountId, maxPages), scpRead]).then(([auth, scp]) => ({
        ...auth,
        ...(scp.serviceControlPolicies ? { serviceControlPolicies: scp.serviceControlPolicies } : {}),
        ...(scp.serviceControlPoliciesNote ? { serviceControlPoliciesNote: scp.serviceControlPoliciesNote } : {}),
        problems: [...auth.problems, ...scp.problems],
      }));
      read.catch(() => undefined); // each target handles the rejection; none is unhandled while nobody waits
      authorizationByAccount.set(accountId, read);
    }
    return read;
  }

  /** aws-auth through the cluster's Kubernetes API, as the account's reader role (the credentials EKS sees). */
  /**
   * Kubernetes API reads in flight at once, across the scan: each is a TLS handshake with a different cluster, and
   * hundreds started together would spend their own timeout (`kubernetesApiTimeoutMs`) queueing for the CPU.
   * Waiting here does not count against that timeout; the target deadline still ends the wait.
   */
  const kubernetesReads = pLimit(KUBERNETES_READS_AT_ONCE);

  function awsAuthReader(
    session: AccountSession,
    eks: ReturnType<typeof eksClient>,
    region: string,
    deadline: Deadline,
  ) {
    const read = async (cluster: Cluster) => {
      if (!cluster.endpoint || !cluster.certificateAuthority?.data) {
        throw new Error('DescribeCluster returned no endpoint or certificateAuthority to reach the Kubernetes API');
      }
      deadline.check();
      const credentials = await eks.config.credentials();
      const token = await tokens(session.accountId, { clusterName: cluster.name ?? '', region, credentials });
      const configMap = await kubernetesReads(() => {
        deadline.check();
        return kubernetesGetRetrying(AWS_AUTH_PATH, {
          attempts: KUBERNETES_READ_ATTEMPTS,
          endpoint: cluster.endpoint!,
          caData: cluster.certificateAuthority!.data!,
          token,
          timeoutMs: aws.kubernetesApiTimeoutMs,
          signal: deadline.signal,
        });
      });
      return parseAwsAuth(configMap);
    };
    return (cluster: Cluster) => deadline.race(read(cluster));
  }
  // Public reference data (version calendar, recommended releases, add-on versions): once per region per scan.
  const references = createReferenceSource(maxPages);
  let callerAccount: Promise<string> | undefined;

  const callerAccountId = () => {
    callerAccount ??= baseSts.send(new GetCallerIdentityCommand({})).then((r) => {
      if (!r.Account) throw new Error('GetCallerIdentity returned no account');
      return r.Account;
    });
    return callerAccount;
  };

  function sessionFor(accountId: string): AccountSession {
    const existing = sessions.get(accountId);
    if (existing) return existing;
    const account = aws.accounts?.find((a) => a.id === accountId);
    let session: AccountSession & { calls?: () => number };
    if (!aws.accounts) {
      session = { accountId, credentials: deps.credentials };
    } else if (!account) {
      throw new Error(`Account ${accountId} is not in aws.accounts`);
    } else {
      const roleArn = `arn:${partitionOf(homeRegion)}:iam::${accountId}:role/${account.roleName ?? aws.roleName}`;
      const externalId = account.externalId ?? aws.externalId;
      const provider = assumeRoleOnce(
        baseSts,
        { roleArn, sessionName: aws.roleSessionName, ...(externalId ? { externalId } : {}) },
        () => clock().getTime(),
      );
      session = { accountId, credentials: provider, roleArn, calls: provider.calls };
    }
    sessions.set(accountId, session);
    return session;
  }

  /**
   * Resolves the account's credentials up front, so a denied AssumeRole is reported as such. The AssumeRole is shared
   * by the account's targets: a target whose deadline passes stops waiting, the call goes on for the others.
   */
  async function ready(session: AccountSession, deadline = Deadline.none()): Promise<TargetError | undefined> {
    if (!session.roleArn || typeof session.credentials !== 'function') return undefined;
    try {
      await deadline.race(session.credentials());
      return undefined;
    } catch (e) {
      return {
        provider: 'aws',
        accountId: session.accountId,
        region: '*',
        stage: 'assume-role',
        code: classifyAwsError(e),
        message: `Cannot assume ${session.roleArn}: ${describeAwsError(e)}`,
      };
    }
  }

  async function regionsOf(session: AccountSession): Promise<string[]> {
    if (aws.regions) return aws.regions;
    const ec2 = pooled(ec2Client, 'ec2', session, homeRegion);
    // Default filter: regions enabled for the account (opted-in or not requiring opt-in).
    const out = await ec2.send(new DescribeRegionsCommand({}));
    return (out.Regions ?? [])
      .map((r) => r.RegionName)
      .filter((r): r is string => Boolean(r))
      .sort();
  }

  async function planAccount(accountId: string): Promise<{ targets: Target[]; error?: TargetError }> {
    const session = sessionFor(accountId);
    const denied = await ready(session);
    if (denied) return { targets: [], error: denied };
    try {
      const regions = await regionsOf(session);
      return { targets: regions.map((region) => ({ provider: 'aws', accountId, region })) };
    } catch (e) {
      return {
        targets: [],
        error: {
          provider: 'aws',
          accountId,
          region: '*',
          stage: 'describe-regions',
          code: classifyAwsError(e),
          message: `Cannot list enabled regions: ${describeAwsError(e)}`,
        },
      };
    }
  }

  function failed(target: Target, stage: string, e: unknown, prefix = ''): TargetCollection {
    const { accountId, region } = target;
    return {
      target,
      snapshots: [],
      errors: [
        { provider: 'aws', accountId, region, stage, code: classifyAwsError(e), message: prefix + describeAwsError(e) },
      ],
    };
  }

  /**
   * One account × region. Its clients are bound to the deadline (every call gets its abort signal; none starts
   * after it), so what is not read by then becomes gaps with code Timeout, each naming its need.
   */
  async function collectTarget(target: Target, deadline: Deadline): Promise<TargetCollection> {
    const { accountId, region } = target;
    let session: AccountSession;
    try {
      session = sessionFor(accountId);
    } catch (e) {
      return failed(target, 'assume-role', e);
    }
    const denied = await ready(session, deadline);
    if (denied) return { target, snapshots: [], errors: [{ ...denied, region }] };
    if (target.cluster && !aws.accounts) {
      // The scanner's own credentials read its own account only: a cluster of another account would be answered
      // ResourceNotFound, which must never pass for "the cluster is gone".
      let own: string;
      try {
        own = await deadline.race(callerAccountId());
      } catch (e) {
        return failed(target, 'get-caller-identity', e);
      }
      if (own !== accountId) {
        return failed(
          target,
          'assume-role',
          new Error(
            `Account ${accountId} is not the scanner's own account (${own}) and no aws.accounts are configured`,
          ),
        );
      }
    }

    // Clients bound to this target's deadline (every call aborted by it, none started after it).
    const signal = Number.isFinite(deadline.remainingMs()) ? deadline.signal : undefined;
    const client = <C extends { send(...args: never[]): Promise<unknown> }>(
      make: (region: string, credentials: AwsCredentials | undefined, o: AwsClientOptions) => C,
      service: string,
    ): C => withDeadline(pooled(make, service, session, region, signal), deadline, true);
    try {
      const eks = client(eksClient, 'eks');
      let names: string[];
      if (target.cluster) {
        // One named cluster (a rescan): read by name, the account's cluster list is not needed.
        names = [target.cluster.name];
      } else {
        try {
          names = await listClusterNames(eks, maxPages);
        } catch (e) {
          return failed(target, 'list-clusters', e, 'Cannot list EKS clusters: ');
        }
      }
      const limit = pLimit(config.concurrency.clustersPerTarget);
      let guardDuty: ReturnType<typeof collectGuardDuty> | undefined;
      const ec2 = client(ec2Client, 'ec2');
      const nodeScope = {
        ec2,
        images: imageLookup(ec2),
        // Started now, with the names: every cluster's self-managed nodes in one walk per tag convention.
        instances: instanceLookup(ec2, names, maxPages),
        region,
        references,
        maxPages,
        referenceScope: { accountId, region, eks, ssm: client(ssmClient, 'ssm') },
        guardDuty: () => {
          // Lazily, so a region without clusters costs no GuardDuty call.
          guardDuty ??= collectGuardDuty(client(guardDutyClient, 'guardduty'), maxPages);
          return guardDuty;
        },
      };
      const scope = {
        eks,
        accountId,
        region,
        concurrency: config.concurrency.clustersPerTarget,
        maxPages,
        now: clock,
        access: { iam: iamOf(session, deadline), readAwsAuth: awsAuthReader(session, eks, region, deadline) },
        nodeFacts: (c: ClusterInProgress) => collectNodeFacts(nodeScope, c),
        secretsKey: (c: Cluster | undefined, gaps: CollectionGap[]) =>
          collectSecretsKey(client(kmsClient, 'kms'), c, accountId, gaps),
        insights: (name: string, gaps: CollectionGap[]) =>
          collectInsights(eks, name, gaps, { concurrency: config.concurrency.clustersPerTarget, maxPages }),
      };
      // Started with the clusters (a region without clusters costs no IAM call); the target stops waiting at its deadline.
      const authorization: Promise<IamAuthorization | CollectionGap> | undefined =
        names.length > 0
          ? deadline.race(authorizationOf(session)).catch((e: unknown) => gap(IAM_AUTHORIZATION_NEED, e))
          : undefined;
      const described = await Promise.all(names.map((n) => limit(() => collectEksCluster(scope, n))));
      const auth = await authorization;
      const withAuth = (s: EksClusterSnapshot): EksClusterSnapshot =>
        !auth ? s : 'need' in auth ? { ...s, gaps: [...s.gaps, auth] } : { ...s, iamAuthorization: auth };
      // A named cluster that DescribeCluster says is gone (undefined) resolves; any other failure is an error.
      if (target.cluster) return namedClusterCollection(target, described[0] && withAuth(described[0]));
      const snapshots = described.filter((s): s is EksClusterSnapshot => s !== undefined);
      return {
        target,
        snapshots: snapshots.map(withAuth),
        errors: [],
      };
    } finally {
      release(accountId, region);
    }
  }

  return {
    provider: 'aws',

    async plan(): Promise<TargetPlan> {
      const accountIds = aws.accounts ? aws.accounts.map((a) => a.id) : [await callerAccountId()];
      const limit = pLimit(config.concurrency.targets);
      const planned = await Promise.all(accountIds.map((id) => limit(() => planAccount(id))));
      return {
        targets: planned.flatMap((p) => p.targets),
        errors: planned.flatMap((p) => (p.error ? [p.error] : [])),
      };
    },

    async collect(target: Target, options: CollectOptions = {}): Promise<TargetCollection> {
      try {
        return await collectTarget(target, options.deadline ?? Deadline.none());
      } catch (e) {
        // A bug or an unforeseen failure still never costs more than this target, and says so.
        return failed(target, 'collect', e);
      }
    },

    rateLimitStats() {
      return { throttles: limiters?.throttles() ?? 0, keys: limiters?.size ?? 0 };
    },

    assumeRoleCalls() {
      const out: Record<string, number> = {};
      for (const [id, s] of sessions) if (s.calls) out[id] = s.calls();
      return out;
    },
  };
}
