/**
 * The CDK app (`cdk synth`, `cdk deploy`). Context keys (`-c key=value` or cdk.json):
 * - `kubeposture:config`: the scan configuration, as JSON (validated at synth);
 * - `kubeposture:readerRoleName`: the role assumed in member accounts (default KubepostureReader);
 * - `kubeposture:scanTargetConcurrency`: reserved concurrency of the scan-target function.
 * cdk-nag's AwsSolutions pack runs on every synth; acknowledgements sit beside the resources.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ScannerStack } from './scanner-stack.ts';

const app = new App();

function context(key: string): unknown {
  const value: unknown = app.node.tryGetContext(key);
  return value === null || value === '' ? undefined : value;
}

const readerRoleName = context('kubeposture:readerRoleName');
const concurrency = context('kubeposture:scanTargetConcurrency');

new ScannerStack(app, 'Kubeposture', {
  description: 'kubeposture: serverless posture scanner for managed Kubernetes',
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  config: context('kubeposture:config'),
  readerRoleName: readerRoleName === undefined ? undefined : String(readerRoleName),
  scanTargetConcurrency: concurrency === undefined ? undefined : Number(concurrency),
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
