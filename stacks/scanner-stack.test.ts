import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, CfnResource, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { checks } from '../checks/index.ts';
import { ConfigError } from '../core/errors.ts';
import {
  resolveScannerConfig,
  SCANNER_PUBLIC_PARAMETER_ACTIONS,
  SCANNER_READ_ACTIONS,
  ScannerStack,
  type ScannerStackProps,
} from './scanner-stack.ts';

const CDK_CONTEXT = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')).context;

function synth(props: ScannerStackProps = {}, opts: { bundle?: boolean } = {}) {
  // Bundling runs esbuild over the real handler; do it for the main stack only and skip it
  // (CDK's own switch) for the variants that only look at IAM.
  const context = opts.bundle === false ? { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } : CDK_CONTEXT;
  const app = new App({ context });
  const stack = new ScannerStack(app, 'Scanner', props);
  return { app, stack, template: Template.fromStack(stack) };
}

// One bundled synth for the whole file.
const main = synth();
const resources = main.template.toJSON().Resources as Record<string, { Type: string; DependsOn?: string[] }>;

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

function statementsOf(template: Template): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

const asArray = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

describe('ScannerStack', () => {
  it('runs the scan-target function on Node 22, arm64, as an ESM bundle with source maps', () => {
    main.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 300,
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: Match.objectLike({
          NODE_OPTIONS: '--enable-source-maps',
          KUBEPOSTURE_CONFIG: JSON.stringify({ aws: { roleName: 'KubepostureReader' } }),
        }),
      },
    });
    main.template.resourceCountIs('AWS::Lambda::Function', 1);
  });

  it('bundles a handler that boots as an ES module and rejects a bad event by naming the field', () => {
    // Prepare: the asset CDK staged for the function, as Lambda would unpack it.
    const fn = main.template.findResources('AWS::Lambda::Function');
    const key = Object.values(fn)[0]!.Properties.Code.S3Key as string;
    const bundle = join(main.app.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs');
    expect(existsSync(bundle), bundle).toBe(true);
    const script = `
      const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
      const context = { functionName: 'f', awsRequestId: 'r', memoryLimitInMB: '512', getRemainingTimeInMillis: () => 60000 };
      try { await handler({ scanId: 'x' }, context); } catch (e) { console.log('RESULT ' + JSON.stringify({ name: e.name, message: e.message })); }`;

    // Act: a clean Node process, with no AWS settings at all.
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '', AWS_EC2_METADATA_DISABLED: 'true' },
      encoding: 'utf8',
      timeout: 20_000,
    });

    // Assess
    const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, run.stderr).toBeDefined();
    expect(JSON.parse(line!.slice('RESULT '.length))).toEqual({
      name: 'InvalidInputError',
      message: 'Invalid scan-target input: target: Invalid input: expected object, received undefined',
    });
  });

  it('sends the function logs to its own log group, which has a retention', () => {
    const [logGroupId, logGroup] = Object.entries(main.template.findResources('AWS::Logs::LogGroup'))[0]!;
    expect(logGroup.Properties.RetentionInDays).toBe(90);
    expect(logGroup.DeletionPolicy).toBe('Retain');
    main.template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: logGroupId } },
    });
  });

  it('allows every action a check needs when the scanner reads its own account', () => {
    const allowed = new Set<string>([...SCANNER_READ_ACTIONS, ...SCANNER_PUBLIC_PARAMETER_ACTIONS]);
    const missing = checks
      .filter((c) => c.provider === 'aws')
      // `k8s:` needs are granted inside the cluster (an access entry), not by IAM.
      .flatMap((c) => c.needs.filter((n) => !n.startsWith('k8s:') && !allowed.has(n)).map((n) => `${c.id} ${n}`));
    expect(missing).toEqual([]);
  });

  it('lets the function do only what a scan needs, with no wildcard action and no managed policy', () => {
    const statements = statementsOf(main.template);
    const actions = statements.flatMap((s) => asArray(s.Action));
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    expect(new Set(actions)).toEqual(
      new Set([
        ...SCANNER_READ_ACTIONS,
        ...SCANNER_PUBLIC_PARAMETER_ACTIONS,
        'sts:AssumeRole',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
      ]),
    );
    const roles = Object.values(main.template.findResources('AWS::IAM::Role'));
    expect(roles).toHaveLength(1);
    expect(roles[0]!.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('assumes only the reader role, by name, in other accounts', () => {
    const assume = statementsOf(main.template).filter((s) => asArray(s.Action).includes('sts:AssumeRole'));
    expect(assume).toHaveLength(1);
    expect(asArray(assume[0]!.Action)).toEqual(['sts:AssumeRole']);
    expect(assume[0]!.Resource).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/KubepostureReader']],
    });
  });

  it('writes logs only to its own log group', () => {
    const logs = statementsOf(main.template).filter((s) => asArray(s.Action).some((a) => a.startsWith('logs:')));
    expect(logs).toHaveLength(1);
    const logGroupId = Object.keys(main.template.findResources('AWS::Logs::LogGroup'))[0];
    expect(logs[0]!.Resource).toEqual({ 'Fn::GetAtt': [logGroupId, 'Arn'] });
  });

  it('creates the function after the policies it needs are attached', () => {
    const fn = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::Function')!;
    const policyIds = Object.keys(main.template.findResources('AWS::IAM::Policy'));
    expect(fn.DependsOn).toEqual(expect.arrayContaining(policyIds));
  });

  it('assumes exact role ARNs when the config lists the accounts', () => {
    const { template, stack } = synth(
      {
        config: {
          aws: { accounts: [{ id: '111111111111' }, { id: '222222222222', roleName: 'LegacyAudit' }] },
        },
      },
      { bundle: false },
    );
    const assume = statementsOf(template).find((s) => asArray(s.Action).includes('sts:AssumeRole'))!;
    const resource = (account: string, role: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:role/${role}`]],
    });
    expect(assume.Resource).toEqual([
      resource('111111111111', 'KubepostureReader'),
      resource('222222222222', 'LegacyAudit'),
    ]);
    // Every read then goes through a reader role: the scanner needs nothing in its own account,
    // and with no wildcard left there is nothing for cdk-nag's IAM5 to flag.
    const actions = statementsOf(template).flatMap((s) => asArray(s.Action));
    expect(actions.filter((a) => a.startsWith('eks:') || a.startsWith('ec2:'))).toEqual([]);
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });

  it('uses the reader role name it is given, in IAM and in the function config', () => {
    const { template } = synth({ readerRoleName: 'PostureAudit' }, { bundle: false });
    const assume = statementsOf(template).find((s) => asArray(s.Action).includes('sts:AssumeRole'))!;
    expect(JSON.stringify(assume.Resource)).toContain(':iam::*:role/PostureAudit');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ KUBEPOSTURE_CONFIG: '{"aws":{"roleName":"PostureAudit"}}' }) },
    });
  });

  it('synthesizes the template it did last time (asset hashes aside)', () => {
    // The bundle's hash changes with any code change; the infrastructure should not.
    expect.addSnapshotSerializer({
      test: (v) => typeof v === 'string' && /^[a-f0-9]{64}\.zip$/.test(v),
      serialize: () => '"<asset-hash>.zip"',
    });
    expect(main.template.toJSON()).toMatchSnapshot();
  });

  it('caps concurrency when asked to', () => {
    const { template } = synth({ scanTargetConcurrency: 20 }, { bundle: false });
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 20 });
  });
});

describe('resolveScannerConfig', () => {
  it('refuses, at synth, a config with a bad field and names the field', () => {
    expect(() => resolveScannerConfig({ aws: { regions: ['mars-1'] } })).toThrow(/aws\.regions\[0\]/);
    expect(() => resolveScannerConfig({ concurrency: { targets: 0 } })).toThrow(ConfigError);
  });

  it('refuses a reader role name that disagrees with the config', () => {
    expect(() => resolveScannerConfig({ aws: { roleName: 'A' } }, 'B')).toThrow(/disagree/);
  });

  it('accepts the config as a JSON string, as CDK context from the command line gives it', () => {
    const { config, readerRoleNames } = resolveScannerConfig('{"aws":{"roleName":"Audit"}}');
    expect(config).toEqual({ aws: { roleName: 'Audit' } });
    expect(readerRoleNames).toEqual([{ accountId: '*', roleName: 'Audit' }]);
  });

  it('refuses a config that is not a JSON object', () => {
    expect(() => resolveScannerConfig('{nope')).toThrow(/not valid JSON/);
    expect(() => resolveScannerConfig([1, 2])).toThrow(/must be an object/);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged error or warning', () => {
    const report = new AwsSolutionsChecks(main.app).validateScope(main.stack);
    const open = report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath)}`);
    expect(open).toEqual([]);
  });

  it('has every acknowledgement beside the resource it excuses, with a real reason', () => {
    const acks: { path: string; id: string; reason: string; isResourceOwner: boolean }[] = [];
    const visit = (c: IConstruct) => {
      for (const entry of c.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          acks.push({
            path: c.node.path,
            id,
            reason,
            isResourceOwner: CfnResource.isCfnResource(c) || c.node.children.some(CfnResource.isCfnResource),
          });
        }
      }
      for (const child of c.node.children) visit(child);
    };
    visit(main.app);

    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect([main.app.node.path, main.stack.node.path], `${ack.id} is acknowledged app- or stack-wide`).not.toContain(
        ack.path,
      );
      expect(ack.isResourceOwner, `${ack.id} at ${ack.path} is not on a resource`).toBe(true);
      expect(ack.reason.length, `${ack.id} at ${ack.path} needs a reason`).toBeGreaterThanOrEqual(80);
    }
    expect(acks.map((a) => `${a.path} ${a.id.replace(/^\w+::/, '')}`).sort()).toEqual([
      'Scanner/AssumeReaderRolePolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/KubepostureReader]',
      'Scanner/ReadOwnAccountPolicy AwsSolutions-IAM5[Resource::*]',
      'Scanner/ReadOwnAccountPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:*::parameter/aws/service/*]',
      'Scanner/ScanTarget AwsSolutions-L1',
      'Scanner/ScanTargetRole AwsSolutions-IAM5[Resource::*]',
    ]);
  });
});
