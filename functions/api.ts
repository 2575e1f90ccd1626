import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpEventNormalizer from '@middy/http-event-normalizer';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import * as z from 'zod';
import { readableErrors, zodIssues } from '../core/config.ts';
import { FINDINGS_FILE, FINDINGS_INDEX_FILE, type ScanReport } from '../core/report.ts';
import { newScanId } from '../core/scan.ts';
import type { FindingsIndex } from '../publish/artifacts.ts';
import { bucketFromEnv, envObjects, envRuns, lazy, tableFromEnv } from './env.ts';
import {
  BadPageTokenError,
  type FindingsQuery,
  FindingsQuerySchema,
  indexedFindingsQuery,
  reportFindingsQuery,
} from './findings-query.ts';
import { type ObjectStore, scanKeys } from './objects.ts';
import { logger, metrics } from './powertools.ts';
import { SCAN_ID, type ScanFilter, ScanFilterSchema, scopesOverlap } from './scan-request.ts';
import { runTime, ScanAdmissionBusyError, type ScanRun, type ScanRuns } from './scan-runs.ts';

/** An error the client may see: status, a JSON body and any headers. Anything else becomes a bare 500. */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly expose = true;
  constructor(
    readonly statusCode: number,
    body: { error: string; message: string; issues?: { path: string; message: string }[]; [k: string]: unknown },
    readonly headers: Record<string, string> = {},
  ) {
    super(JSON.stringify(body));
  }
}

/** Paths name fields of the request (header or parameter names included): long ones are cut, not echoed whole. */
const clip = (s: string) => (s.length > 100 ? `${s.slice(0, 100)}…` : s);
/** A request with more problems than this gets the first ones and a count. */
const MAX_ISSUES = 10;

/** 400 naming each bad field and the rule it broke, never the value sent. */
function badRequest(where: string, error: z.ZodError): HttpError {
  const all = zodIssues(error).map((i) => ({
    path: clip(i.path === '(root)' ? where : `${where}.${i.path}`),
    message: i.message,
  }));
  const issues = all.slice(0, MAX_ISSUES);
  const more = all.length > MAX_ISSUES ? `; … and ${all.length - MAX_ISSUES} more` : '';
  return new HttpError(400, {
    error: 'BadRequest',
    message: `Invalid ${where}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}${more}`,
    issues,
  });
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value, { error: readableErrors });
  if (!r.success) throw badRequest(where, r.error);
  return r.data;
}

const STRING_MAP = z.record(z.string(), z.string());
const LIST_MAP = z.record(z.string(), z.array(z.string()));

/**
 * The parts of an API Gateway REST (v1) proxy event the handler reads, checked before anything reads them: a
 * test invocation, a misconfigured integration or a hand-made event gets a 400 naming the field, never a 500.
 * Null maps are what API Gateway sends for "none".
 */
export const ApiEventSchema = z.looseObject({
  httpMethod: z.string().regex(/^[A-Z]{1,16}$/, 'an HTTP method in capitals, like GET'),
  path: z.string().max(2048, 'at most 2048 characters').regex(/^\//, 'a path starting with /'),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().nullish(),
  headers: STRING_MAP.nullish(),
  multiValueHeaders: LIST_MAP.nullish(),
  queryStringParameters: STRING_MAP.nullish(),
  multiValueQueryStringParameters: LIST_MAP.nullish(),
  pathParameters: STRING_MAP.nullish(),
});

/** Runs first, so the normalizers and the routes only ever see an event of the right shape. */
const validateEvent = {
  before: (request: { event: unknown }) => {
    parseWith(ApiEventSchema, request.event, 'event');
  },
};

/** `POST /scans` bodies are a small filter; anything near this size is not one. */
export const MAX_BODY_CHARS = 64 * 1024;

type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
interface Route {
  method: 'GET' | 'POST';
  path: string;
  handler: Handler;
}

/**
 * Routes by path, then method: no route for the path is 404, a route for another method is 405 with `Allow`.
 * `{name}` matches one path segment and becomes `pathParameters.name`; a trailing slash is ignored.
 */
function router(routes: Route[]): Handler {
  const compiled = routes.map((r) => ({
    ...r,
    // Built from the route table in this file, never from a request.
    pattern: new RegExp(`^${r.path.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}/?$`),
  }));
  return async (event) => {
    const matches = compiled.flatMap((r) => {
      const m = r.pattern.exec(event.path);
      return m ? [{ route: r, params: m.groups ?? {} }] : [];
    });
    if (matches.length === 0) throw new HttpError(404, { error: 'NotFound', message: 'No such resource' });
    const hit = matches.find((m) => m.route.method === event.httpMethod);
    if (!hit) {
      const allow = [...new Set(matches.map((m) => m.route.method))].join(', ');
      throw new HttpError(
        405,
        { error: 'MethodNotAllowed', message: `This resource allows ${allow}` },
        { Allow: allow },
      );
    }
    event.pathParameters = { ...(event.pathParameters ?? {}), ...hit.params };
    return hit.route.handler(event);
  };
}

const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers },
  body: JSON.stringify(body),
});

