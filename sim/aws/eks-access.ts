import type { SimCluster } from '../fleet.ts';
import { findCluster, page } from './eks.ts';
import { AwsError, restJsonResponse } from './protocol.ts';
import type { RequestContext, Route } from './service.ts';

/** What EKS answers an access-entry call on a cluster that still authenticates only through aws-auth. */
function requireAccessEntries(c: SimCluster): void {
  const mode = c.cluster.accessConfig?.authenticationMode ?? 'CONFIG_MAP';
  if (mode === 'CONFIG_MAP') {
    throw new AwsError(
      400,
      'InvalidRequestException',
      "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.",
      { clusterName: c.cluster.name },
    );
  }
}

function findEntry(clusterName: string, principalArn: string, ctx: RequestContext) {
  const c = findCluster(clusterName, ctx);
  requireAccessEntries(c);
  const found = c.accessEntries.find((e) => e.entry.principalArn === principalArn);
  if (!found) {
    throw new AwsError(
      404,
      'ResourceNotFoundException',
      `The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'.`,
      {
        clusterName,
      },
    );
  }
  return { c, found };
}

/** Access entries and Pod Identity associations: listed in `routes` of sim/aws/eks.ts. */
export const accessRoutes: Route[] = [
  {
    method: 'GET',
    path: ['clusters', '{name}', 'access-entries'],
    action: 'ListAccessEntries',
    handler(p, req, ctx) {
      const c = findCluster(p.name!, ctx);
      requireAccessEntries(c);
      const policy = req.url.searchParams.get('associatedPolicyArn');
      const arns = c.accessEntries
        .filter((e) => !policy || e.policies.some((x) => x.policyArn === policy))
        .map((e) => e.entry.principalArn!);
      const { items, nextToken } = page(arns, `access-entries/${c.cluster.arn}/${policy ?? ''}`, req, ctx);
      return restJsonResponse({ accessEntries: items, nextToken }, ctx.requestId);
    },
  },
  {
    method: 'GET',
    path: ['clusters', '{name}', 'access-entries', '{principalArn}'],
    action: 'DescribeAccessEntry',
    handler(p, _req, ctx) {
      return restJsonResponse({ accessEntry: findEntry(p.name!, p.principalArn!, ctx).found.entry }, ctx.requestId);
    },
  },
  {
    method: 'GET',
    path: ['clusters', '{name}', 'access-entries', '{principalArn}', 'access-policies'],
    action: 'ListAssociatedAccessPolicies',
    handler(p, req, ctx) {
      const { c, found } = findEntry(p.name!, p.principalArn!, ctx);
      const { items, nextToken } = page(found.policies, `access-policies/${c.cluster.arn}/${p.principalArn}`, req, ctx);
      return restJsonResponse(
        { clusterName: c.cluster.name, principalArn: p.principalArn, nextToken, associatedAccessPolicies: items },
        ctx.requestId,
      );
    },
  },
  {
    method: 'GET',
    path: ['clusters', '{name}', 'pod-identity-associations'],
    action: 'ListPodIdentityAssociations',
    handler(p, req, ctx) {
      const c = findCluster(p.name!, ctx);
      const ns = req.url.searchParams.get('namespace');
      const sa = req.url.searchParams.get('serviceAccount');
      const summaries = c.podIdentityAssociations
        .filter((a) => (!ns || a.namespace === ns) && (!sa || a.serviceAccount === sa))
        .map(({ clusterName, namespace, serviceAccount, associationArn, associationId, ownerArn }) => ({
          clusterName,
          namespace,
          serviceAccount,
          associationArn,
          associationId,
          ownerArn,
        }));
      const { items, nextToken } = page(summaries, `pod-identity/${c.cluster.arn}/${ns ?? ''}/${sa ?? ''}`, req, ctx);
      return restJsonResponse({ associations: items, nextToken }, ctx.requestId);
    },
  },
  {
    method: 'GET',
    path: ['clusters', '{name}', 'pod-identity-associations', '{associationId}'],
    action: 'DescribePodIdentityAssociation',
    handler(p, _req, ctx) {
      const c = findCluster(p.name!, ctx);
      const association = c.podIdentityAssociations.find((a) => a.associationId === p.associationId);
      if (!association) {
        throw new AwsError(
          404,
          'ResourceNotFoundException',
          `The specified association ${p.associationId} could not be found.`,
          {
            clusterName: p.name,
          },
        );
      }
      return restJsonResponse({ association }, ctx.requestId);
    },
  },
];
