import { type ClusterRef, parseClusterRef } from './cluster-ref.ts';
import type { ScanConfig } from './config.ts';

/**
 * CloudTrail management events, as EventBridge delivers them, mapped to what to rescan (issue 14). Pure: no I/O.
 *
 * Where the cluster name is: the EKS API puts the cluster in the URI (`/clusters/{name}/...`, API reference), and
 * CloudTrail records URI parameters under their wire name, so every EKS event below carries it as
 * `requestParameters.name` (Stratus Red Team's detonations of CreateAccessEntry and AssociateAccessPolicy show it;
 * the SDK calls the same member `clusterName`). Older records (the EKS user guide's 2018 CreateCluster sample) used
 * `requestParameters.clusterName` and `responseElements.cluster.clusterName`, and most responses name the cluster too
 * (`accessEntry.clusterName`, `nodegroup.clusterName`, ...). All of these are read; they must agree, and one must be
 * present, or the event is refused naming the fields.
 */
export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/**
 * Changes EKS applies asynchronously: the call answers with an update `InProgress` or a resource CREATING/DELETING,
 * and DescribeCluster shows the new state only minutes later. They are rescanned twice: soon, and once settled
 * (stacks/constructs/event-path.ts, the settle queue).
 */
const SETTLING = [
  'CreateCluster',
  'UpdateClusterConfig',
  'UpdateClusterVersion',
  'AssociateEncryptionConfig',
  'CreateNodegroup',
  'UpdateNodegroupConfig',
  'UpdateNodegroupVersion',
  'CreateAddon',
  'UpdateAddon',
  'DeleteCluster',
] as const;
/** Changes that take effect at once (seconds of eventual consistency): one rescan suffices. */
const IMMEDIATE = [
  'CreateAccessEntry',
  'UpdateAccessEntry',
  'DeleteAccessEntry',
  'AssociateAccessPolicy',
  'DisassociateAccessPolicy',
  'CreatePodIdentityAssociation',
  'UpdatePodIdentityAssociation',
  'DeletePodIdentityAssociation',
] as const;

/** The EKS management events that can change a cluster's posture (issue 14's list). */
export const EKS_RESCAN_EVENTS = [...SETTLING, ...IMMEDIATE] as const;
export type EksRescanEvent = (typeof EKS_RESCAN_EVENTS)[number];
export const SETTLING_EKS_EVENTS: readonly EksRescanEvent[] = SETTLING;

/** IAM is global: a role's trust may back IRSA, Pod Identity or an access entry of any cluster of its account. */
export const IAM_RESCAN_EVENTS = ['UpdateAssumeRolePolicy'] as const;
export type IamRescanEvent = (typeof IAM_RESCAN_EVENTS)[number];

const REQUEST_NAME = ['requestParameters.name', 'requestParameters.clusterName'];
/** Where each event names its cluster, in the order read (`detail.` omitted). */
export const CLUSTER_NAME_FIELDS: Record<EksRescanEvent, readonly string[]> = {
  CreateCluster: [...REQUEST_NAME, 'responseElements.cluster.name', 'responseElements.cluster.clusterName'],
  UpdateClusterConfig: REQUEST_NAME,
  UpdateClusterVersion: REQUEST_NAME,
  CreateAccessEntry: [...REQUEST_NAME, 'responseElements.accessEntry.clusterName'],
  UpdateAccessEntry: [...REQUEST_NAME, 'responseElements.accessEntry.clusterName'],
  DeleteAccessEntry: REQUEST_NAME,
  AssociateAccessPolicy: [...REQUEST_NAME, 'responseElements.clusterName'],
  DisassociateAccessPolicy: REQUEST_NAME,
  CreatePodIdentityAssociation: [...REQUEST_NAME, 'responseElements.association.clusterName'],
  UpdatePodIdentityAssociation: [...REQUEST_NAME, 'responseElements.association.clusterName'],
  DeletePodIdentityAssociation: [...REQUEST_NAME, 'responseElements.association.clusterName'],
  CreateNodegroup: [...REQUEST_NAME, 'responseElements.nodegroup.clusterName'],
  UpdateNodegroupConfig: REQUEST_NAME,
  UpdateNodegroupVersion: REQUEST_NAME,
  CreateAddon: [...REQUEST_NAME, 'responseElements.addon.clusterName'],
  UpdateAddon: REQUEST_NAME,
  AssociateEncryptionConfig: REQUEST_NAME,
  DeleteCluster: [...REQUEST_NAME, 'responseElements.cluster.name', 'responseElements.cluster.clusterName'],
};

