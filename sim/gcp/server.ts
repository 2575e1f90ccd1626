import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimCall } from '../aws/router.ts';
import { type FaultInjector, googlePaging, requestFingerprint } from '../faults.ts';
import type { SimGcp, SimProject } from './fleet.ts';
import { GET_IAM_POLICY_PATH, iamAnswer, iamCallOf } from './iam.ts';

/**
 * The GKE REST API v1 (what `@google-cloud/container` speaks with `fallback: true`) and Cloud Resource
 * Manager v1 `projects.list`, over plain http. Errors use Google's JSON shape, with an `ErrorInfo` detail
 * whose `reason` says why (SERVICE_DISABLED, IAM_PERMISSION_DENIED), as the real APIs do.
 */

export class GoogleError extends Error {
  constructor(
    readonly status: number,
    readonly grpcStatus: string,
    message: string,
    readonly reason?: string,
    readonly metadata: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface GkeDeps {
  gcp: SimGcp;
  latencyMs: number;
  record(call: SimCall): void;
  /** The fault layer every answer passes through (sim/faults.ts). */
  faults?: FaultInjector;
  /** Cloud KMS crypto keys (sim/gcp/kms.ts), served on the same port. */
  kms?: (path: string) => { action: string; projectId: string; answer(): unknown } | undefined;
}

export function createGkeHandler(deps: GkeDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let action = 'Unknown';
    let service = 'gke';
    let projectId: string | undefined;
    const send = (status: number, body: unknown, errorCode?: string) => {
      const call: SimCall = {
        service,
        action,
        status,
        request: requestFingerprint(req.method, req.url),
        ...(projectId ? { accountId: projectId } : {}),
        ...(errorCode ? { errorCode } : {}),
      };
      const text = JSON.stringify(body);
      const headers = { 'content-type': 'application/json; charset=UTF-8' };
      if (deps.faults) {
        // Only projects.list pages (by nextPageToken); GKE's clusters.list has no pagination.
        const paging = status === 200 && action === 'projects.list' ? googlePaging(url) : undefined;
        deps.faults.deliver({
          cloud: 'gcp',
          protocol: 'google',
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
      const path = decodeURIComponent(url.pathname);
      // getIamPolicy reads, but is a POST.
      if (req.method !== 'GET' && !(req.method === 'POST' && GET_IAM_POLICY_PATH.test(path)))
        throw new GoogleError(405, 'INVALID_ARGUMENT', `The simulator is read-only: ${req.method}`);
      if (!/^Bearer \S+/.test(req.headers.authorization ?? ''))
        throw new GoogleError(401, 'UNAUTHENTICATED', 'Request is missing required authentication credential.');
      const iamCall = iamCallOf(path);
      if (iamCall) {
        service = iamCall.service;
        action = iamCall.action;
        projectId = /^\/v[13]\/projects\/([^/:]+)/.exec(path)?.[1];
      }
      const iam = iamAnswer(
        req.method,
        path,
        req.method === 'POST' ? await readBody(req) : '',
        deps.gcp,
        (status, grpc, message, reason, metadata) => new GoogleError(status, grpc, message, reason, metadata),
      );
      if (iam) {
        projectId = iam.projectId;
        send(200, iam.body);
        return;
      }
      if (path === '/v1/projects') {
        // Cloud Resource Manager, served on the same port.
        service = 'crm';
        action = 'projects.list';
        const projects = deps.gcp.projects
          .filter((p) => !p.denied)
          .map((p) => ({ projectId: p.id, projectNumber: p.number, name: p.id, lifecycleState: 'ACTIVE' }));
        send(200, { projects });
        return;
      }
      const one = /^\/v1\/projects\/([^/]+)\/(?:locations|zones)\/([^/]+)\/clusters\/([^/]+)$/.exec(path);
      if (one) {
        const [, project, location, name] = one as unknown as [string, string, string, string];
        action = 'clusters.get';
        projectId = project;
        const found = access(project).clusters.find((c) => c.cluster.location === location && c.cluster.name === name);
        if (!found)
          throw new GoogleError(
            404,
            'NOT_FOUND',
            `Not found: projects/${project}/locations/${location}/clusters/${name}.`,
          );
        send(200, found.cluster);
        return;
      }
      const key = deps.kms?.(path);
      if (key) {
        service = 'cloudkms';
        action = key.action;
        projectId = key.projectId;
        send(200, key.answer());
        return;
      }
      const m = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/(clusters|serverConfig)$/.exec(path);
      if (!m) throw new GoogleError(404, 'NOT_FOUND', `The simulator does not serve GET ${path}`);
      const [, project, location, what] = m as unknown as [string, string, string, string];
      action = what === 'clusters' ? 'clusters.list' : 'getServerConfig';
      projectId = project;
      const p = access(project);
      if (p.deniedActions.has(action))
        throw new GoogleError(
          403,
          'PERMISSION_DENIED',
          `Permission denied on 'locations/${location}' (or it may not exist).`,
          'IAM_PERMISSION_DENIED',
          { permission: 'container.clusters.list' },
        );
      if (what === 'serverConfig') {
        send(200, deps.gcp.serverConfig);
        return;
      }
      const clusters = p.clusters
        .filter((c) => location === '-' || c.cluster.location === location)
        .map((c) => c.cluster);
      send(200, { clusters, missingZones: [] });
    } catch (e) {
      const err = e instanceof GoogleError ? e : new GoogleError(500, 'INTERNAL', String(e));
      send(
        err.status,
        {
          error: {
            code: err.status,
            message: err.message,
            status: err.grpcStatus,
            ...(err.reason
              ? {
                  details: [
                    {
                      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
                      reason: err.reason,
                      domain: 'googleapis.com',
                      metadata: err.metadata,
                    },
                  ],
                }
              : {}),
          },
        },
        err.reason ?? err.grpcStatus,
      );
    }
  };

  function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  function access(project: string): SimProject {
    const p = deps.gcp.projects.find((x) => x.id === project || x.number === project);
    if (!p || p.denied)
      throw new GoogleError(
        403,
        'PERMISSION_DENIED',
        `Permission 'container.clusters.list' denied on resource '//container.googleapis.com/projects/${project}' (or it may not exist).`,
        'IAM_PERMISSION_DENIED',
        { permission: 'container.clusters.list' },
      );
    if (p.apiDisabled)
      throw new GoogleError(
        403,
        'PERMISSION_DENIED',
        `Kubernetes Engine API has not been used in project ${p.number} before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/container.googleapis.com/overview?project=${p.number} then retry.`,
        'SERVICE_DISABLED',
        { service: 'container.googleapis.com', consumer: `projects/${p.number}` },
      );
    return p;
  }
}
