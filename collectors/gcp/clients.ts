import { ClusterManagerClient } from '@google-cloud/container';
import { type AuthClient, AwsClient, GoogleAuth } from 'google-auth-library';
import { type GcpAwsCredentialConfig, gcpCredentialConfigFromEnv } from './credential-config.ts';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const RESOURCE_MANAGER = 'https://cloudresourcemanager.googleapis.com';

export interface GcpClientOptions {
  /**
   * Base URL of a GKE REST endpoint (the simulator: `http://127.0.0.1:PORT`): switches the client to the REST
   * transport there. Normally unset: gRPC to container.googleapis.com.
   */
  endpoint?: string;
}

/**
 * Always passed an explicit auth client: without one, gax asks google-auth-library for the universe domain,
 * which probes the GCE metadata server.
 */
export function clusterManagerClient(auth: AuthClient, o: GcpClientOptions): ClusterManagerClient {
  if (!o.endpoint) return new ClusterManagerClient({ authClient: auth });
  const url = new URL(o.endpoint);
  return new ClusterManagerClient({
    fallback: true,
    apiEndpoint: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    protocol: url.protocol.replace(':', ''),
    authClient: auth,
  } as ConstructorParameters<typeof ClusterManagerClient>[0]);
}

/**
 * The AWS workload identity federation client for a checked credential configuration. Building it makes no call:
 * the first token request signs a GetCallerIdentity with the AWS_* environment credentials (Lambda's role) and
 * exchanges it at Google STS.
 */
export function federatedAuthClient(config: GcpAwsCredentialConfig): AuthClient {
  // AwsClient directly rather than ExternalAccountClient.fromJSON: parseGcpCredentialConfig has already checked the
  // type and URLs that fromJSON warns it does not.
  return new AwsClient({ ...config, scopes: [CLOUD_PLATFORM_SCOPE] });
}

/**
 * The auth client when none is injected: the federated one when `KUBEPOSTURE_GCP_CREDENTIAL_CONFIG` is set (Lambda,
 * where there is neither a gcloud login nor a metadata server), else Application Default Credentials.
 */
export async function defaultAuthClient(env: Record<string, string | undefined> = process.env): Promise<AuthClient> {
  const config = gcpCredentialConfigFromEnv(env);
  if (config) return federatedAuthClient(config);
  return (await new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] }).getClient()) as AuthClient;
}

/** Active projects the identity can see (Cloud Resource Manager v1 `projects.list`), following page tokens. */
export async function listProjectIds(auth: AuthClient, o: GcpClientOptions): Promise<string[]> {
  const base = o.endpoint ?? RESOURCE_MANAGER;
  const ids: string[] = [];
  let pageToken: string | undefined;
  do {
    const url = new URL('/v1/projects', base);
    url.searchParams.set('filter', 'lifecycleState:ACTIVE');
    if (pageToken) url.searchParams.set('pageToken', pageToken);
    const res = await auth.request<{
      projects?: { projectId?: string; lifecycleState?: string }[];
      nextPageToken?: string;
    }>({
      url: url.toString(),
    });
    for (const p of res.data.projects ?? [])
      if (p.projectId && (p.lifecycleState ?? 'ACTIVE') === 'ACTIVE') ids.push(p.projectId);
    pageToken = res.data.nextPageToken || undefined;
  } while (pageToken);
  return ids.sort();
}
