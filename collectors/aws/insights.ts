import { DescribeInsightCommand, type EKSClient, type Insight, paginateListInsights } from '@aws-sdk/client-eks';
import pLimit from 'p-limit';
import type { CollectionGap, EksInsightsFacts } from '../../core/snapshot.ts';
import { collectPages } from '../common/pages.ts';
import { eksNextToken, gap } from './eks.ts';

/** The gaps the insight checks turn into ERROR. */
export const INSIGHT_NEEDS = { list: 'eks:ListInsights', describe: 'eks:DescribeInsight' } as const;

/**
 * EKS cluster insights: every ListInsights page, unfiltered (all categories, so a category EKS adds later, such as
 * ROLLBACK_READINESS, is not silently dropped; all statuses, so a PASS can say how many insights EKS ran), then
 * DescribeInsight for each insight not PASSING (its recommendation, resources and deprecated API calls are only
 * there). Never throws: a failed list is an `eks:ListInsights` gap and undefined; a failed describe is an
 * `eks:DescribeInsight` gap naming the insights, so the checks say ERROR rather than judge a summary without detail.
 */
export async function collectInsights(
  eks: EKSClient,
  clusterName: string,
  gaps: CollectionGap[],
  options: { concurrency: number; maxPages?: number },
): Promise<EksInsightsFacts | undefined> {
  let summaries: EksInsightsFacts['summaries'];
  try {
    summaries = await collectPages(paginateListInsights({ client: eks }, { clusterName }), (p) => p.insights, {
      action: INSIGHT_NEEDS.list,
      nextToken: eksNextToken,
      ...(options.maxPages !== undefined ? { maxPages: options.maxPages } : {}),
    });
  } catch (e) {
    gaps.push(gap(INSIGHT_NEEDS.list, e));
    return undefined;
  }
  const limit = pLimit(options.concurrency);
  const details: Record<string, Insight> = {};
  const failures: string[] = [];
  let firstError: unknown;
  await Promise.all(
    summaries
      .filter((s) => s.insightStatus?.status !== 'PASSING' && s.id)
      .map((s) =>
        limit(async () => {
          try {
            const r = await eks.send(new DescribeInsightCommand({ clusterName, id: s.id! }));
            if (r.insight) details[s.id!] = r.insight;
          } catch (e) {
            // NotFound included: a listed insight not PASSING that cannot be read is not known to be fixed.
            failures.push(s.name ?? s.id!);
            firstError ??= e;
          }
        }),
      ),
  );
  if (failures.length > 0) {
    const g = gap(INSIGHT_NEEDS.describe, firstError);
    gaps.push({ ...g, error: `${g.error} (could not describe: ${failures.sort().join(', ')})` });
  }
  return { summaries, details };
}
