import type { MiddlewareStack } from '@smithy/types';
import * as z from 'zod';
import { checkResponse } from '../common/response.ts';

/**
 * The fields each AWS API answer always carries, by `<service>:<Action>` (the IAM action name, which is also the
 * `need` of a gap). The SDK turns an empty or truncated 200 body into an output with those fields missing, which
 * reads as "nothing there" (no access entries, no detector, no add-on): a check would PASS or FAIL on data nobody
 * sent. So every answer is checked against this registry before anything believes it (see `validateResponses`),
 * and one without them becomes a `Malformed` gap naming the action.
 *
 * What is "always": members the service model marks required (IAM `Roles`, GuardDuty `DetectorIds`, GetDetector
 * `Status`/`ServiceRole`, STS `Credentials.*`: non-optional in the SDK types and the API references), and the list
 * every List/Describe call sends even when empty (EKS `{"clusters":[]}`; IAM `<Roles/>` and EC2 `<reservationSet/>`,
 * which the SDK parses to `[]`), plus the identity of each item the collector keys on. Nothing optional is
 * required: a legitimately empty list or an unset setting must still pass.
 */
const text = z.string().min(1);
const list = <T extends z.ZodType>(item: T) => z.array(item);
const named = <K extends string>(...keys: K[]) =>
  z.object(Object.fromEntries(keys.map((k) => [k, text])) as Record<K, typeof text>);

export const RESPONSE_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  // STS
  'sts:GetCallerIdentity': named('Account', 'Arn', 'UserId'),
  'sts:AssumeRole': z.object({
    Credentials: z.object({ AccessKeyId: text, SecretAccessKey: text, SessionToken: text, Expiration: z.date() }),
  }),

  // EKS (restJson1): every list is sent, `[]` when empty.
  'eks:ListClusters': z.object({ clusters: list(text) }),
  'eks:DescribeCluster': z.object({
    cluster: named('name', 'arn', 'version', 'status', 'roleArn').extend({
      createdAt: z.date(),
      resourcesVpcConfig: z.object({}),
    }),
  }),
  'eks:ListNodegroups': z.object({ nodegroups: list(text) }),
  'eks:DescribeNodegroup': z.object({ nodegroup: named('nodegroupName', 'nodegroupArn', 'clusterName', 'status') }),
  'eks:ListAddons': z.object({ addons: list(text) }),
  'eks:DescribeAddon': z.object({ addon: named('addonName', 'clusterName', 'status') }),
  'eks:ListAccessEntries': z.object({ accessEntries: list(text) }),
  'eks:DescribeAccessEntry': z.object({ accessEntry: named('clusterName', 'principalArn', 'accessEntryArn') }),
  'eks:ListAssociatedAccessPolicies': z.object({
    clusterName: text,
    principalArn: text,
    // The access checks count cluster-wide policies by `accessScope.type`: without it an admin would go uncounted.
    associatedAccessPolicies: list(z.object({ policyArn: text, accessScope: z.object({ type: text }) })),
  }),
  'eks:ListPodIdentityAssociations': z.object({ associations: list(named('associationId')) }),
  'eks:DescribePodIdentityAssociation': z.object({
    association: named('clusterName', 'associationId', 'namespace', 'serviceAccount', 'roleArn'),
  }),
  'eks:DescribeClusterVersions': z.object({ clusterVersions: list(named('clusterVersion')) }),
  'eks:DescribeAddonVersions': z.object({ addons: list(named('addonName')) }),

  // IAM (awsQuery): `IsTruncated` is always sent; the paginator follows `Marker` only, so a truncated answer without
  // one would end the walk early and silently.
  'iam:ListRoles': z
    .object({
      Roles: list(named('RoleName', 'RoleId', 'Arn', 'Path')),
      IsTruncated: z.boolean(),
      Marker: z.string().optional(),
    })
    .refine((r) => !r.IsTruncated || Boolean(r.Marker), {
      message: 'IsTruncated is true but there is no Marker',
      path: ['Marker'],
    }),
  'iam:ListOpenIDConnectProviders': z.object({ OpenIDConnectProviderList: list(named('Arn')) }),
  'iam:GetUser': z.object({ User: named('UserName', 'UserId', 'Arn', 'Path') }),
  // Every list is sent, empty or not; an answer without them (or without IsTruncated) would read as "no principals,
  // no policies": no privilege path at all.
  'iam:GetAccountAuthorizationDetails': z
    .object({
      UserDetailList: list(named('UserName', 'Arn')),
      GroupDetailList: list(named('GroupName', 'Arn')),
      RoleDetailList: list(named('RoleName', 'Arn')),
      Policies: list(named('PolicyName', 'Arn')),
      IsTruncated: z.boolean(),
      Marker: z.string().optional(),
    })
    .refine((r) => !r.IsTruncated || Boolean(r.Marker), {
      message: 'IsTruncated is true but there is no Marker',
      path: ['Marker'],
    }),
  'iam:GetPolicy': z.object({ Policy: named('Arn', 'DefaultVersionId') }),
  'iam:GetPolicyVersion': z.object({ PolicyVersion: named('VersionId', 'Document') }),

  // EC2 (ec2Query)
  'ec2:DescribeRegions': z.object({ Regions: list(named('RegionName')) }),
  'ec2:DescribeInstances': z.object({ Reservations: list(z.object({ Instances: list(named('InstanceId')) })) }),
  'ec2:DescribeLaunchTemplateVersions': z.object({
    LaunchTemplateVersions: list(z.object({ LaunchTemplateId: text, VersionNumber: z.number() })),
  }),
  'ec2:DescribeImages': z.object({ Images: list(named('ImageId')) }),

  // SSM (awsJson1.1): a missing parameter is the ParameterNotFound error, never an answer without `Parameter`.
  'ssm:GetParameter': z.object({ Parameter: named('Name', 'Value') }),

  // GuardDuty (restJson1): required by the service model.
  'guardduty:ListDetectors': z.object({ DetectorIds: list(text) }),
  'guardduty:GetDetector': z.object({ Status: text, ServiceRole: text }),

  // KMS (awsJson1.1): KeyMetadata and its KeyId are required by the service model; the key checks say ERROR on a
  // KeyMetadata without KeyState rather than guess. KeyRotationEnabled is the whole answer: one without it is not "off".
  'kms:DescribeKey': z.object({ KeyMetadata: z.object({ KeyId: text }) }),
  'kms:GetKeyRotationStatus': z.object({ KeyRotationEnabled: z.boolean() }),

  // Organizations (awsJson1.1)
  'organizations:ListAccounts': z.object({ Accounts: list(named('Id')) }),
  // The plan step leaves the management account out by this id: a guess either way would be wrong.
  'organizations:DescribeOrganization': z.object({
    Organization: z.object({ MasterAccountId: z.string().regex(/^\d{12}$/) }),
  }),
  // SCPs (collectors/aws/iam-authorization.ts): a parent without its type would end the walk to the root early.
  'organizations:ListParents': z.object({ Parents: list(named('Id', 'Type')) }),
  'organizations:ListPoliciesForTarget': z.object({ Policies: list(named('Id')) }),
  'organizations:DescribePolicy': z.object({ Policy: z.object({ PolicySummary: named('Id'), Content: text }) }),
};

