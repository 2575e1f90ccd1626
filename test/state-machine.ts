/**
 * Runs the state machine a synthesized stack defines, locally, with `aws-local-stepfunctions` (an
 * Amazon States Language engine): its Choice, Fail, Task, Retry, Catch, InputPath/Parameters/ResultPath
 * and context-object (`$$.Execution.Id`) semantics are the engine's, on the definition from the template.
 *
 * What the engine does not have, and what stands in for it here (nothing else is adapted):
 * - Task resources: Lambda function ARNs run the function's handler in process (the engine's
 *   `taskResourceLocalHandlers`), with a JSON round trip and a Lambda context, as Lambda does; the
 *   `arn:aws:states:::dynamodb:updateItem` integration sends the resolved Parameters to DynamoDB as
 *   UpdateItem. Any other resource fails the run before it starts.
 * - The Distributed Map (`ProcessorConfig.Mode: DISTRIBUTED`): the engine runs only inline maps over
 *   an array in the state input, fails on the first failed item and has no ItemReader or ResultWriter.
 *   `distributedMap` below replaces the Map with a Task that keeps its InputPath, ResultPath, Retry and
 *   Catch (so the engine still routes its output and its failure), and does the map run's part: reads the
 *   item list with S3 GetObject (ItemReader, JSON), runs each item as a child execution of the engine
 *   over the ItemProcessor (MaxConcurrency at once), applies ToleratedFailurePercentage/Count (the run
 *   fails with `States.ExceedToleratedFailureThreshold`), writes the children's results with S3 PutObject
 *   as ResultWriter does (`<Prefix>/<map run id>/manifest.json`, `SUCCEEDED_0.json`, `FAILED_0.json`),
 *   and returns what a Map with a ResultWriter returns: `{ MapRunArn, ResultWriterDetails }`.
 */
import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import {
  type RunOptions as EngineRunOptions,
  ExecutionError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import pLimit from 'p-limit';
import type { S3PolicyStatement } from '../sim/aws/s3.ts';
import { aLambdaContext } from './lambda-context.ts';

// ---------------------------------------------------------------------------------------------
// The template

export type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

/**
 * Resolves CloudFormation intrinsics (`Ref`, `Fn::GetAtt`, `Fn::Join`) to local values; `refs` maps a
 * logical id or pseudo parameter (and `Id.Attribute` for GetAtt). Anything unknown throws, naming it.
 */
export function resolveIntrinsics(value: unknown, refs: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, refs));
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  const lookup = (name: string) => {
    const v = refs[name];
    if (v === undefined) throw new Error(`Cannot resolve ${name} in the template (add it to the test's refs)`);
    return v;
  };
  if (keys.length === 1 && keys[0] === 'Ref') return lookup(o.Ref as string);
  if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
    const [id, attr] = o['Fn::GetAtt'] as [string, string];
    return lookup(`${id}.${attr}`);
  }
  if (keys.length === 1 && keys[0] === 'Fn::Join') {
    const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => resolveIntrinsics(p, refs)).join(sep);
  }
  if (keys.length === 1 && keys[0]!.startsWith('Fn::')) throw new Error(`Unsupported intrinsic ${keys[0]}`);
  return Object.fromEntries(keys.map((k) => [k, resolveIntrinsics(o[k], refs)]));
}

/** A role's name: its `RoleName`, or (CloudFormation would generate one) its logical id. */
export const roleName = (template: Template, roleId: string) =>
  (template.Resources[roleId]?.Properties?.RoleName as string | undefined) ?? roleId;

/** The role a resource runs as: `Role` (Lambda) or `RoleArn` (state machine), `Fn::GetAtt [role, Arn]`. */
export function roleOf(template: Template, logicalId: string): { logicalId: string; roleName: string } {
  const props = template.Resources[logicalId]?.Properties ?? {};
  const ref = (props.Role ?? props.RoleArn) as { 'Fn::GetAtt'?: [string, string] } | undefined;
  const roleId = ref?.['Fn::GetAtt']?.[0];
  if (!roleId) throw new Error(`${logicalId} has no role given as Fn::GetAtt`);
  return { logicalId: roleId, roleName: roleName(template, roleId) };
}

/**
 * The S3 statements of a role's policies (inline and AWS::IAM::Policy), resolved: what the simulated
 * S3 checks that role's requests against. Statements on other services are left out.
 */
