import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import type { AwsCredentialIdentity } from '@smithy/types';
import selfsigned from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readerCredentials, simClientConfig } from '../../sim/clients.ts';
import { type SimulatedCloud, startSimulatedCloud } from '../../sim/index.ts';
import { parseFleetSpec } from '../../sim/spec.ts';
import { EKS_TOKEN_PREFIX, eksToken, eksTokenCache } from './eks-token.ts';
import { AWS_AUTH_PATH, kubernetesGet, kubernetesGetRetrying, parseAwsAuth } from './kubernetes.ts';

const ACCOUNT = '111111111111';
const REGION = 'us-east-1';

const fleet = () =>
  parseFleetSpec({
    accounts: [
      {
        id: ACCOUNT,
        enabledRegions: [REGION],
        clusters: [
          {
            name: 'alpha',
            region: REGION,
            awsAuth: {
              mapRoles: [
                { rolearn: `arn:aws:iam::${ACCOUNT}:role/admin`, username: 'admin', groups: ['system:masters'] },
              ],
              mapAccounts: ['444455556666'],
            },
          },
          { name: 'bravo', region: REGION },
          { name: 'broken', region: REGION, awsAuth: { mapRoles: 'rolearn: [unclosed' } },
          { name: 'refusing', region: REGION, kubernetesApi: 'unauthorized' },
          {
            name: 'private',
            region: REGION,
            resourcesVpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: true },
          },
        ],
      },
    ],
  });

let sim: SimulatedCloud;
let credentials: AwsCredentialIdentity;
const clusters = new Map<string, { endpoint: string; caData: string }>();

beforeAll(async () => {
  sim = await startSimulatedCloud(fleet());
  credentials = await readerCredentials(sim, ACCOUNT)();
  const eks = new EKSClient(simClientConfig(sim, { region: REGION, credentials }));
  for (const name of ['alpha', 'bravo', 'broken', 'refusing', 'private']) {
    const { cluster } = await eks.send(new DescribeClusterCommand({ name }));
    clusters.set(name, { endpoint: cluster!.endpoint!, caData: cluster!.certificateAuthority!.data! });
  }
});
afterAll(() => sim?.close());

const token = (clusterName: string, now = new Date()) => eksToken({ clusterName, region: REGION, credentials, now });
const get = async (name: string, tokenFor = name, o: { caOf?: string; now?: Date } = {}) =>
  kubernetesGet(AWS_AUTH_PATH, {
    endpoint: clusters.get(name)!.endpoint,
    caData: clusters.get(o.caOf ?? name)!.caData,
    token: await token(tokenFor, o.now),
    timeoutMs: 2_000,
  });

