import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import selfsigned from 'selfsigned';
import { stringify } from 'yaml';
import type { IdentityStore, Principal } from './aws/identity.ts';
import type { SimCall } from './aws/router.ts';
import { type FaultInjector, requestFingerprint } from './faults.ts';
import type { SimCluster, SimFleet } from './fleet.ts';

/**
 * One Kubernetes API server per cluster, over HTTPS on 127.0.0.1 with its own self-signed certificate, which
 * DescribeCluster returns as `certificateAuthority.data` (and the server's URL as `endpoint`). It serves only
 * `kube-system/aws-auth`, and only to a caller whose EKS token it can verify: a SigV4-presigned STS
 * GetCallerIdentity URL, signed by a key the simulated cloud issued, for this cluster's name, minted in the
 * last 15 minutes. The simulated cloud knows every secret key, so it re-computes the signature itself.
 */

export const AWS_AUTH_PATH = '/api/v1/namespaces/kube-system/configmaps/aws-auth';
const TOKEN_PREFIX = 'k8s-aws-v1.';
const TOKEN_LIFETIME_MS = 15 * 60_000;
const CLOCK_SKEW_MS = 5 * 60_000;
const SIGV4_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
];

class Unauthorized extends Error {}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function amzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
}

/** Who the token says the caller is, if it is a valid EKS token for this cluster; throws Unauthorized otherwise. */
export async function verifyEksToken(
  authorization: string | undefined,
  cluster: SimCluster,
  identities: IdentityStore,
  now: Date,
): Promise<Principal> {
  const bearer = /^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '';
  if (!bearer.startsWith(TOKEN_PREFIX)) throw new Unauthorized('not an EKS token (k8s-aws-v1.)');
  let url: URL;
  try {
    url = new URL(Buffer.from(bearer.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    throw new Unauthorized('token does not decode to a URL');
  }
  const q = url.searchParams;
  if (url.protocol !== 'https:' || !/^sts(\.[a-z0-9-]+)?\.amazonaws\.com$/.test(url.hostname) || url.pathname !== '/') {
    throw new Unauthorized(`token is not an STS URL: ${url.host}${url.pathname}`);
  }
  if (q.get('Action') !== 'GetCallerIdentity') throw new Unauthorized('token does not call GetCallerIdentity');
  const signedHeaders = (q.get('X-Amz-SignedHeaders') ?? '').split(';');
  if (!signedHeaders.includes('x-k8s-aws-id')) throw new Unauthorized('x-k8s-aws-id is not signed');
  const [accessKeyId = '', , region = '', service = ''] = (q.get('X-Amz-Credential') ?? '').split('/');
  const principal = identities.get(accessKeyId);
  if (!principal || service !== 'sts') throw new Unauthorized('unknown access key');
  if ((principal.sessionToken ?? null) !== q.get('X-Amz-Security-Token')) throw new Unauthorized('bad session token');
  const date = amzDate(q.get('X-Amz-Date') ?? '');
  if (!date) throw new Unauthorized('no X-Amz-Date');
  const age = now.getTime() - date.getTime();
  if (age > TOKEN_LIFETIME_MS || age < -CLOCK_SKEW_MS) throw new Unauthorized('token expired');

  const query: Record<string, string> = {};
  for (const [k, v] of q) if (!SIGV4_PARAMS.includes(k)) query[k] = v;
  const signer = new SignatureV4({
    service: 'sts',
    region,
    sha256: Sha256,
    uriEscapePath: true,
    applyChecksum: false,
    credentials: {
      accessKeyId,
      secretAccessKey: principal.secretAccessKey,
      ...(principal.sessionToken ? { sessionToken: principal.sessionToken } : {}),
    },
  });
  // Re-sign what the token must have signed, with this cluster's name: a token for another cluster mismatches.
  const expected = await signer.presign(
    new HttpRequest({
      method: 'GET',
      protocol: 'https:',
      hostname: url.hostname,
      path: '/',
      headers: { host: url.hostname, 'x-k8s-aws-id': cluster.cluster.name ?? '' },
      query,
    }),
    { expiresIn: Number(q.get('X-Amz-Expires') ?? 60), signingDate: date },
  );
  if (expected.query?.['X-Amz-Signature'] !== q.get('X-Amz-Signature')) {
    throw new Unauthorized('signature does not match (minted for another cluster, or tampered)');
  }
  return principal;
}

function configMap(cluster: SimCluster) {
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(cluster.awsAuth ?? {})) {
    if (value === undefined || value === null) continue;
    data[key] = typeof value === 'string' ? value : stringify(value);
  }
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'aws-auth', namespace: 'kube-system', uid: cluster.cluster.id ?? cluster.cluster.name },
    data,
  };
}

