import { defineCheck } from '../../core/check.ts';
import { clusterResult, ENUMS, enumName } from './lib.ts';

const REQUIRED = ['SYSTEM_COMPONENTS', 'APISERVER'];

export default defineCheck({
  id: 'GKE.LOGGING.1',
  slug: 'gke-control-plane-logging',
  title: 'GKE sends system-component and API server logs to Cloud Logging',
  provider: 'gcp',
  service: 'gke',
  severity: 'medium',
  category: 'logging',
  needs: ['gke:ListClusters'],
  frameworks: { 'cis-gke-1.9': ['5.7.1'] },
  risk: 'With loggingService none, or without the SYSTEM_COMPONENTS and APISERVER components, control-plane and system events (API server requests and errors, node agents) are not kept: an incident cannot be reconstructed beyond the Admin Activity audit log.',
  remediation: {
    text: 'Enable Cloud Logging with the system and API server components.',
    cli: 'gcloud container clusters update <cluster> --location <location> --logging=SYSTEM,API_SERVER,WORKLOAD',
    url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/control-plane-logs',
  },
  references: [
    'https://cloud.google.com/kubernetes-engine/docs/how-to/control-plane-logs',
    'https://cloud.google.com/kubernetes-engine/docs/concepts/about-logs',
  ],
  severityRationale: 'Medium: it does not open a way in, but without it an intrusion cannot be investigated.',
  evaluate(s) {
    const service = s.cluster.loggingService ?? '';
    const components = (s.cluster.loggingConfig?.componentConfig?.enableComponents ?? []).map(
      (c) => enumName(c, ENUMS.loggingComponent) ?? String(c),
    );
    const evidence = { loggingService: service || null, enableComponents: components };
    if (!service || service === 'none')
      return [
        clusterResult(
          s,
          'FAIL',
          `loggingService is ${service || 'not set'}: the cluster sends no logs to Cloud Logging`,
          evidence,
        ),
      ];
    const missing = REQUIRED.filter((c) => !components.includes(c));
    return missing.length > 0
      ? [
          clusterResult(
            s,
            'FAIL',
            `Logging components ${missing.join(', ')} are not enabled (enabled: ${components.join(', ') || 'none'})`,
            evidence,
          ),
        ]
      : [clusterResult(s, 'PASS', `Logs go to ${service} with ${components.join(', ')}`, evidence)];
  },
});
