/** Edge cases of the GKE checks beyond the catalogue's pass/fail examples: int enums, pools, ERROR on gaps. */
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../core/engine.ts';
import { aContext } from '../eks/builders.ts';
import { aGkeCluster, aNodePool } from './builders.ts';
import logging from './gke-control-plane-logging.ts';
import version from './gke-kubernetes-version-supported.ts';
import cos from './gke-node-image-cos-containerd.ts';
import skew from './gke-node-version-skew.ts';
import kms from './gke-secrets-cloud-kms.ts';
import wi from './gke-workload-identity.ts';

describe('GKE checks read enums as numbers too (REST enum-encoding=int)', () => {
  it.each([
    [
      'GKE.ENCRYPTION.1 passes state 1 (ENCRYPTED) with a key',
      () => kms.evaluate(aGkeCluster({ cluster: { databaseEncryption: { state: 1 as never } } }), aContext()),
      'PASS',
    ],
    [
      'GKE.ENCRYPTION.1 fails state 2 (DECRYPTED)',
      () => kms.evaluate(aGkeCluster({ cluster: { databaseEncryption: { state: 2 as never } } }), aContext()),
      'FAIL',
    ],
    [
      'GKE.LOGGING.1 passes components [1, 3]',
      () =>
        logging.evaluate(
          aGkeCluster({ cluster: { loggingConfig: { componentConfig: { enableComponents: [1, 3] as never } } } }),
          aContext(),
        ),
      'PASS',
    ],
    [
      'GKE.IDENTITY.1 fails mode 1 (GCE_METADATA)',
      () =>
        wi.evaluate(
          aGkeCluster({
            cluster: { nodePools: [aNodePool('p', { config: { workloadMetadataConfig: { mode: 1 as never } } })] },
          }),
          aContext(),
        ),
      'FAIL',
    ],
  ])('%s', (_name, run, status) => {
    expect(run().map((r) => r.status)).toEqual([status]);
  });
});

describe('GKE.NODES.1 gke-node-image-cos-containerd', () => {
  it('fails an Ubuntu pool, passes the COS pool beside it and skips a Windows pool', () => {
    const s = aGkeCluster({
      cluster: {
        nodePools: [
          aNodePool('cos'),
          aNodePool('ubuntu', { config: { imageType: 'UBUNTU_CONTAINERD' } }),
          aNodePool('win', { config: { imageType: 'WINDOWS_LTSC_CONTAINERD' } }),
        ],
      },
    });
    expect(cos.evaluate(s, aContext()).map((r) => [r.resourceId.split('/').pop(), r.status])).toEqual([
      ['cos', 'PASS'],
      ['ubuntu', 'FAIL'],
      ['win', 'NOT_APPLICABLE'],
    ]);
  });
});

describe('GKE.VERSIONS.2 gke-node-version-skew', () => {
  it('says when a pool is beyond the supported skew', () => {
    const s = aGkeCluster({ cluster: { nodePools: [aNodePool('old', { version: '1.29.1-gke.1' })] } });
    expect(skew.evaluate(s, aContext())[0]?.message).toContain('3 minor version(s) behind');
  });
});

describe('GKE.VERSIONS.3 gke-kubernetes-version-supported', () => {
  it('yields ERROR through the engine when the server config could not be read', () => {
    const s = aGkeCluster({
      serverConfig: undefined,
      gaps: [{ need: 'gke:GetServerConfig', error: 'AccessDenied: denied' }],
    });
    const [f] = runCheck(version, s, aContext());
    expect(f).toMatchObject({ status: 'ERROR', checkId: 'GKE.VERSIONS.3' });
  });

  it('reports ERROR when the server config is absent without a recorded gap', () => {
    expect(version.evaluate(aGkeCluster({ serverConfig: undefined }), aContext())[0]?.status).toBe('ERROR');
  });
});
