import type { Insight, InsightSummary } from '@aws-sdk/client-eks';
import type { SimCluster } from '../fleet.ts';
import { findCluster, page } from './eks.ts';
import { AwsError, restJsonResponse } from './protocol.ts';
import type { RequestContext, Route } from './service.ts';

/** ListInsights' `filter`, as the SDK sends it in the JSON body. */
interface Filter {
  categories?: string[];
  kubernetesVersions?: string[];
  statuses?: string[];
}

function summaryOf(i: Insight): InsightSummary {
  const { recommendation: _r, additionalInfo: _a, resources: _res, categorySpecificSummary: _c, ...summary } = i;
  return summary;
}

/** ListInsights takes its paging and filter in a JSON body (POST), unlike EKS's other lists. */
function bodyOf(body: string): { filter?: Filter; maxResults?: number; nextToken?: string } {
  if (!body.trim()) return {};
  try {
    return JSON.parse(body) as { filter?: Filter; maxResults?: number; nextToken?: string };
  } catch {
    throw new AwsError(400, 'InvalidParameterException', 'The request body is not valid JSON.');
  }
}

/** The cluster, unless the spec refuses its insights to the scanner (`insightsDenied`), as IAM would. */
function insightsOf(name: string, action: string, ctx: RequestContext): SimCluster {
  const c = findCluster(name, ctx);
  if (c.insightsDenied)
    throw new AwsError(
      403,
      'AccessDeniedException',
      `User: ${ctx.principal.arn} is not authorized to perform: eks:${action} on resource: ${c.cluster.arn}`,
    );
  return c;
}

/** EKS cluster insights: listed in `routes` of sim/aws/eks.ts; the data comes from the spec's `insights:`. */
export const insightRoutes: Route[] = [
  {
    method: 'POST',
    path: ['clusters', '{name}', 'insights'],
    action: 'ListInsights',
    handler(p, req, ctx) {
      const c = insightsOf(p.name!, 'ListInsights', ctx);
      const { filter = {}, maxResults, nextToken } = bodyOf(req.body);
      const keep = (want: string[] | undefined, got: string | undefined) =>
        !want?.length || (got !== undefined && want.includes(got));
      const list = c.insights
        .filter(
          (i) =>
            keep(filter.categories, i.category) &&
            keep(filter.kubernetesVersions, i.kubernetesVersion) &&
            keep(filter.statuses, i.insightStatus?.status),
        )
        .map(summaryOf);
      // The shared pager reads maxResults and nextToken from the query string: hand it the body's.
      const url = new URL(req.url);
      if (maxResults !== undefined) url.searchParams.set('maxResults', String(maxResults));
      if (nextToken) url.searchParams.set('nextToken', nextToken);
      const key = `insights/${c.cluster.arn}/${JSON.stringify(filter)}`;
      const { items, nextToken: next } = page(list, key, { ...req, url }, ctx);
      return restJsonResponse({ insights: items, nextToken: next }, ctx.requestId);
    },
  },
  {
    method: 'GET',
    path: ['clusters', '{name}', 'insights', '{id}'],
    action: 'DescribeInsight',
    handler(p, _req, ctx) {
      const c = insightsOf(p.name!, 'DescribeInsight', ctx);
      const insight = c.insights.find((i) => i.id === p.id);
      if (!insight) {
        throw new AwsError(404, 'ResourceNotFoundException', `No insight found for id: ${p.id}.`, {
          clusterName: p.name,
        });
      }
      return restJsonResponse({ insight }, ctx.requestId);
    },
  },
];