/** The EventBridge `source` of each CloudTrail event source the path forwards. */
export const EVENT_SOURCES = { 'aws.eks': 'eks.amazonaws.com', 'aws.iam': 'iam.amazonaws.com' } as const;

interface EventInfo {
  eventName: string;
  /** CloudTrail's `eventID` (EventBridge's `id` when absent): names the event in logs and errors. */
  eventId: string;
  eventTime?: string;
}

export type AwsClusterRef = Extract<ClusterRef, { provider: 'aws' }>;

/** What one event asks for. */
export type RescanTrigger =
  | (EventInfo & { kind: 'cluster'; ref: AwsClusterRef; settling: boolean })
  /** Every cluster of an account, in every scanned region: an IAM trust changed (see `parseClusterEvent`). */
  | (EventInfo & { kind: 'account'; accountId: string; partition: string; roleName: string })
  /** Nothing changed (the call failed): no rescan, on purpose. */
  | (EventInfo & { kind: 'ignored'; reason: string });

/** An event the path cannot map: `field` names what is missing or wrong (`detail.requestParameters.name`). */
export class ClusterEventError extends Error {
  override name = 'ClusterEventError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function at(obj: Json, path: string): unknown {
  let v: unknown = obj;
  for (const key of path.split('.')) {
    if (!isObject(v)) return undefined;
    v = v[key];
  }
  return v;
}

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** The EKS cluster name pattern (API reference: 1-100 characters, `^[0-9A-Za-z][A-Za-z0-9\-_]*`). */
const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;

/** The partition a region belongs to: what the cluster ARN is built with. */
export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** One of two places that must agree (detail and envelope); at least one present. */
function agreed(detail: Json, envelope: Json, detailKey: string, envelopeKey: string, pattern: RegExp, what: string) {
  const inner = detail[detailKey];
  const outer = envelope[envelopeKey];
  const field = inner !== undefined ? `detail.${detailKey}` : envelopeKey;
  const value = inner ?? outer;
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new ClusterEventError(field, `${field} is ${describe(value)}; expected ${what}`);
  }
  if (inner !== undefined && outer !== undefined && inner !== outer) {
    throw new ClusterEventError(
      `detail.${detailKey}`,
      `detail.${detailKey} (${String(inner)}) disagrees with ${envelopeKey} (${String(outer)})`,
    );
  }
  return value;
}

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  return typeof v === 'string' ? JSON.stringify(v.slice(0, 120)) : `a ${Array.isArray(v) ? 'list' : typeof v}`;
}

function eksClusterName(detail: Json, eventName: EksRescanEvent): string {
  const fields = CLUSTER_NAME_FIELDS[eventName];
  const found: { field: string; value: unknown }[] = [];
  for (const f of fields) {
    const value = at(detail, f);
    if (value !== undefined && value !== null) found.push({ field: `detail.${f}`, value });
  }
  if (found.length === 0) {
    throw new ClusterEventError(
      `detail.${fields[0]}`,
      `${eventName} names no cluster: none of ${fields.map((f) => `detail.${f}`).join(', ')} is present`,
    );
  }
  const [first] = found as [{ field: string; value: unknown }];
  for (const { field, value } of found) {
    if (typeof value !== 'string' || !EKS_CLUSTER_NAME.test(value)) {
      throw new ClusterEventError(field, `${field} is ${describe(value)}; expected an EKS cluster name`);
    }
    if (value !== first.value) {
      throw new ClusterEventError(field, `${field} (${value}) disagrees with ${first.field} (${String(first.value)})`);
    }
  }
  return first.value as string;
}

/**
 * Maps one EventBridge event (`detail-type: AWS API Call via CloudTrail`) to a rescan trigger.
 * - An EKS event: the cluster it names, in the event's account (`recipientAccountId`) and region (`awsRegion`).
 * - IAM `UpdateAssumeRolePolicy`: the whole account. IAM is global and the trust policy of one role may decide who can
 *   become the principal of an access entry, an IRSA or a Pod Identity role, of any cluster in any region of the
 *   account; the state knows only clusters that once failed a check, so "clusters of the account in the state" would
 *   miss the clean ones, the very ones a widened trust can make fail. A role trusted cross-account (IRSA role in
 *   another account than its cluster) is left to the scheduled scan.
 * - A failed call (`errorCode` present) changed nothing: `ignored`, never a rescan.
 * Anything else throws ClusterEventError naming the field: an unknown event is a wiring mistake to see, not to drop.
 */
