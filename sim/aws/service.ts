import type { IncomingHttpHeaders } from 'node:http';
import type { SimFleet } from '../fleet.ts';
import type { IdentityStore, Principal } from './identity.ts';
import { AwsError, type AwsProtocol, awsJsonError, type ErrorShape, type SimResponse } from './protocol.ts';

/**
 * The contract between the router and one simulated AWS service. To add a service (IAM, SSM,
 * KMS, ...), write `sim/aws/<name>.ts` exporting an AwsService and list it in `sim/aws/router.ts`.
 */
export interface AwsService {
  /** The SigV4 signing name in the credential scope (`.../us-east-1/eks/aws4_request`). */
  signingName: string;
  /** For messages: EKS, STS, EC2. */
  title: string;
  protocol: AwsProtocol;
  /** Global services (STS, IAM) answer in any region; regional ones refuse an account's disabled opt-in regions. */
  regional: boolean;
  /**
   * What this service answers when the signing key is unknown, when a request is throttled, and when the
   * fleet denies the action to the account (`deniedActions`; default 403 AccessDeniedException).
   */
  errors: { unrecognizedClient: ErrorShape; throttled: ErrorShape; accessDenied?: ErrorShape };
  /** Names the operation a request asks for; unknown requests get an operation that answers 400 naming them. */
  route(req: AwsRequest): Operation;
  /** Renders an error in the service's protocol. */
  errorResponse(e: AwsError, requestId: string): SimResponse;
}

export interface Operation {
  /** The API action (`DescribeCluster`); for a request the sim cannot serve, what was asked. */
  action: string;
  run(req: AwsRequest, ctx: RequestContext): SimResponse | Promise<SimResponse>;
}

export interface AwsRequest {
  method: string;
  url: URL;
  /** Path segments, each percent-decoded. */
  segments: string[];
  headers: IncomingHttpHeaders;
  body: string;
  /** Query string parameters, plus the form body of query-protocol requests. */
  params: URLSearchParams;
  /** From the credential scope. */
  region: string;
  accessKeyId: string;
  requestId: string;
}

export interface ResolvedSimOptions {
  latencyMs: number;
  deniedAccounts: ReadonlySet<string>;
  suspendedAccounts: ReadonlySet<string>;
  maxPageSize: number;
}

export interface RequestContext {
  fleet: SimFleet;
  identities: IdentityStore;
  options: ResolvedSimOptions;
  /** Who signed the request; its account is whose data the request sees. */
  principal: Principal;
  region: string;
  requestId: string;
}

export type ActionHandler = (req: AwsRequest, ctx: RequestContext) => ReturnType<Operation['run']>;

/** An operation the simulator lacks: it answers 400 with the service's own code, naming what was asked and the file to add it to. */
export function notImplemented(action: string, code: string, message: string): Operation {
  return {
    action,
    run() {
      throw new AwsError(400, code, message);
    },
  };
}

/**
 * Routes a request by its action name: the `Action` parameter of query-protocol services (STS, EC2,
 * IAM, ...) unless `actionOf` says otherwise (awsJson's `X-Amz-Target`). An action the simulator
 * lacks answers 400 naming it and the file to add it to, so a gap is obvious.
 */
export function routeByAction(
  title: string,
  file: string,
  actions: Record<string, ActionHandler>,
  actionOf: (req: AwsRequest) => string = (req) => req.params.get('Action') ?? '(no Action)',
) {
  return (req: AwsRequest): Operation => {
    const action = actionOf(req);
    const run = actions[action];
    if (run) return { action, run };
    return notImplemented(
      action,
      'InvalidAction',
      `The simulated cloud does not implement ${title} action ${action} (see ${file}).`,
    );
  };
}

/**
 * A regional awsJson1.1 service (SSM, KMS): routed by `X-Amz-Target: <targetPrefix><Action>`, with the errors those
 * services share (an unknown signing key, throttling and a denied action are all 400s in the JSON shape).
 */
export function awsJson11Service(o: {
  signingName: string;
  title: string;
  file: string;
  targetPrefix: string;
  actions: Record<string, ActionHandler>;
}): AwsService {
  return {
    signingName: o.signingName,
    title: o.title,
    protocol: 'awsJson1_1',
    regional: true,
    errors: {
      unrecognizedClient: {
        status: 400,
        code: 'UnrecognizedClientException',
        message: 'The security token included in the request is invalid.',
      },
      throttled: { status: 400, code: 'ThrottlingException', message: 'Rate exceeded' },
      accessDenied: { status: 400, code: 'AccessDeniedException', message: '' },
    },
    route: routeByAction(o.title, o.file, o.actions, (req) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      return target.startsWith(o.targetPrefix)
        ? target.slice(o.targetPrefix.length)
        : `(X-Amz-Target ${target || 'missing'})`;
    }),
    errorResponse: (e, requestId) => awsJsonError(e, requestId),
  };
}

export type Params = Record<string, string>;
export type Handler = (p: Params, req: AwsRequest, ctx: RequestContext) => SimResponse;

/** A REST route: method, path with literal segments and `{name}` labels, the API action, its handler. */
export interface Route {
  method: string;
  path: string[];
  action: string;
  handler: Handler;
}

function match(route: Route, method: string, segments: string[]): Params | undefined {
  if (route.method !== method || route.path.length !== segments.length) return undefined;
  const params: Params = {};
  for (let i = 0; i < segments.length; i++) {
    const want = route.path[i]!;
    const got = segments[i]!;
    if (want.startsWith('{')) params[want.slice(1, -1)] = got;
    else if (want !== got) return undefined;
  }
  return params;
}

/** Routes a REST request (EKS, GuardDuty) through a route table; unknown paths answer 400 with `code`, naming the file. */
export function routeByPath(title: string, file: string, code: string, routes: readonly Route[]) {
  return (req: AwsRequest): Operation => {
    for (const r of routes) {
      const params = match(r, req.method, req.segments);
      if (params) return { action: r.action, run: (req, ctx) => r.handler(params, req, ctx) };
    }
    const what = `${req.method} ${req.url.pathname}`;
    return notImplemented(what, code, `The simulated cloud does not implement ${title} ${what} (see ${file}).`);
  };
}
