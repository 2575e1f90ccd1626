import { request } from 'node:https';
import * as z from 'zod';
import { CollectorError, type FailureCode } from '../../core/errors.ts';
import type { AwsAuthConfigMap } from '../../core/snapshot.ts';
import { checkResponse } from '../common/response.ts';
import { NETWORK_ERROR_CODES } from './errors.ts';

export const AWS_AUTH_PATH = '/api/v1/namespaces/kube-system/configmaps/aws-auth';

const MAX_BODY = 4 << 20;

export interface KubernetesGet {
  /** The cluster's API server URL (`cluster.endpoint`). */
  endpoint: string;
  /** `cluster.certificateAuthority.data`: base64 of the PEM bundle to trust, and nothing else. */
  caData: string;
  token: string;
  /** The whole request: connecting, TLS, and the complete answer. */
  timeoutMs: number;
  /** Aborts the request (the target deadline). */
  signal?: AbortSignal;
}

function fail(code: FailureCode, message: string, cause?: unknown): CollectorError {
  return new CollectorError(`${code}: ${message}`, code, { provider: 'aws' }, cause ? { cause } : undefined);
}

/**
 * GET a Kubernetes API path over HTTPS, verified against the cluster's own CA. Resolves to the parsed JSON,
 * or undefined on 404. Every failure is a CollectorError with a code: Unreachable (network, no connection within
 * `timeoutMs`), Timeout (connected, but no complete answer within `timeoutMs`, or aborted by `signal`),
 * AccessDenied (401/403), Malformed (bad TLS identity, not JSON), Unknown (other statuses).
 */
export function kubernetesGet(path: string, o: KubernetesGet): Promise<unknown> {
  return new Promise((resolveGet, rejectGet) => {
    let timer: NodeJS.Timeout | undefined;
    const resolve = (value: unknown) => {
      clearTimeout(timer);
      resolveGet(value);
    };
    const reject = (e: unknown) => {
      clearTimeout(timer);
      rejectGet(e);
    };
    let url: URL;
    try {
      url = new URL(path, o.endpoint);
    } catch (e) {
      reject(fail('Malformed', `cluster endpoint ${JSON.stringify(o.endpoint)} is not a URL`, e));
      return;
    }
    const req = request(
      url,
      {
        method: 'GET',
        ca: Buffer.from(o.caData, 'base64').toString('utf8'),
        headers: { authorization: `Bearer ${o.token}`, accept: 'application/json' },
        ...(o.signal ? { signal: o.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY) req.destroy(fail('Malformed', `response to GET ${path} is over ${MAX_BODY} bytes`));
          else chunks.push(c);
        });
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status === 404) return resolve(undefined);
          if (status === 401 || status === 403) {
            return reject(
              fail(
                'AccessDenied',
                `the Kubernetes API answered ${status} to GET ${path}: the scanner's role needs an access entry with AmazonEKSViewPolicy (or an aws-auth mapping)`,
              ),
            );
          }
          if (status !== 200) return reject(fail('Unknown', `the Kubernetes API answered ${status} to GET ${path}`));
          try {
            resolve(JSON.parse(body));
          } catch (e) {
            reject(fail('Malformed', `the Kubernetes API answered GET ${path} with something that is not JSON`, e));
          }
        });
        res.on('error', (e) => reject(fail('Unreachable', `connection to ${url.host} failed: ${e.message}`, e)));
      },
    );
    // One timer for the whole exchange, connecting included: a socket idle timeout alone would let an answer that
    // drips a byte at a time run forever.
    timer = setTimeout(() => {
      const connected = req.socket ? !req.socket.connecting : false;
      reject(
        connected
          ? fail(
              'Timeout',
              `the Kubernetes API at ${url.host} gave no complete answer to GET ${path} within ${o.timeoutMs} ms`,
            )
          : fail(
              'Unreachable',
              `cannot reach the Kubernetes API at ${url.host}: no connection within ${o.timeoutMs} ms`,
            ),
      );
      req.destroy();
    }, o.timeoutMs);
    timer.unref();
    req.on('error', (e: Error & { code?: string }) => {
      if (e instanceof CollectorError) return reject(e);
      if (e.name === 'AbortError') {
        return reject(fail('Timeout', `GET ${path} on ${url.host} was aborted: the target deadline passed`, e));
      }
      const code = e.code ?? '';
      if (NETWORK_ERROR_CODES.has(code) || /socket hang up|disconnected/i.test(e.message)) {
        return reject(
          fail(
            'Unreachable',
            `cannot reach the Kubernetes API at ${url.host}: ${code ? `${code} ` : ''}${e.message}`,
            e,
          ),
        );
      }
      // TLS: the server is not the one the cluster's CA vouches for. Never retried without verification.
      return reject(
        fail(
          'Malformed',
          `TLS verification against the cluster CA failed for ${url.host}: ${code ? `${code} ` : ''}${e.message}`,
          e,
        ),
      );
    });
    req.end();
  });
}

