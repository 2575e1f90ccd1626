import { GetDetectorCommand, type GuardDutyClient, paginateListDetectors } from '@aws-sdk/client-guardduty';
import type { CollectionGap, GuardDutyFacts } from '../../core/snapshot.ts';
import { collectPages } from '../common/pages.ts';
import { classifyAwsError, describeAwsError } from './errors.ts';

export type GuardDutyResult = { facts: GuardDutyFacts } | { gap: CollectionGap };

/** GuardDuty's detectors and their features in one account and region; read once per target. Never rejects. */
export async function collectGuardDuty(client: GuardDutyClient, maxPages?: number): Promise<GuardDutyResult> {
  let ids: string[];
  try {
    ids = await collectPages(paginateListDetectors({ client }, {}), (p) => p.DetectorIds, {
      action: 'guardduty:ListDetectors',
      nextToken: (p) => (p as { NextToken?: string }).NextToken,
      maxPages,
    });
  } catch (e) {
    return { gap: { need: 'guardduty:ListDetectors', code: classifyAwsError(e), error: describeAwsError(e) } };
  }
  try {
    const detectors = await Promise.all(
      ids.map(async (detectorId) => ({
        ...(await client.send(new GetDetectorCommand({ DetectorId: detectorId }))),
        detectorId,
      })),
    );
    return { facts: { detectors: detectors.map(({ $metadata: _m, ...d }) => d) } };
  } catch (e) {
    return { gap: { need: 'guardduty:GetDetector', code: classifyAwsError(e), error: describeAwsError(e) } };
  }
}