/** `ListClustersCommand` → `eks:ListClusters`. */
export function actionOf(service: string, commandName: unknown): string {
  return `${service}:${String(commandName ?? '').replace(/Command$/, '')}`;
}

/** Any client's middleware stack, whatever its input and output types. */
// biome-ignore lint/suspicious/noExplicitAny: the stacks of the seven clients share no narrower type.
export type AnyMiddlewareStack = MiddlewareStack<any, any>;

/** Why a command has no schema: a programming error, caught by the test that walks every command the scan sends. */
export class UnregisteredResponseError extends Error {
  override name = 'UnregisteredResponseError';
}

/**
 * Adds the response check to a client: in the deserialize step, after the SDK parsed the answer and inside the retry
 * loop (so a malformed answer is retried a little, see retry.ts), each output must match RESPONSE_SCHEMAS for its
 * action. The output itself is passed on unchanged.
 */
export function validateResponses(
  client: { middlewareStack: AnyMiddlewareStack },
  service: string,
  schemas: Readonly<Record<string, z.ZodType>> = RESPONSE_SCHEMAS,
): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const action = actionOf(service, context.commandName);
      const schema = schemas[action];
      if (!schema) {
        throw new UnregisteredResponseError(
          `${action} has no response schema: add the fields it always returns to collectors/aws/responses.ts`,
        );
      }
      checkResponse(action, schema, result.output);
      return result;
    },
    { step: 'deserialize', priority: 'high', name: 'kubepostureResponseValidation', override: true },
  );
}
