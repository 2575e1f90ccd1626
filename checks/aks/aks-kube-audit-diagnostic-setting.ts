import type { LogSettings } from '@azure/arm-monitor';
import { defineCheck } from '../../core/check.ts';
import { clusterResult } from './lib.ts';

const AUDIT_CATEGORIES = ['kube-audit', 'kube-audit-admin'];
/** Category groups that include the audit categories. */
const AUDIT_GROUPS = ['audit', 'allLogs'];

function auditLogs(logs: readonly LogSettings[]): string[] {
  return logs
    .filter(
      (l) => l.enabled && (AUDIT_CATEGORIES.includes(l.category ?? '') || AUDIT_GROUPS.includes(l.categoryGroup ?? '')),
    )
    .map((l) => l.category ?? `group:${l.categoryGroup}`);
}

export default defineCheck({
  id: 'AKS.LOGGING.1',
  slug: 'aks-kube-audit-diagnostic-setting',
  title: 'AKS cluster sends kube-audit logs to a destination through a diagnostic setting',
  provider: 'azure',
  service: 'aks',
  severity: 'medium',
  category: 'logging',
  needs: ['aks:ListManagedClusters', 'monitor:ListDiagnosticSettings'],
  reads: [
    'monitor:ListDiagnosticSettings properties.logs[].{category,categoryGroup,enabled}',
    'monitor:ListDiagnosticSettings properties.{workspaceId,storageAccountId,eventHubAuthorizationRuleId,marketplacePartnerId}',
  ],
  frameworks: { 'cis-aks-1.8': ['2.1.1'] },
  risk: 'AKS keeps no Kubernetes audit log you can read unless a diagnostic setting exports the kube-audit (or kube-audit-admin) category: without it there is no record of who read secrets, exec-ed into pods or changed RBAC. A setting with only other categories (or none enabled) does not count.',
  remediation: {
    text: 'Create a diagnostic setting on the cluster that sends kube-audit-admin (or kube-audit, which also records reads) to a Log Analytics workspace, storage account or event hub.',
    cli: 'az monitor diagnostic-settings create --name kube-audit --resource <cluster-resource-id> --workspace <workspace-id> --logs \'[{"category":"kube-audit-admin","enabled":true}]\'',
    url: 'https://learn.microsoft.com/azure/aks/monitor-aks',
  },
  references: [
    'https://learn.microsoft.com/azure/aks/monitor-aks',
    'https://learn.microsoft.com/azure/aks/monitor-aks-reference',
  ],
  severityRationale: 'Medium: it does not open a way in, but without it an intrusion cannot be investigated.',
  evaluate(s) {
    const settings = s.diagnosticSettings;
    if (!settings)
      return [
        clusterResult(s, 'ERROR', 'Cannot evaluate audit logging: the diagnostic settings were not collected', {}),
      ];
    const found = settings.map((d) => ({
      name: d.name ?? '',
      destination: Boolean(
        d.workspaceId || d.storageAccountId || d.eventHubAuthorizationRuleId || d.marketplacePartnerId,
      ),
      audit: auditLogs(d.logs ?? []),
    }));
    const good = found.filter((f) => f.destination && f.audit.length > 0);
    const evidence = { diagnosticSettings: found };
    if (good.length > 0)
      return [
        clusterResult(
          s,
          'PASS',
          `kube-audit logs are exported by ${good.map((g) => `${g.name} (${g.audit.join(', ')})`).join('; ')}`,
          evidence,
        ),
      ];
    if (found.length === 0)
      return [
        clusterResult(s, 'FAIL', 'The cluster has no diagnostic settings: no Kubernetes audit log is kept', evidence),
      ];
    return [
      clusterResult(
        s,
        'FAIL',
        `None of the ${found.length} diagnostic setting(s) (${found.map((f) => f.name).join(', ')}) exports kube-audit or kube-audit-admin to a destination`,
        evidence,
      ),
    ];
  },
});
