/**
 * Names the functions and the stack share, so the two cannot drift apart. Plain data: the CDK app imports it.
 *
 * The EMF metrics the functions emit (namespace `kubeposture`, dimension `service=kubeposture`), which the stack's
 * alarms and dashboard read.
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
  /** 1 when a scheduled scan was not started because another scan covered an overlapping scope, else 0. */
  scansSkipped: 'ScansSkipped',
  /** rescan, once per SQS batch (issue 14): events received, refused (dead-lettered), ignored; clusters rescanned, failed. */
  rescanEvents: 'RescanEvents',
  rescanInvalidEvents: 'RescanInvalidEvents',
  rescanIgnoredEvents: 'RescanIgnoredEvents',
  rescanClusters: 'RescanClusters',
  rescanFailedClusters: 'RescanFailedClusters',
} as const;

/**
 * The results-bucket object where finalize records its last complete Security Hub import; the stack lets
 * finalize read and write exactly this key when Security Hub is enabled.
 */
export const SECURITY_HUB_IMPORT_KEY = 'latest/securityhub-import.json';
