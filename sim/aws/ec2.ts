import { DEFAULT_REGIONS, isOptInRegion, OPT_IN_REGIONS, type SimInstance } from '../fleet.ts';
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

function clustersHere(ctx: RequestContext) {
  return ctx.fleet.clusters(ctx.principal.accountId, ctx.region);
}

/** By `LaunchTemplateId` or `LaunchTemplateName`, the versions asked for (`LaunchTemplateVersion.N`), or all. */
function describeLaunchTemplateVersions(req: AwsRequest, ctx: RequestContext) {
  const id = req.params.get('LaunchTemplateId');
  const name = req.params.get('LaunchTemplateName');
  if (!id === !name) {
    throw new AwsError(400, 'MissingParameter', 'Specify either LaunchTemplateId or LaunchTemplateName.');
  }
  const template = clustersHere(ctx)
    .flatMap((c) => c.launchTemplates)
    .find((t) => (id ? t.launchTemplateId === id : t.launchTemplateName === name));
  if (!template) {
    throw new AwsError(
      400,
      id ? 'InvalidLaunchTemplateId.NotFound' : 'InvalidLaunchTemplateName.NotFoundException',
      `The specified launch template, with ${id ? `template ID ${id}` : `template name ${name}`}, does not exist.`,
    );
  }
  const versions = listParam(req.params, 'LaunchTemplateVersion');
  const wanted = versions.map((v) => (v === '$Latest' || v === '$Default' ? String(template.versionNumber) : v));
  if (wanted.some((v) => v !== String(template.versionNumber))) {
    throw new AwsError(
      400,
      'InvalidLaunchTemplateId.VersionNotFound',
      `Could not find launch template version ${wanted.join(', ')}.`,
    );
  }
  const item = {
    launchTemplateId: template.launchTemplateId,
    launchTemplateName: template.launchTemplateName,
    versionNumber: template.versionNumber,
    createTime: template.createTime,
    createdBy: `arn:aws:iam::${ctx.principal.accountId}:role/terraform`,
    defaultVersion: true,
    launchTemplateData: {
      imageId: template.imageId,
      metadataOptions: { state: 'applied', ...template.metadataOptions },
    },
  };
  return ec2Response('DescribeLaunchTemplateVersions', XMLNS, { launchTemplateVersionSet: [item] }, ctx.requestId);
}

/** By `ImageId.N`; unknown ids are simply absent (the AMI was deregistered or is not shared). */
function describeImages(req: AwsRequest, ctx: RequestContext) {
  const ids = listParam(req.params, 'ImageId');
  const images = ctx.fleet.account(ctx.principal.accountId)?.images ?? [];
  const found = images.filter((i) => i.region === ctx.region && (ids.length === 0 || ids.includes(i.imageId)));
  const imagesSet = found.map((i) => ({
    imageId: i.imageId,
    imageLocation: `${i.ownerId}/${i.name}`,
    imageState: 'available',
    imageOwnerId: i.ownerId,
    creationDate: i.creationDate,
    isPublic: false,
    architecture: 'x86_64',
    imageType: 'machine',
    name: i.name,
    rootDeviceType: 'ebs',
    virtualizationType: 'hvm',
  }));
  return ec2Response('DescribeImages', XMLNS, { imagesSet }, ctx.requestId);
}

/** EC2's code for each instance state (the low byte of `instanceState.code`). */
const INSTANCE_STATE_CODES: Record<SimInstance['state'], number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

/**
 * Filters `tag-key`, `tag:<key>` and `instance-state-name`, each matching any of its values (EC2 ORs a filter's
 * values and ANDs the filters); one reservation per instance.
 */
function describeInstances(req: AwsRequest, ctx: RequestContext) {
  let instances = clustersHere(ctx).flatMap((c) => c.selfManagedNodes);
  for (const f of filters(req.params)) {
    if (f.name === 'tag-key') instances = instances.filter((i) => f.values.some((v) => v in i.tags));
    else if (f.name.startsWith('tag:')) {
      const key = f.name.slice(4);
      instances = instances.filter((i) => key in i.tags && f.values.includes(i.tags[key]!));
    } else if (f.name === 'instance-state-name') instances = instances.filter((i) => f.values.includes(i.state));
    else throw new AwsError(400, 'InvalidParameterValue', `The filter '${f.name}' is invalid`);
  }
  const reservationSet = instances.map((i) => ({
    reservationId: `r-${i.instanceId.slice(2)}`,
    ownerId: ctx.principal.accountId,
    instancesSet: [
      {
        instanceId: i.instanceId,
        imageId: i.imageId,
        instanceState: { code: INSTANCE_STATE_CODES[i.state], name: i.state },
        instanceType: i.instanceType,
        launchTime: i.launchTime,
        architecture: 'x86_64',
        tagSet: Object.entries(i.tags).map(([key, value]) => ({ key, value })),
        metadataOptions: { state: 'applied', httpEndpoint: 'enabled', ...i.metadataOptions },
      },
    ],
  }));
  return ec2Response('DescribeInstances', XMLNS, { reservationSet }, ctx.requestId);
}

const ACTIONS: Record<string, ActionHandler> = {
  DescribeRegions: describeRegions,
  DescribeLaunchTemplateVersions: describeLaunchTemplateVersions,
  DescribeImages: describeImages,
  DescribeInstances: describeInstances,
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
    accessDenied: { status: 403, code: 'UnauthorizedOperation', message: '' },
  },
  route: routeByAction('EC2', 'sim/aws/ec2.ts', ACTIONS),
  errorResponse: (e, requestId) => ec2Error(e, requestId),
};
