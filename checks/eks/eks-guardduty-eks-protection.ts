import { defineCheck } from '../../core/check.ts';
import { clusterResult, list, missingField } from './lib/results.ts';

type Feature = { Name?: string; Status?: string; AdditionalConfiguration?: { Name?: string; Status?: string }[] };

const on = (f: Feature | undefined) => f?.Status === 'ENABLED';

export default defineCheck({
  id: 'EKS.LOGGING.2',
  slug: 'eks-guardduty-eks-protection',
  title: 'GuardDuty monitors EKS audit logs and node runtime in the cluster account and region',
  provider: 'aws',
  service: 'guardduty',
  severity: 'medium',
  category: 'logging',
  needs: ['eks:DescribeCluster', 'guardduty:ListDetectors', 'guardduty:GetDetector'],
  reads: [
    'guardduty:GetDetector Status, Features[].{Name,Status} (EKS_AUDIT_LOGS, RUNTIME_MONITORING / EKS_RUNTIME_MONITORING, AdditionalConfiguration EKS_ADDON_MANAGEMENT)',
    'eks:DescribeAddon aws-guardduty-agent (runtime agent present)',
  ],
  frameworks: {},
  risk: 'Control-plane audit logs only help if someone reads them. GuardDuty EKS audit log monitoring flags anonymous access, known-malicious callers, privileged pods and credential misuse; runtime monitoring catches crypto miners, reverse shells and container escapes on nodes. With either off, these attacks go unnoticed.',
  remediation: {
    text: 'Enable GuardDuty in the account and region with EKS Protection (audit log monitoring) and Runtime Monitoring, letting GuardDuty manage the EKS security agent add-on. In an organization, enable it from the delegated administrator for all member accounts.',
    cli: 'aws eks create-addon --cluster-name <cluster> --addon-name aws-guardduty-agent',
    url: 'https://docs.aws.amazon.com/guardduty/latest/ug/kubernetes-protection.html',
  },
  references: [
    'https://docs.aws.amazon.com/guardduty/latest/ug/kubernetes-protection.html',
    'https://docs.aws.amazon.com/guardduty/latest/ug/runtime-monitoring.html',
    'https://docs.aws.amazon.com/guardduty/latest/APIReference/API_GetDetector.html',
  ],
  severityRationale:
    'Medium when GuardDuty or its EKS audit log monitoring is off (no threat detection on the control plane); low when only runtime monitoring is missing on the nodes.',
  evaluate(s) {
    if (!s.cluster) return [missingField(s, 'cluster', 'GuardDuty EKS protection')];
    const gd = s.guardDuty;
    if (!gd)
      return [
        clusterResult(
          s,
          'ERROR',
          'Cannot evaluate GuardDuty EKS protection: GuardDuty was not read for this account and region',
          {},
        ),
      ];
    const where = `account ${s.accountId}, ${s.region}`;
    const detector = gd.detectors.find((d) => d.Status === 'ENABLED');
    if (!detector) {
      const why = gd.detectors.length === 0 ? 'has no detector' : 'has only disabled detectors';
      return [
        clusterResult(s, 'FAIL', `GuardDuty ${why} in ${where}: no threat detection for this cluster`, {
          detectors: gd.detectors.length,
        }),
      ];
    }
    const features = (detector.Features ?? []) as Feature[];
    const audit = features.find((f) => f.Name === 'EKS_AUDIT_LOGS');
    const runtime =
      features.find((f) => f.Name === 'RUNTIME_MONITORING') ??
      features.find((f) => f.Name === 'EKS_RUNTIME_MONITORING');
    const managedAgent = on(runtime?.AdditionalConfiguration?.find((c) => c.Name === 'EKS_ADDON_MANAGEMENT'));
    const agentAddon = s.addons.some((a) => a.addonName === 'aws-guardduty-agent');
    const missing: string[] = [];
    if (!on(audit)) missing.push('EKS audit log monitoring');
    if (!on(runtime)) missing.push('runtime monitoring');
    else if (!managedAgent && !agentAddon)
      missing.push('the runtime agent on this cluster (EKS_ADDON_MANAGEMENT off, no aws-guardduty-agent add-on)');
    const evidence = {
      detectorId: detector.detectorId,
      eksAuditLogs: audit?.Status ?? 'not reported',
      runtimeMonitoring: runtime?.Status ?? 'not reported',
      eksAddonManagement: managedAgent,
      agentAddon,
    };
    if (missing.length === 0)
      return [clusterResult(s, 'PASS', `GuardDuty monitors EKS audit logs and node runtime in ${where}`, evidence)];
    return [
      {
        ...clusterResult(s, 'FAIL', `GuardDuty in ${where} lacks ${list(missing)}`, evidence),
        severity: on(audit) ? 'low' : 'medium',
      },
    ];
  },
});
