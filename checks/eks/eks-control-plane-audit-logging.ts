import { defineCheck } from '../../core/check.ts';
import { EKS_LOG_TYPES } from '../../core/config.ts';
import { clusterResult, list, missingField } from './lib/results.ts';

const DOCUMENTED: readonly string[] = EKS_LOG_TYPES;

/**
 * Stable order for messages and evidence: the order EKS documents the log types in, then any other type
 * alphabetically. Without sorting the known types: this runs several times per cluster.
 */
function ordered(types: Iterable<string>): string[] {
  const set = types instanceof Set ? (types as Set<string>) : new Set(types);
  const out = DOCUMENTED.filter((t) => set.has(t));
  if (out.length < set.size) {
    out.push(...[...set].filter((t) => !DOCUMENTED.includes(t)).sort((a, b) => a.localeCompare(b)));
  }
  return out;
}

export default defineCheck({
  id: 'EKS.LOGGING.1',
  slug: 'eks-control-plane-audit-logging',
  title: 'EKS control plane sends the required log types (audit and authenticator by default) to CloudWatch Logs',
  provider: 'aws',
  service: 'eks',
  severity: 'medium',
  category: 'logging',
  needs: ['eks:DescribeCluster'],
  reads: ['eks:DescribeCluster cluster.logging.clusterLogging[].{types,enabled}'],
  frameworks: { 'cis-eks-1.8': ['2.1.1'], securityhub: ['EKS.8'] },
  risk: 'Control-plane logs are off by default. Without the audit log there is no record of who read secrets, changed RBAC or exec-ed into pods; without the authenticator log, Kubernetes usernames cannot be traced back to the IAM principals that used them. Incidents on the cluster cannot be investigated after the fact.',
  remediation: {
    text: 'Enable the required control-plane log types (by default audit and authenticator), and set a retention period on the /aws/eks/<cluster>/cluster log group. The required types are set in the scan configuration under checks.logging.requiredTypes.',
    cli: 'aws eks update-cluster-config --name <cluster> --logging \'{"clusterLogging":[{"types":["audit","authenticator"],"enabled":true}]}\'',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html',
    'https://docs.aws.amazon.com/eks/latest/APIReference/API_LogSetup.html',
    'https://docs.aws.amazon.com/securityhub/latest/userguide/eks-controls.html',
  ],
  severityRationale:
    'Medium: missing logs do not expose the cluster by themselves, but they remove detection and forensics for every other weakness; this matches Security Hub EKS.8.',
  evaluate(s, ctx) {
    const cluster = s.cluster;
    if (!cluster) return [missingField(s, 'cluster', 'control-plane logging')];
    const required = ordered(ctx.settings.logging.requiredTypes);
    const entries = cluster.logging?.clusterLogging ?? [];

    // EKS returns enabled and disabled types as separate LogSetup entries, in no promised order:
    // read every entry, and a type is enabled if any entry enables it.
    const enabled = new Set<string>();
    const disabled = new Set<string>();
    for (const e of entries) for (const t of e.types ?? []) (e.enabled === true ? enabled : disabled).add(t);
    const conflicting = ordered([...disabled].filter((t) => enabled.has(t)));
    const enabledList = ordered(enabled);
    const missing = required.filter((t) => !enabled.has(t));
    const evidence = {
      requiredTypes: required,
      enabledTypes: enabledList,
      disabledTypes: ordered([...disabled].filter((t) => !enabled.has(t))),
      missingTypes: missing,
      logSetupEntries: entries.length,
      ...(conflicting.length > 0 ? { conflictingTypes: conflicting } : {}),
    };

    if (entries.length === 0) {
      const where = cluster.logging ? 'logging.clusterLogging is empty' : 'logging is not configured';
      return [
        clusterResult(
          s,
          'FAIL',
          `No control-plane logging: ${where}, so ${list(required)} logs are not sent to CloudWatch Logs`,
          evidence,
        ),
      ];
    }
    if (missing.length > 0) {
      return [
        clusterResult(
          s,
          'FAIL',
          `Control-plane log types not enabled: ${list(missing)} (enabled: ${list(enabledList)})`,
          evidence,
        ),
      ];
    }
    return [
      clusterResult(
        s,
        'PASS',
        `Required control-plane log types are enabled: ${list(required)} (enabled: ${list(enabledList)})`,
        evidence,
      ),
    ];
  },
});