export interface KubernetesApis {
  close(): Promise<void>;
}

/**
 * Starts a Kubernetes API per cluster and points each cluster's `endpoint` and `certificateAuthority` at it.
 * `kubernetesApi` on the cluster decides, per request, whether the scanner is served (authorized), refused
 * with 403 (unauthorized) or has its connection dropped (unreachable: a private endpoint seen from outside).
 */
export async function startKubernetesApis(
  fleet: SimFleet,
  identities: IdentityStore,
  record: (call: SimCall) => void,
  /** The simulator's clock (SimOptions.now when set), so token age is judged against the same time the fleet uses. */
  now: () => Date = () => new Date(),
  /** The fault layer every answer passes through (sim/faults.ts). */
  faults?: FaultInjector,
): Promise<KubernetesApis> {
  const servers: Server[] = [];
  try {
    for (const c of fleet.allClusters()) {
      const pems = await selfsigned.generate([{ name: 'commonName', value: `${c.cluster.name}.kubernetes` }], {
        keyType: 'ec',
        curve: 'P-256',
        algorithm: 'sha256',
        notAfterDate: new Date(Date.now() + 7 * 86_400_000),
        extensions: [
          { name: 'basicConstraints', cA: true },
          { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
        ],
      });
      const server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
        const call: SimCall = {
          service: 'k8s',
          action: 'GetConfigMap',
          accountId: c.accountId,
          region: c.region,
          status: 0,
          request: requestFingerprint(req.method, req.url),
        };
        const answer = (code: number, body: unknown, errorCode?: string) => {
          call.status = code;
          if (errorCode) call.errorCode = errorCode;
          const text = JSON.stringify(body);
          const headers = { 'content-type': 'application/json' };
          if (faults) {
            const response = { status: code, headers, body: text };
            faults.deliver({ cloud: 'k8s', protocol: 'k8s', req, res, call, response, record });
            return;
          }
          record(call);
          res.writeHead(code, { ...headers, 'content-length': Buffer.byteLength(text) });
          res.end(text);
        };
        if (c.kubernetesApi === 'unreachable') {
          call.errorCode = 'Unreachable';
          record(call);
          req.socket.destroy();
          return;
        }
        verifyEksToken(req.headers.authorization, c, identities, now())
          .then((principal) => {
            // EKS authenticates only principals the cluster maps; the reader role of the cluster's account is.
            if (principal.accountId !== c.accountId) throw new Unauthorized(`${principal.arn} is not mapped`);
            if (c.kubernetesApi === 'unauthorized') {
              return answer(
                403,
                status(
                  403,
                  'Forbidden',
                  `configmaps "aws-auth" is forbidden: User "${principal.arn}" cannot get resource "configmaps" in API group "" in the namespace "kube-system"`,
                ),
                'Forbidden',
              );
            }
            if (req.method !== 'GET' || new URL(req.url ?? '/', 'https://127.0.0.1').pathname !== AWS_AUTH_PATH) {
              return answer(
                404,
                status(404, 'NotFound', `the simulated Kubernetes API serves only GET ${AWS_AUTH_PATH}`),
                'NotFound',
              );
            }
            if (!c.awsAuth) return answer(404, status(404, 'NotFound', 'configmaps "aws-auth" not found'), 'NotFound');
            return answer(200, configMap(c));
          })
          .catch((e: unknown) =>
            answer(401, status(401, 'Unauthorized', `Unauthorized: ${(e as Error).message}`), 'Unauthorized'),
          );
      });
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      const { port } = server.address() as AddressInfo;
      c.cluster.endpoint = `https://127.0.0.1:${port}`;
      c.cluster.certificateAuthority = { data: Buffer.from(pems.cert).toString('base64') };
    }
  } catch (e) {
    for (const s of servers) s.close();
    throw e;
  }
  return {
    close: () =>
      Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      ).then(() => undefined),
  };
}