export function parseClusterEvent(event: unknown): RescanTrigger {
  if (!isObject(event)) throw new ClusterEventError('event', `the event is ${describe(event)}; expected an object`);
  if (event['detail-type'] !== CLOUDTRAIL_DETAIL_TYPE) {
    throw new ClusterEventError(
      'detail-type',
      `detail-type is ${describe(event['detail-type'])}; expected ${JSON.stringify(CLOUDTRAIL_DETAIL_TYPE)}`,
    );
  }
  const source = event.source;
  if (typeof source !== 'string' || !Object.hasOwn(EVENT_SOURCES, source)) {
    throw new ClusterEventError(
      'source',
      `source is ${describe(source)}; expected one of ${Object.keys(EVENT_SOURCES).join(', ')}`,
    );
  }
  const detail = event.detail;
  if (!isObject(detail)) throw new ClusterEventError('detail', `detail is ${describe(detail)}; expected an object`);
  const eventSource = EVENT_SOURCES[source as keyof typeof EVENT_SOURCES];
  if (detail.eventSource !== eventSource) {
    throw new ClusterEventError(
      'detail.eventSource',
      `detail.eventSource is ${describe(detail.eventSource)}; expected ${eventSource} for source ${source}`,
    );
  }
  const eventName = detail.eventName;
  const names: readonly string[] = source === 'aws.eks' ? EKS_RESCAN_EVENTS : IAM_RESCAN_EVENTS;
  if (typeof eventName !== 'string' || !names.includes(eventName)) {
    throw new ClusterEventError(
      'detail.eventName',
      `detail.eventName is ${describe(eventName)}; expected one of ${names.join(', ')} for ${source}`,
    );
  }
  const rawId = detail.eventID ?? event.id;
  const info: EventInfo = {
    eventName,
    eventId: typeof rawId === 'string' ? rawId : '(no event id)',
    ...(typeof detail.eventTime === 'string' ? { eventTime: detail.eventTime } : {}),
  };
  if (detail.errorCode !== undefined && detail.errorCode !== null) {
    return { ...info, kind: 'ignored', reason: `the call failed (${String(detail.errorCode)}): nothing changed` };
  }
  const accountId = agreed(detail, event, 'recipientAccountId', 'account', ACCOUNT, 'a 12-digit AWS account id');
  const region = agreed(detail, event, 'awsRegion', 'region', REGION, 'an AWS region');
  const partition = partitionOfRegion(region);

  if (source === 'aws.iam') {
    const roleName = at(detail, 'requestParameters.roleName');
    if (typeof roleName !== 'string' || roleName === '') {
      throw new ClusterEventError(
        'detail.requestParameters.roleName',
        `detail.requestParameters.roleName is ${describe(roleName)}; expected the role whose trust changed`,
      );
    }
    return { ...info, kind: 'account', accountId, partition, roleName };
  }
  const name = eksClusterName(detail, eventName as EksRescanEvent);
  const ref = parseClusterRef(`arn:${partition}:eks:${region}:${accountId}:cluster/${name}`) as AwsClusterRef;
  return { ...info, kind: 'cluster', ref, settling: SETTLING_EKS_EVENTS.includes(eventName as EksRescanEvent) };
}

/**
 * Whether the scan configuration covers a cluster or an account: an event from an account or region the scheduled
 * scan leaves out (organization `exclude`, a fixed account list, `aws.regions`) must not be scanned by the back door.
 */
export function awsEventScope(config: Pick<ScanConfig, 'aws'>) {
  const { organization, accounts, regions } = config.aws;
  const listed = accounts?.map((a) => a.id);
  const account = (id: string): boolean => {
    if (organization) {
      if (organization.exclude.includes(id)) return false;
      return !organization.include || organization.include.includes(id);
    }
    // Neither: the scanner's own account, whichever it is (the scan decides).
    return !listed || listed.includes(id);
  };
  return {
    account,
    cluster: (ref: AwsClusterRef): boolean => account(ref.accountId) && (!regions || regions.includes(ref.region)),
  };
}
