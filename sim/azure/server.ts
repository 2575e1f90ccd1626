import type { IncomingMessage, ServerResponse } from 'node:http';
import { generate } from 'selfsigned';
import type { SimCall } from '../aws/router.ts';
import { armPaging, type FaultInjector, requestFingerprint } from '../faults.ts';
import { authorizationRoute } from './authorization.ts';
import type { SimAksCluster, SimAzure, SimSubscription } from './fleet.ts';

/**
 * Azure Resource Manager, as `@azure/arm-containerservice`, `@azure/arm-monitor` and a plain ARM GET
 * expect it on the wire: JSON resources with `properties`, lists as `{ value, nextLink }` with an absolute
 * `nextLink` back to this server, errors as `{ error: { code, message } }`. The api-version is accepted
 * whatever it is (each SDK release moves it), but must be present, as ARM requires.
 */

export interface ArmTls {
  cert: string;
  key: string;
}

let tls: Promise<ArmTls> | undefined;

/** A self-signed certificate for 127.0.0.1, made once per process: clients trust it through `ca`. */
export function armTls(): Promise<ArmTls> {
  tls ??= generate([{ name: 'commonName', value: 'kubeposture-sim-arm' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    days: 30,
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  } as never).then((p) => ({ cert: p.cert, key: p.private }));
  return tls;
}

export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** One ARM GET the simulator answers: its action (as recorded), permission (named in 403s) and answer. */
export interface Route {
  action: string;
  permission: string;
  subscriptionId?: string;
  answer(sub: SimSubscription | undefined, url: URL): unknown;
}

export interface ArmDeps {
  azure: SimAzure;
  /** Absolute base of this server, for nextLink. */
  base(): string;
  maxPageSize: number;
  latencyMs: number;
  /** Subscriptions refused in addition to the spec's `denied`. */
  deniedSubscriptions: ReadonlySet<string>;
  record(call: SimCall): void;
  /** The fault layer every answer passes through (sim/faults.ts). */
  faults?: FaultInjector;
  /** Key Vault's routes (sim/azure/keyvault.ts), given the handler's paging. */
  keyVaults?: (page: <T>(items: T[], url: URL) => unknown) => (path: string) => Route | undefined;
}

const MC = 'providers/Microsoft.ContainerService/managedClusters';

export function createArmHandler(deps: ArmDeps) {
  const keyVaultRoute = deps.keyVaults?.(page);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Concatenated, not resolved: `//subscriptions/...` (a resource URI after a slash) is a path, not a host.
    const url = new URL(`${deps.base()}${req.url ?? '/'}`);
    let action = 'Unknown';
    let subscriptionId: string | undefined;
    const send = (status: number, body: unknown, errorCode?: string) => {
      const call: SimCall = {
        service: 'arm',
        action,
        status,
        request: requestFingerprint(req.method, req.url),
        ...(subscriptionId ? { accountId: subscriptionId } : {}),
        ...(errorCode ? { errorCode } : {}),
      };
      const text = JSON.stringify(body);
      const headers = { 'content-type': 'application/json; charset=utf-8', 'x-ms-request-id': crypto.randomUUID() };
      if (deps.faults) {
        const paging = status === 200 ? armPaging(text, url) : undefined;
        deps.faults.deliver({
          cloud: 'azure',
          protocol: 'arm',
          req,
          res,
          call,
          response: { status, headers, body: text },
          ...(paging ? { paging } : {}),
          record: deps.record,
        });
        return;
      }
      deps.record(call);
      res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    try {
      if (deps.latencyMs > 0) await new Promise((r) => setTimeout(r, deps.latencyMs));
      if (req.method !== 'GET')
        throw new ArmError(405, 'MethodNotAllowed', `The simulator is read-only: ${req.method}`);
      if (!/^Bearer \S+/.test(req.headers.authorization ?? ''))
        throw new ArmError(401, 'AuthenticationFailed', 'Authentication failed. The Authorization header is missing.');
      if (!url.searchParams.get('api-version'))
        throw new ArmError(
          400,
          'MissingApiVersionParameter',
          'The api-version query parameter (?api-version=) is required for all requests.',
        );
      const path = decodeURIComponent(url.pathname)
        .replace(/\/{2,}/g, '/')
        .replace(/\/+$/, '');
      const r = route(path);
      action = r.action;
      if (r.subscriptionId) {
        subscriptionId = r.subscriptionId.toLowerCase();
        const sub = deps.azure.subscriptions.find((s) => s.id === subscriptionId);
        if (!sub || sub.denied || deps.deniedSubscriptions.has(sub.id) || sub.deniedActions.has(r.action)) {
          if (!sub)
            throw new ArmError(
              404,
              'SubscriptionNotFound',
              `The subscription '${r.subscriptionId}' could not be found.`,
            );
          throw new ArmError(
            403,
            'AuthorizationFailed',
            `The client 'kubeposture-reader' with object id '00000000-0000-0000-0000-00000000beef' does not have authorization to perform action '${r.permission}' over scope '/subscriptions/${sub.id}' or the scope is invalid.`,
          );
        }
        send(200, r.answer(sub, url));
      } else {
        send(200, r.answer(undefined, url));
      }
    } catch (e) {
      const err = e instanceof ArmError ? e : new ArmError(500, 'InternalServerError', String(e));
      send(err.status, { error: { code: err.code, message: err.message } }, err.code);
    }
  };

  function page<T>(items: T[], url: URL): { value: T[]; nextLink?: string } {
    const skip = Number(url.searchParams.get('$skipToken') ?? '0') || 0;
    const value = items.slice(skip, skip + deps.maxPageSize);
    if (skip + deps.maxPageSize >= items.length) return { value };
    const next = new URL(url.pathname + url.search, deps.base());
    next.searchParams.set('$skipToken', String(skip + deps.maxPageSize));
    return { value, nextLink: next.toString() };
  }

  function cluster(sub: SimSubscription, rg: string, name: string): SimAksCluster {
    const c = sub.clusters.find(
      (x) => x.resourceGroup.toLowerCase() === rg.toLowerCase() && x.resource.name.toLowerCase() === name.toLowerCase(),
    );
    if (!c)
      throw new ArmError(
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.ContainerService/managedClusters/${name}' under resource group '${rg}' was not found.`,
      );
    return c;
  }

  function upgradesFrom(version: string): { kubernetesVersion: string }[] {
    const [maj, min] = version.split('.').map(Number);
    return deps.azure.kubernetesVersions
      .filter((v) => {
        const [a, b] = v.version.split('.').map(Number);
        return !v.isPreview && a === maj && (b === min || b === (min ?? 0) + 1);
      })
      .flatMap((v) => v.patchVersions)
      .filter((p) => p !== version && p.localeCompare(version, undefined, { numeric: true }) > 0)
      .map((kubernetesVersion) => ({ kubernetesVersion }));
  }

  function route(path: string): Route {
    let m: RegExpExecArray | null;
    if (path === '/subscriptions')
      return {
        action: 'Subscriptions.List',
        permission: 'Microsoft.Resources/subscriptions/read',
        answer: (_s, url) =>
          page(
            deps.azure.subscriptions
              .filter((s) => !s.denied && !deps.deniedSubscriptions.has(s.id))
              .map((s) => ({
                id: `/subscriptions/${s.id}`,
                subscriptionId: s.id,
                tenantId: deps.azure.tenantId,
                displayName: s.displayName,
                state: 'Enabled',
              })),
            url,
          ),
      };
    m = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.ContainerService\/managedClusters$/i.exec(path);
    if (m)
      return {
        action: 'ManagedClusters.List',
        permission: 'Microsoft.ContainerService/managedClusters/read',
        subscriptionId: m[1]!,
        answer: (sub, url) =>
          page(
            sub!.clusters.map((c) => c.resource),
            url,
          ),
      };
    m =
      /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.ContainerService\/locations\/([^/]+)\/kubernetesVersions$/i.exec(
        path,
      );
    if (m)
      return {
        action: 'ManagedClusters.ListKubernetesVersions',
        permission: 'Microsoft.ContainerService/locations/kubernetesVersions/read',
        subscriptionId: m[1]!,
        answer: () => ({
          values: deps.azure.kubernetesVersions.map((v, i, all) => ({
            version: v.version,
            capabilities: { supportPlan: v.supportPlan },
            ...(v.isPreview ? { isPreview: true } : {}),
            ...(i === all.length - 2 ? { isDefault: true } : {}),
            patchVersions: Object.fromEntries(
              v.patchVersions.map((p) => [p, { upgrades: upgradesFrom(p).map((u) => u.kubernetesVersion) }]),
            ),
          })),
        }),
      };
    const clusterPath = `^/subscriptions/([^/]+)/resourceGroups/([^/]+)/${MC}/([^/]+)`;
    m = new RegExp(`${clusterPath}$`, 'i').exec(path);
    if (m)
      return {
        action: 'ManagedClusters.Get',
        permission: 'Microsoft.ContainerService/managedClusters/read',
        subscriptionId: m[1]!,
        answer: (sub) => cluster(sub!, m![2]!, m![3]!).resource,
      };
    m = new RegExp(`${clusterPath}/upgradeProfiles/default$`, 'i').exec(path);
    if (m)
      return {
        action: 'ManagedClusters.GetUpgradeProfile',
        permission: 'Microsoft.ContainerService/managedClusters/upgradeProfiles/read',
        subscriptionId: m[1]!,
        answer: (sub) => {
          const c = cluster(sub!, m![2]!, m![3]!);
          const props = c.resource.properties;
          const version = String(props.currentKubernetesVersion);
          return {
            id: `${c.resource.id}/upgradeprofiles/default`,
            name: 'default',
            type: 'Microsoft.ContainerService/managedClusters/upgradeprofiles',
            properties: {
              controlPlaneProfile: { kubernetesVersion: version, osType: 'Linux', upgrades: upgradesFrom(version) },
              agentPoolProfiles: ((props.agentPoolProfiles ?? []) as Record<string, unknown>[]).map((p) => ({
                name: p.name,
                kubernetesVersion: p.currentOrchestratorVersion,
                osType: p.osType,
                upgrades: upgradesFrom(String(p.currentOrchestratorVersion)),
              })),
            },
          };
        },
      };
    m = new RegExp(`${clusterPath}/agentPools/([^/]+)/upgradeProfiles/default$`, 'i').exec(path);
    if (m)
      return {
        action: 'AgentPools.GetUpgradeProfile',
        permission: 'Microsoft.ContainerService/managedClusters/agentPools/upgradeProfiles/read',
        subscriptionId: m[1]!,
        answer: (sub) => {
          const c = cluster(sub!, m![2]!, m![3]!);
          const pool = ((c.resource.properties.agentPoolProfiles ?? []) as Record<string, unknown>[]).find(
            (p) => String(p.name).toLowerCase() === m![4]!.toLowerCase(),
          );
          if (!pool) throw new ArmError(404, 'NotFound', `Agent pool ${m![4]} not found in ${c.resource.name}.`);
          return {
            id: `${c.resource.id}/agentPools/${pool.name}/upgradeProfiles/default`,
            name: 'default',
            type: 'Microsoft.ContainerService/managedClusters/agentPools/upgradeProfiles',
            properties: {
              kubernetesVersion: pool.currentOrchestratorVersion,
              osType: pool.osType,
              upgrades: upgradesFrom(String(pool.currentOrchestratorVersion)),
              latestNodeImageVersion: c.latestNodeImages[String(pool.name)],
            },
          };
        },
      };
    m = new RegExp(`${clusterPath}/providers/Microsoft\\.Insights/diagnosticSettings$`, 'i').exec(path);
    if (m)
      return {
        action: 'DiagnosticSettings.List',
        permission: 'Microsoft.Insights/diagnosticSettings/read',
        subscriptionId: m[1]!,
        answer: (sub) => {
          const c = cluster(sub!, m![2]!, m![3]!);
          return {
            value: c.diagnosticSettings.map((d) => ({
              id: `${c.resource.id}/providers/microsoft.insights/diagnosticSettings/${d.name}`,
              name: d.name,
              type: 'Microsoft.Insights/diagnosticSettings',
              properties: {
                ...(d.workspaceId ? { workspaceId: d.workspaceId } : {}),
                ...(d.storageAccountId ? { storageAccountId: d.storageAccountId } : {}),
                ...(d.eventHubAuthorizationRuleId
                  ? { eventHubAuthorizationRuleId: d.eventHubAuthorizationRuleId }
                  : {}),
                logs: d.logs.map((l) => ({ ...l, retentionPolicy: { enabled: false, days: 0 } })),
                metrics: [],
              },
            })),
          };
        },
      };
    const kv = keyVaultRoute?.(path);
    if (kv) return kv;
    const authorization = authorizationRoute(
      path,
      deps.azure,
      page,
      (msg) => new ArmError(404, 'RoleDefinitionDoesNotExist', msg),
    );
    if (authorization) return authorization;
    throw new ArmError(400, 'InvalidResourceType', `The simulator does not serve GET ${path}`);
  }
}
