import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/**
 * For tests only: a loopback reverse proxy in front of one simulator server (ARM over https, GKE over http) that
 * answers chosen requests with a fault instead, so the real SDK clients meet each fault class on the wire. Absolute
 * links in forwarded bodies (ARM `nextLink`) are rewritten to the proxy, so later pages come through it too.
 */
export type Fault =
  /** An error status (429, 500, 503...) with optional headers (Retry-After) and body. */
  | { status: number; headers?: Record<string, string>; body?: string }
  /** A 200 whose body is this text: `{}`, garbage, a truncated document. */
  | { body: string }
  /** Never answers (the socket stays open until the client gives up or the proxy closes). */
  | { hang: 'before-headers' | 'after-headers' }
  /** Forwards, then rewrites the upstream JSON answer (e.g. a `nextLink` that repeats). */
  | { edit: (json: Record<string, unknown>) => unknown };

export interface ProxiedCall {
  method: string;
  /** Path and query as received. */
  url: string;
  faulted: boolean;
}

export interface FaultProxy {
  url: string;
  calls: ProxiedCall[];
  /** Requests whose path (without query) matches. */
  count(path: RegExp): number;
  /** Forgets the calls and the per-path counts (between tests). */
  reset(): void;
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  /** The simulator server to forward to. */
  upstream: string;
  /** Serve https with this certificate (the simulator's ARM one), and trust `ca` towards the upstream. */
  tls?: { cert: string; key: string };
  ca?: string;
  /** The fault for a request (its path without query, and how many requests matched this path so far, from 1). */
  fault(req: { method: string; path: string; url: string; n: number }): Fault | undefined;
}

export async function startFaultProxy(o: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(o.upstream);
  const calls: ProxiedCall[] = [];
  const perPath = new Map<string, number>();
  const sockets = new Set<Socket>();
  let base = '';

  const forward = (
    req: IncomingMessage,
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const request = (upstream.protocol === 'https:' ? https : http).request(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
          ...(o.ca ? { ca: o.ca } : {}),
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on('error', reject);
        },
      );
      request.on('error', reject);
      req.pipe(request);
    });

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const path = url.split('?')[0]!;
    const n = (perPath.get(path) ?? 0) + 1;
    perPath.set(path, n);
    const fault = o.fault({ method: req.method ?? 'GET', path, url, n });
    calls.push({ method: req.method ?? 'GET', url, faulted: fault !== undefined && !('edit' in fault) });
    const json = { 'content-type': 'application/json; charset=utf-8' };
    if (fault && 'hang' in fault) {
      if (fault.hang === 'after-headers') {
        res.writeHead(200, { ...json, 'content-length': '1000' });
        res.write('{"value": [');
      }
      return; // the socket stays open; close() destroys it
    }
    if (fault && 'status' in fault) {
      const body = fault.body ?? JSON.stringify({ error: { code: `Fault${fault.status}`, message: 'injected fault' } });
      res.writeHead(fault.status, { ...json, ...fault.headers, 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (fault && 'body' in fault) {
      res.writeHead(200, { ...json, 'content-length': Buffer.byteLength(fault.body) });
      res.end(fault.body);
      return;
    }
    try {
      const up = await forward(req);
      let text = up.body.toString('utf8').replaceAll(upstream.origin, base);
      if (fault && 'edit' in fault && up.status === 200) text = JSON.stringify(fault.edit(JSON.parse(text)));
      res.writeHead(up.status, { ...json, 'content-length': Buffer.byteLength(text) });
      res.end(text);
    } catch (e) {
      res.writeHead(502, json);
      res.end(JSON.stringify({ error: { code: 'ProxyError', message: String(e) } }));
    }
  };

  const server = o.tls ? https.createServer({ cert: o.tls.cert, key: o.tls.key }, handler) : http.createServer(handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `${o.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    calls,
    count: (re) => calls.filter((c) => re.test(c.url.split('?')[0]!)).length,
    reset: () => {
      calls.length = 0;
      perPath.clear();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
