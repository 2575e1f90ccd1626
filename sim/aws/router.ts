import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AWS_PAGED_ACTIONS,
  awsRequestToken,
  awsWithToken,
  type FaultInjector,
  type FaultKind,
  type Paging,
  requestFingerprint,
  stripFaultTokens,
} from '../faults.ts';
import { isOptInRegion, type SimFleet } from '../fleet.ts';
import { ec2 } from './ec2.ts';
import { eks } from './eks.ts';
import { guardduty } from './guardduty.ts';
import { iam } from './iam.ts';
import type { IdentityStore, Principal } from './identity.ts';
import { kms } from './kms.ts';
import { organizations } from './organizations.ts';
import { AwsError, awsError, awsQueryError, type ErrorShape, restJsonError, type SimResponse } from './protocol.ts';
import { s3 } from './s3.ts';
import type { AwsRequest, AwsService, RequestContext, ResolvedSimOptions } from './service.ts';
import { ssm } from './ssm.ts';
import { sts } from './sts.ts';
import type { TokenBuckets } from './throttle.ts';

/** The services one endpoint serves, by SigV4 signing name. Add a service here. */
export const AWS_SERVICES: readonly AwsService[] = [sts, eks, ec2, iam, ssm, guardduty, organizations, s3, kms];

/** One request the simulated cloud answered, for tests and benchmarks. */
export interface SimCall {
  /** Signing name from the credential scope: sts, eks, ec2 (`?` when the request was unsigned). */
  service: string;
  /** The API action (DescribeCluster); for requests the sim cannot serve, what was asked. */
  action: string;
  /** Whose data the request saw: the account of the signing key (undefined when the key was unknown). */
  accountId?: string;
  region?: string;
  status: number;
  /** The AWS error code when the answer was an error (AccessDenied, ThrottlingException, ...). */
  errorCode?: string;
  /** The fault the simulator injected instead of (or into) the answer (sim/faults.ts). */
  fault?: FaultKind;
  /** Refused by the `throttle` option's token bucket (the answer is the service's throttling error). */
  throttled?: true;
  /** What was asked (`requestFingerprint`: method, URL, body), the same for a retry of the same request. */
  request?: string;
}