describe('the EKS token', () => {
  it('is a base64url, unpadded, presigned STS GetCallerIdentity URL that signs the cluster name', async () => {
    const t = await token('alpha', new Date('2026-06-01T12:00:00Z'));
    expect(t.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
    expect(t).not.toContain('=');
    const url = new URL(Buffer.from(t.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString('utf8'));
    expect(url.host).toBe(`sts.${REGION}.amazonaws.com`);
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-Date')).toBe('20260601T120000Z');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(
      new RegExp(`^${credentials.accessKeyId}/20260601/${REGION}/sts/aws4_request$`),
    );
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe(credentials.sessionToken);
  });

  it('is accepted by the cluster it was minted for: the simulator re-verifies the SigV4 presignature', async () => {
    const cm = (await get('alpha')) as { data: Record<string, string> };
    expect(await parseAwsAuth(cm)).toEqual({
      exists: true,
      mapRoles: [{ rolearn: `arn:aws:iam::${ACCOUNT}:role/admin`, username: 'admin', groups: ['system:masters'] }],
      mapUsers: [],
      mapAccounts: ['444455556666'],
    });
  });

  it('is rejected (401) by another cluster, because x-k8s-aws-id is signed', async () => {
    await expect(get('alpha', 'bravo')).rejects.toMatchObject({
      code: 'AccessDenied',
      message: expect.stringContaining('401'),
    });
    expect(sim.count({ service: 'k8s', status: 401, errorCode: 'Unauthorized' })).toBeGreaterThanOrEqual(1);
  });

  it('is rejected when tampered with or older than 15 minutes', async () => {
    const { endpoint, caData } = clusters.get('alpha')!;
    const t = await token('alpha');
    const url = Buffer.from(t.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString('utf8');
    const tampered =
      EKS_TOKEN_PREFIX + Buffer.from(url.replace('Version=2011-06-15', 'Version=2011-06-16')).toString('base64url');
    await expect(
      kubernetesGet(AWS_AUTH_PATH, { endpoint, caData, token: tampered, timeoutMs: 2_000 }),
    ).rejects.toMatchObject({
      code: 'AccessDenied',
    });
    await expect(get('alpha', 'alpha', { now: new Date(Date.now() - 16 * 60_000) })).rejects.toMatchObject({
      code: 'AccessDenied',
    });
  });

  it('is minted once per cluster and reused for 14 minutes', async () => {
    let now = new Date('2026-06-01T12:00:00Z');
    let minted = 0;
    const tokens = eksTokenCache(
      () => now,
      async (p) => `${EKS_TOKEN_PREFIX}${p.clusterName}-${++minted}`,
    );
    const params = { clusterName: 'alpha', region: REGION, credentials };
    expect(await tokens(ACCOUNT, params)).toBe(await tokens(ACCOUNT, params));
    await tokens(ACCOUNT, { ...params, clusterName: 'bravo' });
    expect(minted).toBe(2);
    now = new Date('2026-06-01T12:14:01Z');
    await tokens(ACCOUNT, params);
    expect(minted).toBe(3);
  });
});

/** A self-signed CA certificate for 127.0.0.1, for TLS servers the tests script themselves. */
function loopbackCert(name: string) {
  return selfsigned.generate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
}

describe('kubernetesGet', () => {
  it('verifies the server against the cluster CA only: another cluster CA fails TLS', async () => {
    await expect(get('alpha', 'alpha', { caOf: 'bravo' })).rejects.toMatchObject({
      code: 'Malformed',
      message: expect.stringContaining('TLS verification'),
    });
  });

  it.each([['resolves undefined when there is no aws-auth ConfigMap (404)', 'bravo', undefined]])(
    '%s',
    async (_name, cluster, expected) => {
      expect(await get(cluster)).toBe(expected);
      expect(await parseAwsAuth(undefined)).toEqual({ exists: false, mapRoles: [], mapUsers: [], mapAccounts: [] });
    },
  );

  it.each([
    ['a Kubernetes API that refuses the scanner (403) is AccessDenied', 'refusing', 'AccessDenied', '403'],
    ['a private-only endpoint seen from outside is Unreachable', 'private', 'Unreachable', 'cannot reach'],
  ])('%s', async (_name, cluster, code, says) => {
    await expect(get(cluster)).rejects.toMatchObject({ code, message: expect.stringContaining(says) });
  });

  it('calls a server that accepts the connection but never answers a Timeout after the timeout', async () => {
    const silent: Server = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const { port } = silent.address() as AddressInfo;
      const started = Date.now();
      await expect(
        kubernetesGet(AWS_AUTH_PATH, {
          endpoint: `https://127.0.0.1:${port}`,
          caData: clusters.get('alpha')!.caData,
          token: 'k8s-aws-v1.x',
          timeoutMs: 200,
        }),
      ).rejects.toMatchObject({ code: 'Timeout', message: expect.stringContaining('200 ms') });
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      silent.close();
    }
  });

  it('bounds the whole answer, not only silence: a body that drips a byte at a time is a Timeout', async () => {
    // Answers 200 with headers at once, then one byte every 50 ms: never idle, never done.
    const pems = await loopbackCert('drip');
    const timers = new Set<NodeJS.Timeout>();
    const drip = createTlsServer({ key: pems.private, cert: pems.cert }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const t = setInterval(() => res.write(' '), 50);
      timers.add(t);
      res.on('close', () => clearInterval(t));
    });
    await new Promise<void>((r) => drip.listen(0, '127.0.0.1', r));
    try {
      const { port } = drip.address() as AddressInfo;
      const started = Date.now();
      await expect(
        kubernetesGet(AWS_AUTH_PATH, {
          endpoint: `https://127.0.0.1:${port}`,
          caData: Buffer.from(pems.cert).toString('base64'),
          token: 'k8s-aws-v1.x',
          timeoutMs: 400,
        }),
      ).rejects.toMatchObject({ code: 'Timeout', message: expect.stringContaining('no complete answer') });
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      for (const t of timers) clearInterval(t);
      drip.closeAllConnections();
      drip.close();
    }
  });

  it('stops at once when its signal aborts (the target deadline), as a Timeout', async () => {
    const silent: Server = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const { port } = silent.address() as AddressInfo;
      const started = Date.now();
      await expect(
        kubernetesGet(AWS_AUTH_PATH, {
          endpoint: `https://127.0.0.1:${port}`,
          caData: clusters.get('alpha')!.caData,
          token: 'k8s-aws-v1.x',
          timeoutMs: 30_000,
          signal: AbortSignal.timeout(100),
        }),
      ).rejects.toMatchObject({ code: 'Timeout', message: expect.stringContaining('deadline') });
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      silent.close();
    }
  });

  describe('kubernetesGetRetrying', () => {
    /** A TLS server answering each request with the next of `answers` (an HTTP status, or 'silent' for none). */
    async function scripted(answers: (number | 'silent')[]) {
      const pems = await loopbackCert('scripted');
      let requests = 0;
      const server = createTlsServer({ key: pems.private, cert: pems.cert }, (_req, res) => {
        const answer = answers[Math.min(requests++, answers.length - 1)];
        if (answer === 'silent') return;
        res.writeHead(answer!, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'ConfigMap', data: {} }));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const { port } = server.address() as AddressInfo;
      return {
        get: (attempts: number) =>
          kubernetesGetRetrying(AWS_AUTH_PATH, {
            endpoint: `https://127.0.0.1:${port}`,
            caData: Buffer.from(pems.cert).toString('base64'),
            token: 'k8s-aws-v1.x',
            timeoutMs: 300,
            attempts,
            backoffMs: 10,
          }),
        requests: () => requests,
        close: () => {
          server.closeAllConnections();
          server.close();
        },
      };
    }

    it.each([
      {
        what: 'answers after a slow attempt and an unexpected status: one slow handshake is not a gap',
        answers: ['silent', 503, 200] as const,
        attempts: 3,
        outcome: { resolves: { kind: 'ConfigMap', data: {} } },
        requests: 3,
      },
      {
        what: 'gives up after its attempts with the last failure',
        answers: [503] as const,
        attempts: 2,
        outcome: { rejects: { code: 'Unknown' } },
        requests: 2,
      },
      {
        what: 'does not retry a denial: another try cannot change it',
        answers: [403, 200] as const,
        attempts: 3,
        outcome: { rejects: { code: 'AccessDenied' } },
        requests: 1,
      },
    ])('$what', async ({ answers, attempts, outcome, requests }) => {
      const server = await scripted([...answers]);
      try {
        const got = server.get(attempts);
        if ('resolves' in outcome) await expect(got).resolves.toEqual(outcome.resolves);
        else await expect(got).rejects.toMatchObject(outcome.rejects);
        expect(server.requests()).toBe(requests);
      } finally {
        server.close();
      }
    });
  });

  it('reports aws-auth whose YAML the authenticator would reject as Malformed, naming the key', async () => {
    const cm = await get('broken');
    await expect(parseAwsAuth(cm)).rejects.toThrow(/Malformed: aws-auth data.mapRoles is not valid YAML/);
  });

  it.each([
    ['a mapping with no rolearn', { mapRoles: '- username: x\n' }, /mapRoles\[0\] has no rolearn/],
    [
      'groups that are not a list',
      { mapUsers: '- userarn: arn:aws:iam::1:user/a\n  groups: admin\n' },
      /groups is not a list/,
    ],
    ['mapAccounts that is not a list', { mapAccounts: 'nope' }, /mapAccounts is not a YAML list/],
  ])('rejects %s', async (_name, data, message) => {
    await expect(parseAwsAuth(configMap(data))).rejects.toThrow(message);
  });

  it.each([
    ['an empty object', {}],
    ['a ConfigMap of another name', { ...configMap({}), metadata: { name: 'other', namespace: 'kube-system' } }],
    ['another kind', { ...configMap({}), kind: 'Secret' }],
    ['data that is not strings', configMap({ mapRoles: [{ rolearn: 'x' }] })],
    ['a list', []],
  ])('rejects %s as Malformed, never as an aws-auth that maps nobody', async (_name, body) => {
    await expect(parseAwsAuth(body)).rejects.toThrow(/^Malformed: k8s:aws-auth answered a body without the fields/);
  });

  it('reads a ConfigMap without data as one that maps nobody', async () => {
    const { data: _data, ...empty } = configMap({});
    expect(await parseAwsAuth(empty)).toEqual({ exists: true, mapRoles: [], mapUsers: [], mapAccounts: [] });
  });
});

/** What the Kubernetes API returns for aws-auth, with `data`. */
function configMap(data: Record<string, unknown>) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws-auth', namespace: 'kube-system' }, data };
}
