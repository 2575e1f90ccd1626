import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import type { GkeClusterSnapshot } from '../../core/snapshot.ts';
import { simGoogleAuthClient } from '../../sim/clients.ts';
import { parseFleetSpec, type SimulatedCloud, startSimulatedCloud } from '../../sim/index.ts';
import { createGcpCollector } from './index.ts';
import { KMS_NEEDS, toGkeCryptoKey } from './kms.ts';

/** The Cloud KMS read of the GCP collector: the real @google-cloud/kms client (REST) against the simulator. */

const PROJECT = 'shop-prod-1234';
const NOW = new Date('2026-06-01T12:00:00Z');
const key = (project: string, name: string) =>
  `projects/${project}/locations/europe-west1/keyRings/gke/cryptoKeys/${name}`;
const encrypted = (keyName: string) => ({ databaseEncryption: { state: 'ENCRYPTED', keyName } });

const spec = parseFleetSpec({
  gcp: {
    projects: [
      {
        id: PROJECT,
        clusters: [
          { name: 'plain', location: 'europe-west1' },
          { name: 'own-key', location: 'europe-west1', ...encrypted(key(PROJECT, 'etcd')) },
          { name: 'own-key-too', location: 'europe-west1', ...encrypted(key(PROJECT, 'etcd')) },
          { name: 'scheduled', location: 'europe-west1', ...encrypted(key(PROJECT, 'doomed')) },
          { name: 'gone', location: 'europe-west1', ...encrypted(key(PROJECT, 'gone')) },
          { name: 'central-granted', location: 'europe-west1', ...encrypted(key('kms-central-9999', 'etcd')) },
          { name: 'central-denied', location: 'europe-west1', ...encrypted(key('kms-other-8888', 'etcd')) },
        ],
      },
    ],
    kmsKeys: [
      { name: key(PROJECT, 'doomed'), primaryState: 'DESTROY_SCHEDULED', destroyTime: 'now+5d', rotationPeriod: null },
      { name: key(PROJECT, 'gone'), deleted: true },
      { name: key('kms-central-9999', 'etcd') },
    ],
  },
});

describe('GCP collector: the Cloud KMS key behind databaseEncryption', () => {
  let cloud: SimulatedCloud;
  let byName: Map<string, GkeClusterSnapshot>;

  beforeAll(async () => {
    cloud = await startSimulatedCloud(spec, { now: NOW });
    const collector = createGcpCollector(parseConfig({ gcp: { maxAttempts: 1 } }), {
      authClient: simGoogleAuthClient(),
      endpoint: cloud.gcp!.endpoint,
    });
    const { snapshots, errors } = await collector.collect({ provider: 'gcp', accountId: PROJECT, region: '*' });
    expect(errors).toEqual([]);
    byName = new Map(snapshots.map((s) => [s.name, s as GkeClusterSnapshot]));
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('reads nothing for a cluster without application-layer encryption', () => {
    expect(byName.get('plain')!.secretsKey).toBeUndefined();
    expect(byName.get('plain')!.gaps).toEqual([]);
  });

  it('reads an own-project key in proto3 JSON form, once for the clusters that share it', () => {
    const s = byName.get('own-key')!;
    expect(s.gaps).toEqual([]);
    expect(s.secretsKey).toEqual({
      keyName: key(PROJECT, 'etcd'),
      cryptoKey: {
        name: key(PROJECT, 'etcd'),
        purpose: 'ENCRYPT_DECRYPT',
        primary: { name: `${key(PROJECT, 'etcd')}/cryptoKeyVersions/1`, state: 'ENABLED', protectionLevel: 'SOFTWARE' },
        rotationPeriod: '7776000s',
        nextRotationTime: '2026-07-01T12:00:00.000Z',
      },
    });
    expect(byName.get('own-key-too')!.secretsKey).toEqual(s.secretsKey);
    expect(cloud.count({ service: 'cloudkms', action: 'cryptoKeys.get', accountId: PROJECT, status: 200 })).toBe(2);
  });

  it('a version scheduled for destruction carries its destroy time; no rotation is no rotationPeriod', () => {
    const k = byName.get('scheduled')!.secretsKey?.cryptoKey;
    expect(k?.primary).toMatchObject({ state: 'DESTROY_SCHEDULED', destroyTime: '2026-06-06T12:00:00.000Z' });
    expect(k?.rotationPeriod).toBeUndefined();
  });

  it('a deleted key is notFound (a finding), not a gap', () => {
    const s = byName.get('gone')!;
    expect(s.secretsKey).toEqual({ keyName: key(PROJECT, 'gone'), notFound: true });
    expect(s.gaps).toEqual([]);
  });

  it('a key in another project is read where the reader is granted, a gap naming the permission where not', () => {
    expect(byName.get('central-granted')!.secretsKey?.cryptoKey?.primary?.state).toBe('ENABLED');
    const denied = byName.get('central-denied')!;
    expect(denied.secretsKey).toEqual({ keyName: key('kms-other-8888', 'etcd') });
    expect(denied.gaps).toEqual([
      expect.objectContaining({
        need: KMS_NEEDS.getCryptoKey,
        code: 'AccessDenied',
        error: expect.stringContaining('cloudkms.cryptoKeys.get'),
      }),
    ]);
  });

  it('normalizes what gRPC decodes: enum numbers, Long-like seconds', () => {
    expect(
      toGkeCryptoKey({
        name: 'k',
        purpose: 1,
        primary: { name: 'k/cryptoKeyVersions/2', state: 4, destroyTime: { seconds: '1781000000', nanos: 0 } },
        rotationPeriod: { seconds: { toString: () => '7776000' } as never },
      }),
    ).toEqual({
      name: 'k',
      purpose: 'ENCRYPT_DECRYPT',
      primary: { name: 'k/cryptoKeyVersions/2', state: 'DESTROY_SCHEDULED', destroyTime: '2026-06-09T10:13:20.000Z' },
      rotationPeriod: '7776000s',
    });
  });
});
