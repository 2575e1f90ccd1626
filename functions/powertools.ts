import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { InvalidInputError } from './input.ts';

/** One logger and one metrics object per container, shared by every function of the bundle. */
export const logger = new Logger({ serviceName: 'kubeposture' });

/** EMF metrics (no API call at runtime); the stack's alarms read them from the `kubeposture` namespace. */
export const metrics = new Metrics({ namespace: 'kubeposture', serviceName: 'kubeposture' });

/** Logs a failed invocation once, by name and message (the event is not logged: it is the caller's). */
export const logFailure = {
  onError: (request: { error?: unknown }) => {
    const e = request.error;
    if (e instanceof InvalidInputError) logger.warn('Rejected invalid input', { issues: e.issues });
    else logger.error('Invocation failed', e instanceof Error ? e : String(e));
  },
};

/**
 * The middleware every event-driven function (plan, scan-target, finalize) runs in: Lambda context
 * and per-invocation keys in the logs (reset after each), EMF metrics flushed at the end, one log
 * line per failure. Tests wrap handlers built on their own deps with it.
 */
export function withMiddleware<I, O>(fn: (event: I, context: Context) => Promise<O>) {
  return middy(fn)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .use(logFailure);
}