/**
 * Failures of one attempt worth another: connected but slow (Timeout), an unexpected status, or a connection that was
 * reset or refused (an Unreachable with a network cause). Not a connect that never completed within the timeout: that
 * is what a private-only endpoint looks like from outside its VPC, and retrying it would only triple the wait.
 */
function retryable(e: unknown): boolean {
  if (!(e instanceof CollectorError)) return false;
  return e.code === 'Timeout' || e.code === 'Unknown' || (e.code === 'Unreachable' && e.cause !== undefined);
}

/**
 * `kubernetesGet` with up to `attempts` tries (jittered backoff between them) on a retryable failure: a GET is
 * idempotent, and one slow TLS handshake on a busy scanner must not become a gap. Never retried: AccessDenied and Malformed (TLS identity, body), which another try cannot change,
 * and anything once `signal` has aborted (the target deadline).
 */
export async function kubernetesGetRetrying(
  path: string,
  o: KubernetesGet & { attempts: number; backoffMs?: number },
): Promise<unknown> {
  const base = o.backoffMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      return await kubernetesGet(path, o);
    } catch (e) {
      if (attempt >= o.attempts || o.signal?.aborted || !retryable(e)) throw e;
      const wait = base * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
      await new Promise<void>((r) => setTimeout(r, wait)); // ref'd: the scan waits on it
      if (o.signal?.aborted) throw e;
    }
  }
}

function yamlList(parseYaml: (text: string) => unknown, data: Record<string, unknown>, key: string): unknown[] {
  const raw = data[key];
  if (raw === undefined || raw === null || raw === '') return [];
  if (typeof raw !== 'string') throw fail('Malformed', `aws-auth data.${key} is not a string`);
  let parsed: unknown;
  try {
    parsed = parseYaml(raw);
  } catch (e) {
    throw fail('Malformed', `aws-auth data.${key} is not valid YAML: ${(e as Error).message.split('\n')[0]}`, e);
  }
  if (parsed === null || parsed === undefined) return [];
  if (!Array.isArray(parsed)) throw fail('Malformed', `aws-auth data.${key} is not a YAML list`);
  return parsed;
}

function mapping(item: unknown, key: 'rolearn' | 'userarn', at: string) {
  const m = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
  if (typeof m[key] !== 'string' || !m[key]) throw fail('Malformed', `aws-auth ${at} has no ${key}`);
  const groups = m.groups;
  if (
    groups !== undefined &&
    groups !== null &&
    (!Array.isArray(groups) || groups.some((g) => typeof g !== 'string'))
  ) {
    throw fail('Malformed', `aws-auth ${at}.groups is not a list of strings`);
  }
  return {
    arn: m[key] as string,
    ...(typeof m.username === 'string' ? { username: m.username } : {}),
    ...(Array.isArray(groups) ? { groups: groups as string[] } : {}),
  };
}

/**
 * What the Kubernetes API always returns for a ConfigMap (its `data` is absent when empty, and holds strings only).
 * `{}`, or another object, is not "an aws-auth that maps nobody": believing it would pass the access checks.
 */
export const CONFIG_MAP_SCHEMA = z.object({
  apiVersion: z.literal('v1'),
  kind: z.literal('ConfigMap'),
  metadata: z.object({ name: z.literal('aws-auth'), namespace: z.literal('kube-system') }),
  data: z.record(z.string(), z.string()).nullish(),
});

/**
 * Parses the aws-auth ConfigMap as the EKS authenticator reads it: first its shape (checkResponse, as for every
 * cloud answer), then the YAML lists in it; anything either would reject is Malformed.
 */
export async function parseAwsAuth(configMap: unknown): Promise<AwsAuthConfigMap> {
  if (configMap === undefined) return { exists: false, mapRoles: [], mapUsers: [], mapAccounts: [] };
  const data: Record<string, unknown> = checkResponse('k8s:aws-auth', CONFIG_MAP_SCHEMA, configMap).data ?? {};
  // Loaded on first use: only CONFIG_MAP-mode clusters need it, and it is 116 KB of every AWS function's cold start.
  const { parse: parseYaml } = await import('yaml');
  return {
    exists: true,
    mapRoles: yamlList(parseYaml, data, 'mapRoles').map((item, i) => {
      const { arn, ...rest } = mapping(item, 'rolearn', `mapRoles[${i}]`);
      return { rolearn: arn, ...rest };
    }),
    mapUsers: yamlList(parseYaml, data, 'mapUsers').map((item, i) => {
      const { arn, ...rest } = mapping(item, 'userarn', `mapUsers[${i}]`);
      return { userarn: arn, ...rest };
    }),
    mapAccounts: yamlList(parseYaml, data, 'mapAccounts').map((a, i) => {
      if (typeof a !== 'string' && typeof a !== 'number')
        throw fail('Malformed', `aws-auth mapAccounts[${i}] is not an account id`);
      return String(a);
    }),
  };
}
