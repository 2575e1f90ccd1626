/**
 * The CDK app (`cdk synth`, `cdk deploy`). Context (cdk.json or `-c key=value`):
 * - `kubeposture`: the deployment (schedule, scan configuration, map limits, guard rails, notifications,
 *   Security Hub, Azure and GCP federation), validated at synth by stacks/deployment-config.ts; errors name the key;
 * - `kubeposture:readerRoleName`: the role assumed in member accounts (default KubepostureReader);
 * - `kubeposture:scannerAccountId`: the security account, for the member stack's trust policy. Required unless
 *   the credentials in use name the account (CDK_DEFAULT_ACCOUNT); synth fails naming it otherwise;
 * - `kubeposture:externalId`: optional `sts:ExternalId` the member role requires;
 * - `kubeposture:scannerRegion`: the scanner's region, where member accounts send change events (deployment
 *   `events`); defaults to the region the credentials in use name (CDK_DEFAULT_REGION).
 * cdk-nag's AwsSolutions and Serverless packs run on every synth; acknowledgements sit beside the resources.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { checks } from '../checks/index.ts';
import { ConfigError } from '../core/errors.ts';
import { MemberEventsStack, resolveScannerRegion } from './member-events-stack.ts';
import { MemberReaderStack, resolveScannerAccountId } from './member-reader-stack.ts';
import { DEFAULT_READER_ROLE_NAME, SCANNER_ROLE_NAMES, ScannerStack } from './scanner-stack.ts';

const app = new App();

function context(key: string): unknown {
  const value: unknown = app.node.tryGetContext(key);
  return value === null || value === '' ? undefined : value;
}

if (context('kubeposture:scanTargetConcurrency') !== undefined) {
  throw new ConfigError(
    'kubeposture:scanTargetConcurrency has moved into the deployment: set kubeposture.limits.scanTargetConcurrency',
  );
}

const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
const readerRoleName = context('kubeposture:readerRoleName');
// First, so a synth without it fails at once, before the scanner's bundles are built.
const scannerAccountId = resolveScannerAccountId(context('kubeposture:scannerAccountId'), env.account);

const scanner = new ScannerStack(app, 'Kubeposture', {
  description: 'kubeposture: serverless posture scanner for managed Kubernetes (security account)',
  env,
  deployment: context('kubeposture'),
  readerRoleName: readerRoleName === undefined ? undefined : String(readerRoleName),
});

const externalId = context('kubeposture:externalId');
// The member role demands the external id the scanner sends (scan config aws.externalId): they must agree.
const sentExternalId = (scanner.deployment.scan.aws as { externalId?: unknown } | undefined)?.externalId;
if (externalId !== undefined && sentExternalId !== externalId) {
  throw new ConfigError(
    `kubeposture:externalId (${String(externalId)}) must equal kubeposture.scan.aws.externalId ` +
      `(${sentExternalId === undefined ? 'unset' : String(sentExternalId)}): the member role would refuse the scanner`,
  );
}
// Synthesized as a template for a service-managed StackSet (docs/deploy.md §4); not deployed into this account.
new MemberReaderStack(app, 'KubepostureMemberReader', {
  description: 'kubeposture: read-only role for the posture scanner (deploy to member accounts with StackSets)',
  scannerAccountId,
  scannerRoleNames: Object.values(SCANNER_ROLE_NAMES),
  checks,
  roleName: String(readerRoleName ?? DEFAULT_READER_ROLE_NAME),
  ...(externalId === undefined ? {} : { externalId: String(externalId) }),
});
// Change-driven rescans (deployment `events`): a second StackSet template, per region (docs/deploy.md §9).
if (scanner.deployment.events) {
  new MemberEventsStack(app, 'KubepostureMemberEvents', {
    description: 'kubeposture: forwards EKS and IAM changes to the scanner (deploy to member accounts and regions)',
    scannerAccountId,
    scannerRegion: resolveScannerRegion(context('kubeposture:scannerRegion'), env.region),
  });
}

Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
