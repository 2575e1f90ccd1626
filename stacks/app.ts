/**
 * The CDK app (`cdk synth`, `cdk deploy`). Context (cdk.json or `-c key=value`):
 * - `kubeposture`: the deployment (schedule, scan configuration, map limits, notifications, Azure and GCP
 *   federation), validated
 *   at synth by stacks/deployment-config.ts; errors name the key;
 * - `kubeposture:readerRoleName`: the role assumed in member accounts (default KubepostureReader);
 * - `kubeposture:scanTargetConcurrency`: reserved concurrency of the scan-target function;
 * - `kubeposture:scannerAccountId`: the security account, for the member stack's trust policy
 *   (default: the account being deployed to).
 * cdk-nag's AwsSolutions pack runs on every synth; acknowledgements sit beside the resources.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { checks } from '../checks/index.ts';
import { ConfigError } from '../core/errors.ts';
import { MemberReaderStack } from './member-reader-stack.ts';
import { DEFAULT_READER_ROLE_NAME, SCANNER_ROLE_NAMES, ScannerStack } from './scanner-stack.ts';

const app = new App();

function context(key: string): unknown {
  const value: unknown = app.node.tryGetContext(key);
  return value === null || value === '' ? undefined : value;
}

const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
const readerRoleName = context('kubeposture:readerRoleName');
const concurrency = context('kubeposture:scanTargetConcurrency');
if (concurrency !== undefined && !(Number.isInteger(Number(concurrency)) && Number(concurrency) > 0)) {
  throw new ConfigError('kubeposture:scanTargetConcurrency must be a positive integer');
}

const scanner = new ScannerStack(app, 'Kubeposture', {
  description: 'kubeposture: serverless posture scanner for managed Kubernetes (security account)',
  env,
  deployment: context('kubeposture'),
  readerRoleName: readerRoleName === undefined ? undefined : String(readerRoleName),
  scanTargetConcurrency: concurrency === undefined ? undefined : Number(concurrency),
});

const scannerAccount = String(context('kubeposture:scannerAccountId') ?? scanner.account);
const roleName = String(readerRoleName ?? DEFAULT_READER_ROLE_NAME);
// Synthesized as a template for a service-managed StackSet (docs/deploy.md); not deployed into this account.
new MemberReaderStack(app, 'KubepostureMemberReader', {
  description: 'kubeposture: read-only role for the posture scanner (deploy to member accounts with StackSets)',
  scannerAccountId: scannerAccount,
  scannerRoleArns: Object.values(SCANNER_ROLE_NAMES).map((n) => `arn:aws:iam::${scannerAccount}:role/${n}`),
  checks,
  roleName,
  externalId: context('kubeposture:externalId') as string | undefined,
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