/** `Idempotency-Key` (IETF draft): a client-chosen token, e.g. a UUID. */
const IDEMPOTENCY_KEY = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{8,128}$/, '8 to 128 letters, digits, dot, dash, underscore or colon');

/** The body of `POST /scans`: an optional filter, nothing else. */
export const StartScanBodySchema = ScanFilterSchema;

export interface StartedScan {
  scanId: string;
  requestedAt: string;
}

export interface ApiDeps {
  runs: ScanRuns;
  findings: FindingsQuery;
  /** Starts the state machine with execution name = scan id (a second start of the same id is refused by Step Functions). */
  startExecution(scanId: string, input: { scanId: string; trigger: 'api'; filter?: ScanFilter }): Promise<void>;
  /**
   * Runs `start` at most once per key (for 24 h): a retry with the same key gets the first answer.
   * The same key with a different filter is a client bug: IdempotencyValidationError (422).
   */
  once(key: string, filter: ScanFilter | undefined, start: () => Promise<StartedScan>): Promise<StartedScan>;
  clock: () => Date;
  /** The results bucket, for report links. */
  bucket: string;
}

export function makeApiRoutes(deps: ApiDeps) {
  async function start(filter: ScanFilter | undefined): Promise<StartedScan> {
    const now = deps.clock();
    const scanId = newScanId(now);
    const requestedAt = now.toISOString();
    const run: ScanRun = { scanId, status: 'QUEUED', trigger: 'api', requestedAt, ...(filter ? { filter } : {}) };
    let admitted: Awaited<ReturnType<ScanRuns['admit']>>;
    try {
      admitted = await deps.runs.admit(run, { now, blocks: (active) => scopesOverlap(filter, active.filter) });
    } catch (e) {
      if (!(e instanceof ScanAdmissionBusyError)) throw e;
      throw new HttpError(
        503,
        { error: 'Busy', message: 'Another scan request is being admitted; retry in a second' },
        { 'Retry-After': '1' },
      );
    }
    if (admitted.conflict) throw conflict(admitted.conflict);
    try {
      await deps.startExecution(scanId, { scanId, trigger: 'api', ...(filter ? { filter } : {}) });
    } catch (e) {
      // A run that never started must not block the next request until it ages out.
      await deps.runs
        .update(scanId, { status: 'FAILED', finishedAt: deps.clock().toISOString(), failure: { error: 'StartFailed' } })
        .catch((err) => logger.error('Could not mark the scan failed', err instanceof Error ? err : String(err)));
      throw e;
    }
    logger.info('Scan started', { scanId, filter });
    return { scanId, requestedAt };
  }

  /** 409 naming the running scan a new one would overlap. */
  function conflict(active: ScanRun): HttpError {
    const since = runTime(active)?.toISOString();
    return new HttpError(409, {
      error: 'ScanInProgress',
      message:
        `Scan ${active.scanId} is ${active.status}${since ? ` since ${since}` : ''} over an overlapping scope ` +
        '(providers, accounts and regions in common); wait for it to finish, or narrow the filter to what it does not cover',
      scanId: active.scanId,
      links: { scan: `/scans/${active.scanId}` },
    });
  }

  async function postScans(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    let raw: unknown = {};
    if (typeof event.body === 'string' && event.body.length > MAX_BODY_CHARS) {
      throw new HttpError(413, {
        error: 'PayloadTooLarge',
        message: `The body must be at most ${MAX_BODY_CHARS} bytes`,
      });
    }
    if (typeof event.body === 'string' && event.body.trim() !== '') {
      const type = event.headers?.['content-type'] ?? '';
      if (!/^application\/json\b/i.test(type)) {
        throw new HttpError(415, { error: 'UnsupportedMediaType', message: 'The body must be application/json' });
      }
      try {
        raw = JSON.parse(event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body);
      } catch {
        throw new HttpError(400, { error: 'BadRequest', message: 'Invalid body: not valid JSON' });
      }
    }
    const body = parseWith(StartScanBodySchema, raw, 'body');
    const filter = Object.keys(body).length > 0 ? body : undefined;
    const keyHeader = event.headers?.['idempotency-key'];
    const key = keyHeader === undefined ? undefined : parseWith(IDEMPOTENCY_KEY, keyHeader, 'header.Idempotency-Key');
    const started = key ? await deps.once(key, filter, () => start(filter)) : await start(filter);
    return json(
      202,
      {
        scanId: started.scanId,
        status: 'QUEUED',
        requestedAt: started.requestedAt,
        links: { self: `/scans/${started.scanId}` },
      },
      { Location: `/scans/${started.scanId}` },
    );
  }

  async function getScan(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const scanId = parseWith(SCAN_ID, event.pathParameters?.id, 'path.id');
    const run = await deps.runs.get(scanId);
    if (!run) throw new HttpError(404, { error: 'NotFound', message: `No scan ${scanId}` });
    const { executionId: _internal, failure, reportKey, ...shown } = run;
    return json(200, {
      ...shown,
      ...(failure ? { failure: { error: failure.error } } : {}),
      ...(reportKey ? { report: { s3Uri: `s3://${deps.bucket}/${reportKey}` } } : {}),
      // SKIPPED: the scan whose overlapping scope kept this one from starting.
      ...(run.blockedBy ? { links: { blockedBy: `/scans/${run.blockedBy}` } } : {}),
    });
  }

  async function getFindings(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const query = parseWith(FindingsQuerySchema, event.queryStringParameters ?? {}, 'query');
    let page: Awaited<ReturnType<FindingsQuery['list']>>;
    try {
      page = await deps.findings.list(query);
    } catch (e) {
      if (e instanceof BadPageTokenError) {
        throw new HttpError(400, {
          error: 'BadRequest',
          message: `Invalid query: nextToken: ${e.message}`,
          issues: [{ path: 'query.nextToken', message: e.message }],
        });
      }
      throw e;
    }
    return json(200, page ?? { scanId: null, items: [] });
  }

  return [
    { method: 'POST', path: '/scans', handler: postScans },
    { method: 'GET', path: '/scans/{id}', handler: getScan },
    { method: 'GET', path: '/findings', handler: getFindings },
  ] satisfies Route[];
}

