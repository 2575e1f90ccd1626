/**
 * The check registry: every check, listed explicitly (no filesystem discovery), so esbuild bundles
 * exactly these. Adding a check = one import and one entry here; checks/catalogue.test.ts fails if a
 * check file is left out.
 */
import type { AnyCheck } from '../core/check.ts';
import eksControlPlaneAuditLogging from './eks/eks-control-plane-audit-logging.ts';
import eksEndpointNotWorldOpen from './eks/eks-endpoint-not-world-open.ts';
import eksEndpointPrivate from './eks/eks-endpoint-private.ts';
import eksSecretsKmsEncryption from './eks/eks-secrets-kms-encryption.ts';

export const checks: AnyCheck[] = [
  eksEndpointNotWorldOpen,
  eksEndpointPrivate,
  eksSecretsKmsEncryption,
  eksControlPlaneAuditLogging,
];

const byId = new Map(checks.map((c) => [c.id, c]));

export function checkById(id: string): AnyCheck | undefined {
  return byId.get(id);
}
