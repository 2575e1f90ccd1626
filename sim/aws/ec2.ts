import { DEFAULT_REGIONS, isOptInRegion, OPT_IN_REGIONS } from '../fleet.ts';
import { AwsError, ec2Error, ec2Response } from './protocol.ts';
import { type ActionHandler, type AwsRequest, type AwsService, type RequestContext, routeByAction } from './service.ts';

const XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/** `Name.1`, `Name.2`, ... as a list. */
function listParam(params: URLSearchParams, name: string): string[] {
  const out: string[] = [];
  for (let i = 1; params.has(`${name}.${i}`); i++) out.push(params.get(`${name}.${i}`)!);
  return out;
}

function filters(params: URLSearchParams): { name: string; values: string[] }[] {
  const out: { name: string; values: string[] }[] = [];
  for (let i = 1; params.has(`Filter.${i}.Name`); i++) {
    out.push({ name: params.get(`Filter.${i}.Name`)!, values: listParam(params, `Filter.${i}.Value`) });
  }
  return out;
}

function describeRegions(req: AwsRequest, ctx: RequestContext) {
  const enabled = ctx.fleet.enabledRegions(ctx.principal.accountId);
  const all = req.params.get('AllRegions') === 'true';
  const known = new Set<string>([...DEFAULT_REGIONS, ...OPT_IN_REGIONS, ...enabled]);
  let regions = all ? [...known] : [...enabled];
  const names = listParam(req.params, 'RegionName');
  if (names.length > 0) {
    const unknown = names.filter((n) => !known.has(n));
    if (unknown.length > 0)
      throw new AwsError(400, 'InvalidParameterValue', `Invalid region names: ${unknown.join(', ')}`);
    regions = regions.filter((r) => names.includes(r));
  }
  const info = regions.map((r) => ({
    regionName: r,
    regionEndpoint: `ec2.${r}.amazonaws.com`,
    optInStatus: !enabled.includes(r) ? 'not-opted-in' : isOptInRegion(r) ? 'opted-in' : 'opt-in-not-required',
  }));
  const fields: Record<string, (i: (typeof info)[number]) => string> = {
    'region-name': (i) => i.regionName,
    endpoint: (i) => i.regionEndpoint,
    'opt-in-status': (i) => i.optInStatus,
  };
  let result = info;
  for (const f of filters(req.params)) {
    const get = fields[f.name];
    if (!get) throw new AwsError(400, 'InvalidParameterValue', `The filter '${f.name}' is invalid`);
    result = result.filter((i) => f.values.includes(get(i)));
  }
  return ec2Response('DescribeRegions', XMLNS, { regionInfo: result }, ctx.requestId);
}

const ACTIONS: Record<string, ActionHandler> = {
  DescribeRegions: describeRegions,
};

export const ec2: AwsService = {
  signingName: 'ec2',
  title: 'EC2',
  protocol: 'ec2Query',
  regional: true,
  errors: {
    // EC2 answers unknown keys with 401 AuthFailure, not InvalidClientTokenId.
    unrecognizedClient: {
      status: 401,
      code: 'AuthFailure',
      message: 'AWS was not able to validate the provided access credentials',
    },
    throttled: { status: 503, code: 'RequestLimitExceeded', message: 'Request limit exceeded.' },
  },
  route: routeByAction('EC2', 'sim/aws/ec2.ts', ACTIONS),
  errorResponse: (e, requestId) => ec2Error(e, requestId),
};
