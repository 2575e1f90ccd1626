import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, Checksum, SourceData } from '@smithy/types';

/** What `aws eks get-token` produces: a presigned STS GetCallerIdentity URL, base64url, behind this prefix. */
export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** EKS accepts a token for 15 minutes; reuse one for 14 so it never expires in flight. */
export const EKS_TOKEN_REUSE_MS = 14 * 60_000;

export interface EksTokenParams {
  clusterName: string;
  region: string;
  credentials: AwsCredentialIdentity;
  now: Date;
}

const bytes = (data: SourceData): Uint8Array | string =>
  typeof data === 'string' ? data : data instanceof Uint8Array ? data : new Uint8Array(data as ArrayBuffer);

/**
 * SHA-256 (HMAC with a secret) on Node's native crypto, for the signer: the pure-JS implementation cost about a
 * millisecond of CPU per token, once per cluster.
 */
class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }
  update(data: Uint8Array | string): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/**
 * An EKS bearer token: GetCallerIdentity presigned with the cluster name in the signed `x-k8s-aws-id`
 * header, so the API server (through STS) learns who we are and that the token was minted for it.
 */
export async function eksToken({ clusterName, region, credentials, now }: EksTokenParams): Promise<string> {
  const hostname = `sts.${region}.amazonaws.com`;
  const signer = new SignatureV4({
    service: 'sts',
    region,
    credentials,
    sha256: NodeSha256,
    uriEscapePath: true,
    applyChecksum: false,
  });
  const signed = await signer.presign(
    new HttpRequest({
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      headers: { host: hostname, 'x-k8s-aws-id': clusterName },
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    }),
    { expiresIn: 60, signingDate: now },
  );
  const query = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  return EKS_TOKEN_PREFIX + Buffer.from(`https://${hostname}/?${query}`).toString('base64url');
}

/** Tokens cached per account, region and cluster for EKS_TOKEN_REUSE_MS (e.g. across Lambda invocations). */
export function eksTokenCache(clock: () => Date, mint: typeof eksToken = eksToken) {
  const cache = new Map<string, { token: Promise<string>; until: number }>();
  return (accountId: string, params: Omit<EksTokenParams, 'now'>): Promise<string> => {
    const key = `${accountId}/${params.region}/${params.clusterName}`;
    const now = clock();
    const hit = cache.get(key);
    if (hit && hit.until > now.getTime()) return hit.token;
    const token = mint({ ...params, now });
    cache.set(key, { token, until: now.getTime() + EKS_TOKEN_REUSE_MS });
    token.catch(() => cache.delete(key));
    return token;
  };
}
