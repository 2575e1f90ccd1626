import type { SimCluster } from '../fleet.ts';
import { accessRoutes } from './eks-access.ts';
import { insightRoutes } from './eks-insights.ts';
import { versionRoutes } from './eks-versions.ts';
import { paginate } from './paging.ts';
import { AwsError, restJsonError, restJsonResponse } from './protocol.ts';
import { type AwsRequest, type AwsService, type RequestContext, type Route, routeByPath } from './service.ts';

export type { Handler, Params, Route } from './service.ts';

/** The largest `maxResults` the EKS list operations accept. */
const MAX_RESULTS = 100;

export function page<T>(items: readonly T[], listKey: string, req: AwsRequest, ctx: RequestContext) {
  return paginate(
    items,
    listKey,
    { maxResults: req.url.searchParams.get('maxResults'), nextToken: req.url.searchParams.get('nextToken') },
    { max: MAX_RESULTS, cap: ctx.options.maxPageSize },
  );
}

export function findCluster(name: string, ctx: RequestContext): SimCluster {
  const c = ctx.fleet.cluster(ctx.principal.accountId, ctx.region, name);
  if (!c) {
    throw new AwsError(404, 'ResourceNotFoundException', `No cluster found for name: ${name}.`, { clusterName: name });
  }
  return c;
}

const clusterRoutes: Route[] = [
  {
    method: 'GET',
    path: ['clusters'],
    action: 'ListClusters',
    handler(_p, req, ctx) {
      const names = ctx.fleet.clusters(ctx.principal.accountId, ctx.region).map((c) => c.cluster.name!);
      const { items, nextToken } = page(names, `clusters/${ctx.principal.accountId}/${ctx.region}`, req, ctx);
      return restJsonResponse({ clusters: items, nextToken }, ctx.requestId);
    },
  },
  {
    method: 'GET',
    path: ['clusters', '{name}'],
    action: 'DescribeCluster',
    handler: (p, _req, ctx) => restJsonResponse({ cluster: findCluster(p.name!, ctx).cluster }, ctx.requestId),
  },
  {
    method: 'GET',
    path: ['clusters', '{name}', 'node-groups'],
    action: 'ListNodegroups',
    handler(p, req, ctx) {
      const c = findCluster(p.name!, ctx);
      const { items, nextToken } = page(
        c.nodegroups.map((n) => n.nodegroupName!),
        `node-groups/${c.cluster.arn}`,
        req,
        ctx,
      );
      return restJsonResponse({ nodegroups: items, nextToken }, ctx.requestId);
    },
  },
  {
    method: 'GET',
    path: ['clusters', '{name}', 'node-groups', '{nodegroupName}'],
    action: 'DescribeNodegroup',
    handler(p, _req, ctx) {
      const c = findCluster(p.name!, ctx);
      const nodegroup = c.nodegroups.find((n) => n.nodegroupName === p.nodegroupName);
      if (!nodegroup) {
        throw new AwsError(404, 'ResourceNotFoundException', `No node group found for name: ${p.nodegroupName}.`, {
          clusterName: p.name,
          nodegroupName: p.nodegroupName,
        });
      }
      return restJsonResponse({ nodegroup }, ctx.requestId);
    },
  },
  {
    method: 'GET',
    path: ['clusters', '{name}', 'addons'],
    action: 'ListAddons',
    handler(p, req, ctx) {
      const c = findCluster(p.name!, ctx);
      const { items, nextToken } = page(
        c.addons.map((a) => a.addonName!),
        `addons/${c.cluster.arn}`,
        req,
        ctx,
      );
      return restJsonResponse({ addons: items, nextToken }, ctx.requestId);
    },
  },
  {
    method: 'GET',
    path: ['clusters', '{name}', 'addons', '{addonName}'],
    action: 'DescribeAddon',
    handler(p, _req, ctx) {
      const c = findCluster(p.name!, ctx);
      const addon = c.addons.find((a) => a.addonName === p.addonName);
      if (!addon) {
        throw new AwsError(404, 'ResourceNotFoundException', `No addon: ${p.addonName} found in cluster: ${p.name}`, {
          clusterName: p.name,
          addonName: p.addonName,
        });
      }
      return restJsonResponse({ addon }, ctx.requestId);
    },
  },
];

/**
 * Every EKS route. Each area of the API (access entries, pod identity, versions, ...) keeps its
 * routes in its own `sim/aws/eks-<area>.ts` and is listed here.
 */
const routes: Route[] = [...clusterRoutes, ...accessRoutes, ...versionRoutes, ...insightRoutes];

export const eks: AwsService = {
  signingName: 'eks',
  title: 'EKS',
  protocol: 'restJson1',
  regional: true,
  errors: {
    unrecognizedClient: {
      status: 403,
      code: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    },
    throttled: { status: 429, code: 'ThrottlingException', message: 'Rate exceeded' },
  },
  route: routeByPath('EKS', 'sim/aws/eks.ts', 'UnknownOperationException', routes),
  errorResponse: (e, requestId) => restJsonError(e, requestId),
};
