/**
 * The names of the EMF metrics the functions emit (namespace `kubeposture`, dimension `service=kubeposture`),
 * shared with the stack's alarms and dashboard so the two cannot drift apart. Plain data: the CDK app imports it.
 */
export const METRIC_NAMESPACE = 'kubeposture';
export const METRIC_SERVICE = 'kubeposture';

export const METRIC = {
  /** finalize, once per scan */
  scanCollectionErrors: 'ScanCollectionErrors',
  failedFindings: 'FailedFindings',
  targetsFailed: 'TargetsFailed',
  scanDuration: 'ScanDurationSeconds',
  findingsNew: 'FindingsNew',
  findingsRegressed: 'FindingsRegressed',
  findingsResolved: 'FindingsResolved',
  /** Publishing sinks (reports, Slack, e-mail, Security Hub) that failed in a scan. */
  publishFailures: 'PublishFailures',
  /** plan */
  targetsPlanned: 'TargetsPlanned',
  planningErrors: 'PlanningErrors',
} as const;