/** Maps the idempotency layer's refusals to HTTP; anything else stays a 500 with no detail. */
const idempotencyErrors = {
  onError: (request: { error?: unknown; response?: unknown }) => {
    const name = (request.error as { name?: string } | undefined)?.name;
    if (name === 'IdempotencyValidationError') {
      request.error = new HttpError(422, {
        error: 'IdempotencyKeyReused',
        message: 'This Idempotency-Key was used with a different body',
      });
    } else if (name === 'IdempotencyAlreadyInProgressError') {
      request.error = new HttpError(409, {
        error: 'RequestInProgress',
        message: 'A request with this Idempotency-Key is still being processed; retry later',
      });
    }
  },
};

const logHttpError = {
  onError: (request: { error?: unknown }) => {
    const e = request.error;
    if (e instanceof HttpError) logger.warn('Request refused', { statusCode: e.statusCode, body: e.message });
    else logger.error('Request failed', e instanceof Error ? e : String(e));
  },
};

/**
 * The API handler: routes, header and event normalisation, and error handling so that a client
 * sees either its own mistake (4xx, naming the field) or `{"error":"InternalError"}`, never an internal.
 */
export function makeApiHandler(deps: ApiDeps) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(registerIdempotencyContext)
    .use(logMetrics(metrics))
    .use(
      httpErrorHandler({
        logger: false,
        fallbackMessage: JSON.stringify({ error: 'InternalError', message: 'Internal error' }),
      }),
    )
    .use(logHttpError)
    .use(validateEvent)
    .use(httpHeaderNormalizer())
    .use(httpEventNormalizer())
    .use(idempotencyErrors)
    .handler(router(makeApiRoutes(deps)) as never);
}