/** What each service answers for an internal failure (the `server-error` fault), by signing name. */
export const AWS_SERVER_ERRORS: Readonly<Record<string, ErrorShape>> = {
  sts: { status: 500, code: 'InternalFailure', message: 'An internal error occurred.' },
  iam: {
    status: 500,
    code: 'ServiceFailure',
    message: 'The request processing has failed because of an unknown error.',
  },
  eks: { status: 500, code: 'ServerException', message: 'An internal error occurred. Try again later.' },
  ec2: { status: 503, code: 'Unavailable', message: 'The server is overloaded and cannot handle the request.' },
  ssm: { status: 500, code: 'InternalServerError', message: 'An error occurred on the server side.' },
  guardduty: {
    status: 500,
    code: 'InternalServerErrorException',
    message: 'The request failed due to an internal error.',
  },
  organizations: { status: 500, code: 'ServiceException', message: 'AWS Organizations cannot process the request.' },
  kms: { status: 500, code: 'KMSInternalException', message: 'An internal error occurred.' },
  s3: { status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' },
};

export interface AwsRouterDeps {
  fleet: SimFleet;
  identities: IdentityStore;
  options: ResolvedSimOptions;
  /** Throttling: the buckets, and which services they apply to (all when undefined). */
  throttle?: { buckets: TokenBuckets; services?: ReadonlySet<string> };
  record(call: SimCall): void;
  services?: readonly AwsService[];
  /** The fault layer every answer passes through (none: answers are written as they are). */
  faults?: FaultInjector;
}

const SCOPE = /Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;
/** API request bodies are small; S3 takes objects (up to 5 GiB a PUT): the sim holds one 8 MiB upload part and more. */
const MAX_BODY = 1 << 20;
const MAX_S3_BODY = 32 << 20;

interface Scope {
  accessKeyId: string;
  region: string;
  service: string;
}

function scopeOf(req: IncomingMessage, url: URL): Scope | undefined {
  const auth = req.headers.authorization ?? `Credential=${url.searchParams.get('X-Amz-Credential') ?? ''}`;
  const m = SCOPE.exec(auth);
  return m ? { accessKeyId: m[1]!, region: m[3]!, service: m[4]! } : undefined;
}

async function readBody(req: IncomingMessage, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new AwsError(413, 'RequestEntityTooLarge', `Request body over ${max >> 20} MiB.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** An error for a request no service claims: JSON for JSON clients, awsQuery XML otherwise. */
function genericError(req: IncomingMessage, e: AwsError, requestId: string): SimResponse {
  return /json/.test(req.headers['content-type'] ?? '')
    ? restJsonError(e, requestId)
    : awsQueryError(e, 'https://kubeposture.dev/sim/', requestId);
}

function authenticate(service: AwsService, req: AwsRequest, identities: IdentityStore): Principal {
  const principal = identities.get(req.accessKeyId);
  const token = req.headers['x-amz-security-token'] ?? req.url.searchParams.get('X-Amz-Security-Token') ?? undefined;
  if (!principal || principal.sessionToken !== token) throw awsError(service.errors.unrecognizedClient);
  return principal;
}

/** The node:http request listener for every simulated AWS service. */
export function createAwsHandler(deps: AwsRouterDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const services = new Map((deps.services ?? AWS_SERVICES).map((s) => [s.signingName, s]));

  /** What `answer` learned about the request, for the fault layer. */
  interface Answered {
    service?: AwsService;
    requestToken?: string;
  }

  async function answer(req: IncomingMessage, requestId: string, call: SimCall, seen: Answered): Promise<SimResponse> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const scope = scopeOf(req, url);
    const body = await readBody(req, scope?.service === 's3' ? MAX_S3_BODY : MAX_BODY);
    call.request = requestFingerprint(req.method, req.url, body);
    if (!scope) {
      const e = new AwsError(403, 'MissingAuthenticationToken', 'Request is missing a SigV4 Authorization header.');
      call.errorCode = e.code;
      return genericError(req, e, requestId);
    }
    call.service = scope.service;
    call.region = scope.region;
    const service = services.get(scope.service);
    seen.service = service;
    if (!service) {
      const e = new AwsError(
        400,
        'UnknownService',
        `The simulated cloud does not serve AWS service '${scope.service}' (signed for ${scope.region}/${scope.service}). ` +
          `Serving: ${[...services.keys()].join(', ')}; add it in sim/aws/router.ts.`,
      );
      call.errorCode = e.code;
      return genericError(req, e, requestId);
    }

    let segments: string[];
    try {
      segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      segments = [];
    }
    const params = new URLSearchParams(url.search);
    if (/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) {
      for (const [k, v] of new URLSearchParams(body)) params.append(k, v);
    }
    const areq: AwsRequest = {
      method: req.method ?? 'GET',
      url,
      segments,
      headers: req.headers,
      body,
      params,
      region: scope.region,
      accessKeyId: scope.accessKeyId,
      requestId,
    };
    const op = service.route(areq);
    call.action = op.action;
    // A page token the fault layer minted names the first page again (repeat-token): the service never sees it.
    const stripped = stripFaultTokens(areq);
    areq.body = stripped.body;
    seen.requestToken = stripped.token ?? awsRequestToken(areq);
    try {
      const principal = authenticate(service, areq, deps.identities);
      call.accountId = principal.accountId;
      if (
        service.regional &&
        isOptInRegion(scope.region) &&
        !deps.fleet.enabledRegions(principal.accountId).includes(scope.region)
      ) {
        // What AWS does in an opt-in region the account has not enabled.
        throw awsError(service.errors.unrecognizedClient);
      }
      const t = deps.throttle;
      if (t && (!t.services || t.services.has(service.signingName))) {
        if (!t.buckets.take(`${principal.accountId}/${scope.region}/${service.signingName}`)) {
          call.throttled = true;
          throw awsError(service.errors.throttled);
        }
      }
      const action = `${service.signingName}:${op.action}`;
      if (deps.fleet.denies(principal.accountId, action)) {
        const shape = service.errors.accessDenied ?? { status: 403, code: 'AccessDeniedException', message: '' };
        throw new AwsError(
          shape.status,
          shape.code,
          `User: ${principal.arn} is not authorized to perform: ${action} (denied by the fleet spec)`,
        );
      }
      const ctx: RequestContext = {
        fleet: deps.fleet,
        identities: deps.identities,
        options: deps.options,
        principal,
        region: scope.region,
        requestId,
      };
      return await op.run(areq, ctx);
    } catch (e) {
      const err =
        e instanceof AwsError
          ? e
          : new AwsError(500, 'InternalFailure', `Simulated cloud bug in ${service.title} ${op.action}: ${String(e)}`);
      call.errorCode = err.code;
      return service.errorResponse(err, requestId);
    }
  }

  function paging(service: AwsService, action: string, requestToken: string | undefined): Paging | undefined {
    if (!AWS_PAGED_ACTIONS[service.signingName]?.includes(action)) return undefined;
    return {
      ...(requestToken ? { requestToken } : {}),
      withToken: (body, token) => awsWithToken(service.protocol, action, body, token),
    };
  }

  return (req, res) => {
    const requestId = randomUUID();
    const call: SimCall = { service: '?', action: '?', status: 0 };
    const seen: Answered = {};
    answer(req, requestId, call, seen)
      .catch((e: unknown) => {
        const err = e instanceof AwsError ? e : new AwsError(500, 'InternalFailure', String(e));
        call.errorCode = err.code;
        return genericError(req, err, requestId);
      })
      .then(async (response) => {
        if (deps.options.latencyMs > 0) await sleep(deps.options.latencyMs);
        const service = seen.service;
        if (!deps.faults || !service) {
          call.status = response.status;
          deps.record(call);
          res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(response.body) });
          res.end(response.body);
          return;
        }
        const fail = (shape: ErrorShape) => ({
          code: shape.code,
          response: service.errorResponse(awsError(shape), requestId),
        });
        const pages = paging(service, call.action, seen.requestToken);
        deps.faults.deliver({
          cloud: 'aws',
          protocol: service.protocol,
          req,
          res,
          call,
          response,
          errors: {
            throttled: () => fail(service.errors.throttled),
            serverError: () =>
              fail(AWS_SERVER_ERRORS[service.signingName] ?? { status: 500, code: 'InternalFailure', message: '' }),
          },
          ...(pages ? { paging: pages } : {}),
          record: deps.record,
        });
      })
      .catch(() => {
        res.destroy();
      });
  };
}
