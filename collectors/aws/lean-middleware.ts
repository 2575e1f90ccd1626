/**
 * Cheaper stand-ins for SDK middlewares that redo per call what is constant per client (issue #11: CPU per AWS API
 * call). Each does what the SDK's does, with the SDK's own code wherever it can be reached; what differs is said
 * where it differs. Measured with `npm run bench:calls` (bench/README.md).
 */
import { getUserAgentMiddlewareOptions, userAgentMiddleware } from '@aws-sdk/core/client';
import {
  deserializerMiddlewareOption,
  getSchemaSerdePlugin,
  operation,
  serializerMiddlewareOption,
} from '@smithy/core/schema';
import { getSmithyContext, toEndpointV1 } from '@smithy/core/transport';
import type { AnyMiddlewareStack } from './responses.ts';

// biome-ignore lint/suspicious/noExplicitAny: middlewares are the same for every client's input and output.
type Any = any;
type Next = (args: Any) => Promise<Any>;
interface Client {
  middlewareStack: AnyMiddlewareStack;
  config: unknown;
}

const USER_AGENTS = new Map<string, Promise<Record<string, string>>>();

/**
 * The SDK's user-agent headers, computed by the SDK's own middleware once per service and process instead of once
 * per call (it rebuilds and escapes every section of the string, reads the OS release and awaits four providers per
 * call). What it leaves out: the per-call feature letters of `m/` (SDK telemetry) are those of the service's first
 * call. A failed first computation is not kept (the next call tries again).
 */
export function staticUserAgent(client: Client, service: string): void {
  const sdk = userAgentMiddleware(client.config as Parameters<typeof userAgentMiddleware>[0]);
  client.middlewareStack.add(
    (next: Next, context: Any) => async (args: { request?: unknown }) => {
      const request = args.request as { headers?: Record<string, string> } | undefined;
      if (!request?.headers) return next(args);
      let headers = USER_AGENTS.get(service);
      if (!headers) {
        const captured = sdk(async (a) => {
          const set = (a.request as { headers: Record<string, string> }).headers;
          return { output: { 'user-agent': set['user-agent'], 'x-amz-user-agent': set['x-amz-user-agent'] } } as Any;
        }, context)({ ...args, request: { ...request, headers: {} } } as Any) as Promise<{
          output: Record<string, string>;
        }>;
        headers = captured.then((r) => Object.fromEntries(Object.entries(r.output).filter(([, v]) => v)));
        USER_AGENTS.set(service, headers);
        headers.catch(() => USER_AGENTS.delete(service));
      }
      Object.assign(request.headers, await headers);
      return next(args);
    },
    getUserAgentMiddlewareOptions,
  );
}

/**
 * The SDK's (de)serialization middlewares hand the protocol `{ ...config, ...context }`: a copy of the whole client
 * configuration (about 70 properties) twice per call. These hand it an object that reads the configuration through
 * its prototype and holds the call's context as its own properties: the same values for every property read (the
 * protocols only read them; nothing enumerates or spreads the serde context). A deserialization error goes through
 * the SDK's own middleware (its `$response`, `$metadata` and message hint), given the error to throw.
 */
export function leanSerde(client: Client): void {
  const config = client.config as {
    protocol: {
      serializeRequest(op: Any, input: Any, ctx: Any): Promise<Any>;
      deserializeResponse(op: Any, ctx: Any, response: Any): Promise<Any>;
    };
    endpoint?: Any;
  };
  const serdeContext = (context: object) => Object.assign(Object.create(config) as Record<string, unknown>, context);
  const operationOf = (context: Any) => {
    const [, ns, n, t, i, o] = getSmithyContext(context).operationSchema ?? ([] as Any);
    return operation(ns, n, t, i, o);
  };
  client.middlewareStack.add(
    (next: Next, context: Any) => async (args: Any) => {
      const serde = serdeContext(context);
      const endpointV2 = context.endpointV2;
      serde.endpoint = endpointV2 ? async () => endpointV1(endpointV2) : config.endpoint;
      const request = await config.protocol.serializeRequest(operationOf(context), args.input, serde);
      return next({ ...args, request });
    },
    { ...serializerMiddlewareOption, override: true },
  );
  client.middlewareStack.add(
    (next: Next, context: Any) => async (args: Any) => {
      const { response } = await next(args);
      try {
        const output = await config.protocol.deserializeResponse(operationOf(context), serdeContext(context), response);
        return { response, output };
      } catch (error) {
        return sdkDeserializer(error)(async () => ({ response }), context)(args);
      }
    },
    { ...deserializerMiddlewareOption, override: true },
  );
}

/**
 * The request's endpoint in the protocols' form, converted once per resolved endpoint: the SDK's endpoint resolution
 * caches its answers per client and parameters (the same object for every call of a client), and the SDK's
 * serialization middleware parsed its URL again on every call. The protocols only read it.
 */
const ENDPOINTS_V1 = new WeakMap<object, ReturnType<typeof toEndpointV1>>();
function endpointV1(endpoint: Parameters<typeof toEndpointV1>[0] & object): ReturnType<typeof toEndpointV1> {
  let v1 = ENDPOINTS_V1.get(endpoint);
  if (!v1) {
    v1 = toEndpointV1(endpoint);
    ENDPOINTS_V1.set(endpoint, v1);
  }
  return v1;
}

/** The SDK's deserialization middleware, with a protocol that throws `error`: its error handling, as the SDK does it. */
function sdkDeserializer(error: unknown): (next: Next, context: Any) => (args: Any) => Promise<Any> {
  let middleware: ((next: Next, context: Any) => (args: Any) => Promise<Any>) | undefined;
  const protocol = { setSerdeContext() {}, deserializeResponse: () => Promise.reject(error) };
  getSchemaSerdePlugin({ protocol } as Any).applyToStack({
    add: (mw: Any, o: { name?: string }) => {
      if (o.name === deserializerMiddlewareOption.name) middleware = mw;
    },
  } as Any);
  if (!middleware) throw error;
  return middleware;
}