export function s3StatementsOf(template: Template, roleLogicalId: string, refs: Record<string, string>) {
  const docs: unknown[] = [];
  for (const r of Object.values(template.Resources)) {
    const p = r.Properties ?? {};
    if (
      r.Type === 'AWS::IAM::Policy' &&
      (p.Roles as unknown[]).some((x) => (x as { Ref?: string }).Ref === roleLogicalId)
    ) {
      docs.push(p.PolicyDocument);
    }
  }
  const role = template.Resources[roleLogicalId]?.Properties ?? {};
  for (const p of (role.Policies as { PolicyDocument: unknown }[] | undefined) ?? []) docs.push(p.PolicyDocument);
  const statements: S3PolicyStatement[] = [];
  for (const doc of docs) {
    for (const s of (doc as { Statement: Record<string, unknown>[] }).Statement) {
      const actions = ([] as string[]).concat(s.Action as string | string[]);
      if (!actions.some((a) => a.startsWith('s3:') || a === '*')) continue;
      statements.push(resolveIntrinsics(s, refs) as S3PolicyStatement);
    }
  }
  return statements;
}

// ---------------------------------------------------------------------------------------------
// The engine

type Definition = { StartAt: string; States: Record<string, State>; TimeoutSeconds?: number };
type State = Record<string, unknown> & { Type: string };

export interface LambdaFunction {
  name: string;
  /** The function's timeout: the context's remaining time at the start of each invocation. */
  timeoutMs: number;
  handler: (event: unknown, context: Context) => Promise<unknown>;
}

export interface EngineDeps {
  /** Function ARN (as the definition names it) → the handler that runs for it. */
  lambdas: Record<string, LambdaFunction>;
  /** For `arn:aws:states:::dynamodb:*` tasks, with the state machine role's access. */
  dynamodb: DynamoDBClient;
  /** S3 as the state machine role: the Distributed Map's ItemReader and ResultWriter. */
  s3: S3Client;
  stateMachineArn: string;
}

export interface ChildExecution {
  status: 'SUCCEEDED' | 'FAILED';
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
}

type Handlers = NonNullable<NonNullable<EngineRunOptions['overrides']>['taskResourceLocalHandlers']>;
type Handler = (input: unknown) => Promise<unknown>;
/** The engine's types describe every state exactly; definitions here come from JSON. */
const engine = (def: Definition, validate = false) =>
  new StateMachine(
    def as unknown as StateMachineDefinition,
    validate ? {} : { validationOptions: { noValidate: true } },
  );
const asHandlers = (h: Record<string, Handler>) => h as unknown as Handlers;

const DYNAMO_UPDATE = /^arn:aws[a-z-]*:states:::dynamodb:updateItem$/;
const MAP_TASK_RESOURCE = 'arn:aws:lambda:us-east-1:000000000000:function:local-distributed-map';

/** Handlers for every Task of a definition (and of nested ItemProcessors), by state name; unknown resources throw. */
function taskHandlers(
  def: Definition,
  deps: EngineDeps,
  handlers: Record<string, (input: unknown) => Promise<unknown>>,
) {
  for (const [name, state] of Object.entries(def.States)) {
    if (state.Type === 'Map') continue; // replaced by the adapter
    if (state.Type !== 'Task') continue;
    const resource = String(state.Resource);
    if (resource === MAP_TASK_RESOURCE) continue;
    if (name in handlers) throw new Error(`Two Task states are named ${name}`);
    const fn = deps.lambdas[resource];
    if (fn) {
      handlers[name] = async (input) => {
        // Lambda hands the function parsed JSON and serializes what it returns.
        const event = JSON.parse(JSON.stringify(input)) as unknown;
        const out = await fn.handler(event, aLambdaContext(fn.name, fn.timeoutMs));
        return out === undefined ? null : (JSON.parse(JSON.stringify(out)) as unknown);
      };
    } else if (DYNAMO_UPDATE.test(resource)) {
      handlers[name] = async (input) => {
        const out = await deps.dynamodb.send(new UpdateItemCommand(input as UpdateItemCommandInput));
        const { $metadata: _m, ...rest } = out;
        return rest;
      };
    } else {
      throw new Error(`Task ${name}: no local handler for resource ${resource}`);
    }
  }
  return handlers;
}

const MAP_FIELDS = new Set([
  'Type',
  'Next',
  'End',
  'Comment',
  'InputPath',
  'OutputPath',
  'ResultPath',
  'ResultSelector',
  'Retry',
  'Catch',
  'Label',
  'ItemReader',
  'ItemProcessor',
  'MaxConcurrency',
  'ToleratedFailurePercentage',
  'ToleratedFailureCount',
  'ResultWriter',
]);

