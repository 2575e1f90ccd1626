import { describe, expect, it } from 'vitest';
import { runCheck } from '../../core/engine.ts';
import { aContext } from '../eks/builders.ts';
import { itEvaluatesPoolCases } from '../lib/cases.ts';
import { aGkeCluster, aNodePool, type GkeClusterOverrides, TEST_SERVER_CONFIG } from './builders.ts';
import check from './gke-node-version-offered.ts';

const pool = (version: string) => ({ cluster: { nodePools: [aNodePool('p', { version })] } });

describe('GKE.VERSIONS.4 gke-node-version-offered', () => {
  itEvaluatesPoolCases<ReturnType<typeof aGkeCluster>, GkeClusterOverrides>(check, aGkeCluster, [
    { name: 'passes a pool on a version GKE lists', overrides: {}, status: 'PASS', says: ['which GKE offers'] },
    {
      name: 'passes an older node version still in validNodeVersions (skew is GKE.VERSIONS.2, not this)',
      overrides: pool('1.30.14-gke.1135000'),
      status: 'PASS',
      says: ['1.30.14-gke.1135000'],
    },
    {
      name: 'fails a pool whose minor GKE no longer offers, naming what it offers',
      overrides: pool('1.29.15-gke.1000000'),
      status: 'FAIL',
      says: ['GKE no longer offers 1.29 for nodes in europe-west1 (offered: 1.30, 1.31, 1.32, 1.33)'],
    },
    {
      name: 'fails a withdrawn patch of an offered minor, naming the patches offered for it',
      overrides: pool('1.32.4-gke.1000000'),
      status: 'FAIL',
      says: ['a patch GKE no longer offers in europe-west1 (offered for 1.32: 1.32.6-gke.1125000)'],
    },
    {
      name: "counts the cluster's release-channel versions as offered",
      overrides: {
        ...pool('1.34.0-gke.1000'),
        serverConfig: {
          ...TEST_SERVER_CONFIG,
          channels: [{ channel: 'REGULAR', validVersions: ['1.34.0-gke.1000'] }],
        },
      },
      status: 'PASS',
      says: ['1.34.0-gke.1000'],
    },
    {
      name: 'says ERROR when the server config lists no node version at all',
      overrides: { serverConfig: { validNodeVersions: [], channels: [] } },
      status: 'ERROR',
      says: ['lists no node versions'],
    },
    {
      name: 'says ERROR for a pool that reports no version',
      overrides: { cluster: { nodePools: [aNodePool('p', { version: undefined })] } },
      status: 'ERROR',
      says: ['its version is not reported'],
    },
  ]);

  it('rates a minor GKE dropped high and a withdrawn patch medium', () => {
    const severity = (v: string) => check.evaluate(aGkeCluster(pool(v)), aContext())[0]?.severity;
    expect(severity('1.29.15-gke.1000000')).toBe('high');
    expect(severity('1.32.4-gke.1000000')).toBe('medium');
  });

  it('is ERROR, not PASS, when the server config was not collected', () => {
    expect(check.evaluate(aGkeCluster({ serverConfig: undefined }), aContext())[0]?.status).toBe('ERROR');
    const s = aGkeCluster({ serverConfig: undefined, gaps: [{ need: 'gke:GetServerConfig', error: 'denied' }] });
    expect(runCheck(check, s, aContext()).map((f) => f.status)).toEqual(['ERROR']);
  });
});
