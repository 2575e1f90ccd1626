import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { InvalidInputError } from './input.ts';
import { METRIC_NAMESPACE, METRIC_SERVICE } from './stack-contract.ts';

/** One logger and one metrics object per container, shared by every function of the bundle. */
export const logger = new Logger({ serviceName: 'kubeposture' });

/** EMF metrics (no API call at runtime); the stack's alarms read them from the `kubeposture` namespace. */
export const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE });

/**
 * X-Ray segments for the handlers (the functions run with active tracing). Off outside Lambda (the tracer checks
 * `AWS_EXECUTION_ENV`), so in tests it does nothing, and the CLI never loads this module. Outgoing HTTPS is
 * captured too, which covers the collectors' SDK clients; clients built in the functions are captured by name.
 */
export const tracer = new Tracer({ serviceName: 'kubeposture' });

/** An AWS SDK v3 client with X-Ray subsegments per call (service, operation, throttling and errors). */
export function traced<T>(client: T): T {
  return tracer.captureAWSv3Client(client);
}

/** Logs a failed invocation once, by name and message (the event is not logged: it is the caller's). */
export const logFailure = {
  onError: (request: { error?: unknown }) => {
    const e = request.error;
    if (e instanceof InvalidInputError) logger.warn('Rejected invalid input', { issues: e.issues });
    else logger.error('Invocation failed', e instanceof Error ? e : String(e));
  },
};

/**
 * The middleware every event-driven function (plan, scan-target, finalize) runs in: an X-Ray subsegment per
 * invocation (responses are not recorded: they name accounts and findings), Lambda context
 * and per-invocation keys in the logs (reset after each), EMF metrics flushed at the end, one log
 * line per failure. Tests wrap handlers built on their own deps with it.
 */
export function withMiddleware<I, O>(fn: (event: I, context: Context) => Promise<O>) {
  return middy(fn)
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .use(logFailure);
}
