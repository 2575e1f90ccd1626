import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Test helper: a loopback proxy in front of the simulated AWS endpoint that answers chosen requests itself (an empty
 * 200, a page token that repeats, no answer at all, a late answer) and forwards the rest, so the real SDK clients
 * meet each fault on the wire. Small on purpose: the general, seeded fault layer lives in sim/.
 */
export interface ProxiedRequest {
  method: string;
  /** Path without the query string: `/clusters/alpha/access-entries`. */
  path: string;
  /** Query string and form body parameters together (`Action` of query-protocol services). */
  params: URLSearchParams;
  headers: IncomingMessage['headers'];
}

export type FaultAnswer =
  /** Never answers (the connection stays open until the client gives up). */
  | { hang: true }
  /** Forwards after this delay. */
  | { delayMs: number }
  /** Answers this instead of forwarding. */
  | { status?: number; contentType?: string; body: string | ((req: ProxiedRequest, hit: number) => string) };

export interface FaultRule {
  match(req: ProxiedRequest): boolean;
  answer: FaultAnswer;
  /** Only the first `times` matching requests (default: all). */
  times?: number;
}

export interface FaultProxy {
  endpoint: string;
  /** How many requests each rule answered, by index. */
  hits: number[];
  close(): Promise<void>;
}

/** Matches a REST request (EKS, GuardDuty) by method and path pattern. */
export const rest =
  (method: string, path: RegExp) =>
  (r: ProxiedRequest): boolean =>
    r.method === method && path.test(r.path);

/** Matches a query-protocol request (IAM, STS, EC2) by its `Action`. */
export const queryAction =
  (action: string) =>
  (r: ProxiedRequest): boolean =>
    r.params.get('Action') === action;

/** Matches an awsJson request (SSM, Organizations) by the action in `X-Amz-Target`. */
export const jsonTarget =
  (action: string) =>
  (r: ProxiedRequest): boolean =>
    String(r.headers['x-amz-target'] ?? '').endsWith(`.${action}`);

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function forward(target: URL, req: IncomingMessage, body: Buffer, res: ServerResponse): void {
  const upstream = request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => res.destroy());
  upstream.end(body);
}

export async function startFaultProxy(targetEndpoint: string, rules: FaultRule[]): Promise<FaultProxy> {
  const target = new URL(targetEndpoint);
  const hits = rules.map(() => 0);
  const server = createServer((req, res) => {
    readBody(req)
      .then(async (body) => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const params = new URLSearchParams(url.search);
        if (/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) {
          for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.append(k, v);
        }
        const proxied: ProxiedRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          params,
          headers: req.headers,
        };
        const index = rules.findIndex((r, i) => (r.times === undefined || hits[i]! < r.times) && r.match(proxied));
        const rule = rules[index];
        if (!rule) return forward(target, req, body, res);
        hits[index]! += 1;
        const answer = rule.answer;
        if ('hang' in answer) return; // the client's timeout, or its deadline, must end this
        if ('delayMs' in answer) {
          await sleep(answer.delayMs);
          return forward(target, req, body, res);
        }
        const text = typeof answer.body === 'function' ? answer.body(proxied, hits[index]!) : answer.body;
        res.writeHead(answer.status ?? 200, {
          'content-type': answer.contentType ?? 'application/json',
          'content-length': Buffer.byteLength(text),
        });
        res.end(text);
      })
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
