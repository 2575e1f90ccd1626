import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, Duration, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  Architecture,
  Code,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { BUNDLE_ENTRY_FILE, bundleFunction, functionNodeOptions } from '../bundling.ts';

export interface ScannerFunctionProps {
  /** The handler's source file; it must export `handler`. */
  entry: string;
  description?: string;
  environment?: Record<string, string>;
  /** @default RetentionDays.THREE_MONTHS */
  logRetention?: RetentionDays;
  /** Encrypts the function's log group; its key policy must admit `logs.<region>.amazonaws.com`. */
  logEncryptionKey?: IKey;
  /** Caps how many copies run at once (and so the API calls they make). @default unreserved */
  reservedConcurrentExecutions?: number;
  /** @default 512 */
  memorySize?: number;
  /** A fixed role name, for roles other accounts trust by ARN (the member reader role). @default generated */
  roleName?: string;
  /** @default 5 minutes */
  timeout?: Duration;
  /** Node maps stack traces to the TypeScript sources (`--enable-source-maps`); costs cold-start time. @default false */
  sourceMaps?: boolean;
}

const RUNTIME = Runtime.NODEJS_22_X;

/**
 * The handler bundled by esbuild on this machine (stacks/bundling.ts), code-split so lazy imports stay out of the
 * cold start. Not NodejsFunction: it bundles to a single file (`--outfile`), which rules out code splitting.
 */
function bundledCode(entry: string): Code {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  return Code.fromAsset(root, {
    // Hash what is deployed, not the project tree (node_modules included) it was built from.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled or run: local bundling either succeeds or throws esbuild's error. The command names the entry
      // because CDK reuses a bundle within an app by source path and options, and `tryBundle` is not part of that key.
      image: RUNTIME.bundlingImage,
      command: ['esbuild', relative(root, entry)],
      local: {
        tryBundle(outputDir) {
          bundleFunction(entry, outputDir);
          return true;
        },
      },
    },
  });
}

/**
 * A kubeposture Lambda function with the house defaults: Node 22 on arm64, an ESM bundle built
 * locally by esbuild (minified, code-split, source maps as files), its own log group with a retention, X-Ray
 * tracing, and a role of its own that can write only to that log group. Callers add the
 * permissions the function needs with `addToRolePolicy` or `Policy` constructs.
 */
export class ScannerFunction extends LambdaFunction {
  constructor(scope: Construct, id: string, props: ScannerFunctionProps) {
    // Kept when the stack is deleted (the CDK default): a scanner's logs are part of its audit trail.
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      ...(props.logEncryptionKey ? { encryptionKey: props.logEncryptionKey } : {}),
    });
    // A role of our own: the default one carries the AWSLambdaBasicExecutionRole managed
    // policy, which may write to every log group in the account.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${id} function`,
      ...(props.roleName ? { roleName: props.roleName } : {}),
    });
    super(scope, id, {
      code: bundledCode(props.entry),
      handler: `${BUNDLE_ENTRY_FILE.replace(/\.mjs$/, '')}.handler`,
      description: props.description,
      runtime: RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.minutes(5),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        ...functionNodeOptions(props.sourceMaps ?? false),
        POWERTOOLS_SERVICE_NAME: 'kubeposture',
        ...props.environment,
      },
    });
    logGroup.grantWrite(role);

    const runtimeReason =
      'Pinned to nodejs22.x on purpose: the project develops, tests and bundles for Node 22 (package.json ' +
      'engines, esbuild target node22), and 22 is in standard Lambda support until 2027-04-30. Moving to ' +
      'nodejs24.x is a deliberate upgrade together with the toolchain, not a silent drift.';
    Validations.of(this).acknowledge(
      { id: 'AwsSolutions-L1', reason: runtimeReason },
      { id: 'Serverless-LambdaLatestVersion', reason: runtimeReason },
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'Never invoked asynchronously: Step Functions invokes plan, scan-target and finalize synchronously ' +
          '(the workflow retries and catches failures and records them on the scan run), API Gateway invokes ' +
          'the API function synchronously, and rescan is invoked by its SQS event source, whose queue has the ' +
          'dead-letter queue. A function dead-letter queue would never receive an event.',
      },
    );
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active X-Ray tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no ' +
        'resource-level permissions (Resource must be *). Logging is scoped to this function’s own log group.',
    });
  }
}