/**
 * One per container. The handler registers each invocation's Lambda context on it, so an in-progress record expires
 * with the invocation: without it, a start cut short by a timeout would block its key for the full 24 hours
 * (Powertools then warns "Could not determine remaining time left").
 */
const idempotencyConfig = new IdempotencyConfig({
  eventKeyJmesPath: 'key',
  payloadValidationJmesPath: 'filter',
  expiresAfterSeconds: 24 * 3600,
});

const registerIdempotencyContext = {
  before: (request: { context: Context }) => idempotencyConfig.registerLambdaContext(request.context),
};

/** Idempotency records share the state table (`pk = IDEMPOTENCY`, `sk = <hash>`), with its TTL attribute. */
export function idempotentStarts(persistenceStore: DynamoDBPersistenceLayer): ApiDeps['once'] {
  const config = idempotencyConfig;
  const run = makeIdempotent(
    async (request: { key: string; filter: ScanFilter | null; start: () => Promise<StartedScan> }) => request.start(),
    { persistenceStore, config },
  );
  return (key, filter, start) => run({ key, filter: filter ?? null, start });
}

export function idempotencyStore(client: DynamoDBClient, tableName: string): DynamoDBPersistenceLayer {
  return new DynamoDBPersistenceLayer({
    tableName,
    awsSdkV3Client: client,
    keyAttr: 'pk',
    sortKeyAttr: 'sk',
    staticPkValue: 'IDEMPOTENCY',
    expiryAttr: 'expiresAt',
  });
}

/**
 * The newest finished scan's findings, from the results bucket: pages of `report.findings.jsonl` through its index
 * (written by finalize); a scan archived before the index existed is read from its `report.json`.
 */
export function latestReportFindings(runs: ScanRuns, objects: ObjectStore): FindingsQuery {
  const latestScanId = async () => (await runs.latestFullScan())?.scanId;
  const file = (scanId: string, name: string) => `${scanKeys.prefix(scanId)}${name}`;
  return indexedFindingsQuery({
    latestScanId,
    async index(scanId) {
      const text = await objects.get(file(scanId, FINDINGS_INDEX_FILE));
      return text === undefined ? undefined : (JSON.parse(text) as FindingsIndex);
    },
    read: (scanId, start, end) => objects.range(file(scanId, FINDINGS_FILE), start, end),
    fallback: reportFindingsQuery({
      latestScanId,
      async findingsOf(scanId) {
        const text = await objects.get(scanKeys.report(scanId));
        return text === undefined ? undefined : (JSON.parse(text) as ScanReport).findings;
      },
    }),
  });
}

const envDynamo = lazy(() => new DynamoDBClient({}));
const envSfn = lazy(() => new SFNClient({}));
const envOnce = lazy(() => idempotentStarts(idempotencyStore(envDynamo(), tableFromEnv())));

export const defaultDeps: ApiDeps = {
  get runs() {
    return envRuns();
  },
  get findings() {
    return latestReportFindings(envRuns(), envObjects());
  },
  async startExecution(scanId, input) {
    const stateMachineArn = process.env.KUBEPOSTURE_STATE_MACHINE_ARN;
    if (!stateMachineArn) throw new Error('KUBEPOSTURE_STATE_MACHINE_ARN is not set');
    await envSfn().send(new StartExecutionCommand({ stateMachineArn, name: scanId, input: JSON.stringify(input) }));
  },
  get once() {
    return envOnce();
  },
  clock: () => new Date(),
  get bucket() {
    return bucketFromEnv();
  },
};

export const handler = makeApiHandler(defaultDeps);