/** The Distributed Map as a Task the engine routes, whose handler does the map run (see the file comment). */
function distributedMap(name: string, state: State, deps: EngineDeps, run: RunOptions) {
  const unsupported = Object.keys(state).filter(
    (k) => !MAP_FIELDS.has(k) && !(k === 'QueryLanguage' && state[k] === 'JSONPath'),
  );
  if (unsupported.length > 0)
    throw new Error(`Map ${name}: the local adapter does not support ${unsupported.join(', ')}`);
  const reader = state.ItemReader as { Resource: string; ReaderConfig?: Record<string, unknown>; Parameters: object };
  if (!/^arn:aws[a-z-]*:states:::s3:getObject$/.test(reader.Resource) || reader.ReaderConfig?.InputType !== 'JSON') {
    throw new Error(`Map ${name}: only the S3 GetObject JSON item reader is supported`);
  }
  if (Object.keys(reader.ReaderConfig).some((k) => k !== 'InputType')) {
    throw new Error(`Map ${name}: ReaderConfig ${JSON.stringify(reader.ReaderConfig)} is not supported`);
  }
  const writer = state.ResultWriter as
    | { Resource?: string; Parameters: { Bucket: string; Prefix?: string } }
    | undefined;
  if (writer?.Resource && !/^arn:aws[a-z-]*:states:::s3:putObject$/.test(writer.Resource)) {
    throw new Error(`Map ${name}: ResultWriter ${writer.Resource} is not supported`);
  }
  const { ProcessorConfig, ...processor } = state.ItemProcessor as Definition & { ProcessorConfig?: { Mode?: string } };
  if (ProcessorConfig?.Mode !== 'DISTRIBUTED') throw new Error(`Map ${name} is not a Distributed Map`);
  const child = engine(processor);
  const childHandlers = taskHandlers(processor, deps, {});

  const task: State = {
    Type: 'Task',
    Resource: MAP_TASK_RESOURCE,
    // The engine resolves the reader's Parameters (`Key.$`) against the state's effective input.
    Parameters: reader.Parameters,
  };
  for (const k of [
    'Next',
    'End',
    'Comment',
    'InputPath',
    'OutputPath',
    'ResultPath',
    'ResultSelector',
    'Retry',
    'Catch',
  ]) {
    if (k in state) task[k] = state[k];
  }

  const handler = async (location: unknown) => {
    const { Bucket, Key } = location as { Bucket: string; Key: string };
    const got = await deps.s3.send(new GetObjectCommand({ Bucket, Key }));
    const items = JSON.parse((await got.Body?.transformToString()) ?? 'null') as unknown;
    if (!Array.isArray(items))
      throw Object.assign(new Error(`s3://${Bucket}/${Key} is not a JSON array`), { name: 'States.ItemReaderFailed' });

    const mapRunId = randomUUID();
    const machineName = deps.stateMachineArn.split(':').at(-1);
    const mapRunArn = `${deps.stateMachineArn.replace(':stateMachine:', ':mapRun:')}/${state.Label ?? name}:${mapRunId}`;
    const limit = pLimit(Number(state.MaxConcurrency) || 1000);
    const children: ChildExecution[] = await Promise.all(
      items.map((item, index) =>
        limit(async (): Promise<ChildExecution> => {
          const executionName = `${mapRunId}_${index}`;
          const execution = child.run(item as never, {
            overrides: {
              taskResourceLocalHandlers: asHandlers(childHandlers),
              retryIntervalOverrides: run.retryIntervalOverrides,
            },
            context: {
              Execution: {
                Id: `arn:aws:states:us-east-1:000000000000:execution:${machineName}/${name}:${executionName}`,
                Name: executionName,
              },
            },
          });
          try {
            return { status: 'SUCCEEDED', input: item, output: await execution.result };
          } catch (e) {
            const cause = e instanceof ExecutionError ? (e.cause as Error) : (e as Error);
            return { status: 'FAILED', input: item, error: cause.name, cause: cause.message };
          }
        }),
      ),
    );

    let resultWriterDetails: { Bucket: string; Key: string } | undefined;
    if (writer) {
      const prefix = `${writer.Parameters.Prefix ? `${writer.Parameters.Prefix.replace(/\/$/, '')}/` : ''}${mapRunId}/`;
      const files: Record<'SUCCEEDED' | 'FAILED' | 'PENDING', { Key: string; Size: number }[]> = {
        FAILED: [],
        PENDING: [],
        SUCCEEDED: [],
      };
      for (const status of ['SUCCEEDED', 'FAILED'] as const) {
        const records = children
          .map((c, i) => ({ c, i }))
          .filter(({ c }) => c.status === status)
          .map(({ c, i }) => ({
            ExecutionArn: `${deps.stateMachineArn.replace(':stateMachine:', ':execution:')}/${name}:${mapRunId}_${i}`,
            Input: JSON.stringify(c.input),
            InputDetails: { Included: true },
            Name: `${mapRunId}_${i}`,
            ...(status === 'SUCCEEDED'
              ? { Output: JSON.stringify(c.output), OutputDetails: { Included: true } }
              : { Error: c.error, Cause: c.cause }),
            Status: status,
          }));
        if (records.length === 0) continue;
        const body = JSON.stringify(records);
        const key = `${prefix}${status}_0.json`;
        await deps.s3.send(
          new PutObjectCommand({
            Bucket: writer.Parameters.Bucket,
            Key: key,
            Body: body,
            ContentType: 'application/json',
          }),
        );
        files[status].push({ Key: key, Size: Buffer.byteLength(body) });
      }
      const manifest = { DestinationBucket: writer.Parameters.Bucket, MapRunArn: mapRunArn, ResultFiles: files };
      resultWriterDetails = { Bucket: writer.Parameters.Bucket, Key: `${prefix}manifest.json` };
      await deps.s3.send(
        new PutObjectCommand({
          ...resultWriterDetails,
          Body: JSON.stringify(manifest),
          ContentType: 'application/json',
        }),
      );
    }

    const failed = children.filter((c) => c.status === 'FAILED').length;
    const pct = state.ToleratedFailurePercentage as number | undefined;
    const count = state.ToleratedFailureCount as number | undefined;
    const exceeded =
      (pct !== undefined && items.length > 0 && (failed / items.length) * 100 > pct) ||
      (count !== undefined && failed > count) ||
      (pct === undefined && count === undefined && failed > 0);
    if (exceeded) {
      throw Object.assign(new Error('The specified tolerated failure threshold was exceeded'), {
        name: 'States.ExceedToleratedFailureThreshold',
      });
    }
    // Without a ResultWriter the children's outputs are the Map's output.
    return resultWriterDetails
      ? { MapRunArn: mapRunArn, ResultWriterDetails: resultWriterDetails }
      : children.map((c) => c.output);
  };
  return { task, handler };
}

