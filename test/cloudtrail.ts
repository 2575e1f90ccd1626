import { readFileSync } from 'node:fs';

/**
 * The CloudTrail fixtures (test/data/cloudtrail/<EventName>.json), one per event name the event path forwards, as
 * EventBridge delivers them (`detail-type: AWS API Call via CloudTrail`). Shapes follow the EKS API reference (the
 * cluster is the URI parameter `name`), the EKS user guide's CloudTrail sample and Stratus Red Team's detonation
 * records; the account, regions and clusters are the sample fleet's (sim/fleets/sample.yaml).
 */
export function cloudTrailFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`data/cloudtrail/${name}.json`, import.meta.url), 'utf8'));
}
