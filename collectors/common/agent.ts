import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';

/**
 * Node has no connect timeout of its own: a host that drops SYNs, or a server that accepts TCP and never finishes
 * TLS, holds a socket until the OS gives up (minutes). These agents fail a new socket that has not connected (for
 * https: completed the handshake) within `connectTimeoutMs` with `ETIMEDOUT`, the transient network error every SDK's
 * retry recognizes. Kept-alive sockets are reused as usual; only new connections are timed.
 */
function timeConnect(socket: Duplex, ms: number, event: 'connect' | 'secureConnect'): Duplex {
  const timer = setTimeout(() => {
    socket.destroy(Object.assign(new Error(`connect timed out after ${ms} ms`), { code: 'ETIMEDOUT' }));
  }, ms);
  timer.unref();
  const clear = () => clearTimeout(timer);
  socket.once(event, clear);
  socket.once('close', clear);
  return socket;
}

type CreateConnection = (options: unknown, callback?: unknown) => Duplex;

export function connectTimeoutHttpsAgent(connectTimeoutMs: number, options: https.AgentOptions = {}): https.Agent {
  const agent = new https.Agent({ keepAlive: true, ...options });
  const create = (agent.createConnection as unknown as CreateConnection).bind(agent);
  (agent as unknown as { createConnection: CreateConnection }).createConnection = (o, cb) =>
    timeConnect(create(o, cb), connectTimeoutMs, 'secureConnect');
  return agent;
}

export function connectTimeoutHttpAgent(connectTimeoutMs: number, options: http.AgentOptions = {}): http.Agent {
  const agent = new http.Agent({ keepAlive: true, ...options });
  const create = (agent.createConnection as unknown as CreateConnection).bind(agent);
  (agent as unknown as { createConnection: CreateConnection }).createConnection = (o, cb) =>
    timeConnect(create(o, cb), connectTimeoutMs, 'connect');
  return agent;
}

/**
 * Sockets per endpoint (host and port) of a shared agent. Node pools per endpoint; one scan sends each AWS endpoint
 * (service × region) at most what its rate limiters let through, times the latency: a few dozen in flight.
 * The bound only keeps a runaway from opening thousands.
 */
export const MAX_SOCKETS_PER_ENDPOINT = 256;

/**
 * Keep-alive agents for a handler shared by many clients: idle connections are reused (LIFO, so the warmest
 * first) by every client of the process and, as Node's agents unref idle sockets, never keep it alive.
 */
export function keepAliveAgents(): { httpAgent: http.Agent; httpsAgent: https.Agent } {
  const options = { keepAlive: true, maxSockets: MAX_SOCKETS_PER_ENDPOINT, scheduling: 'lifo' as const };
  return { httpAgent: new http.Agent(options), httpsAgent: new https.Agent(options) };
}