export interface RunOptions {
  /** Retry pauses, by state name (ms): the definition's are seconds long. */
  retryIntervalOverrides?: Record<string, number>;
}

export interface Execution {
  executionArn: string;
  /** The execution's output, or the error it failed with. */
  output?: unknown;
  error?: { name: string; message: string };
}

/**
 * Validates the definition with the engine (JSONPaths, ARNs, reachable states), then runs it once with
 * `input`, as StartExecution would (the context object carries the execution's ARN and name).
 */
export async function runDefinition(
  definition: Definition,
  input: unknown,
  deps: EngineDeps,
  run: RunOptions = {},
): Promise<Execution> {
  engine(definition, true); // throws on an invalid definition, before any adaptation
  const states: Record<string, State> = {};
  const handlers: Record<string, Handler> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (
      state.Type === 'Map' &&
      (state.ItemProcessor as { ProcessorConfig?: { Mode?: string } })?.ProcessorConfig?.Mode === 'DISTRIBUTED'
    ) {
      const { task, handler } = distributedMap(name, state, deps, run);
      states[name] = task;
      handlers[name] = handler;
    } else {
      states[name] = state;
    }
  }
  const adapted: Definition = { ...definition, States: states };
  taskHandlers(adapted, deps, handlers);
  const machine = engine(adapted);
  const name = randomUUID();
  const executionArn = `${deps.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: asHandlers(handlers), retryIntervalOverrides: run.retryIntervalOverrides },
    context: {
      Execution: { Id: executionArn, Name: name },
      StateMachine: { Id: deps.stateMachineArn, Name: deps.stateMachineArn.split(':').at(-1) },
    },
  });
  try {
    const output: unknown = await execution.result;
    return { executionArn, output } satisfies Execution;
  } catch (e) {
    const cause = e instanceof ExecutionError ? (e.cause as Error) : (e as Error);
    return { executionArn, error: { name: cause.name, message: cause.message } } satisfies Execution;
  }
}
