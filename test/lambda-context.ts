import type { Context } from 'aws-lambda';

/** The parts of a Lambda context the Powertools logger and middy read, for handler tests. */
export function aLambdaContext(functionName = 'kubeposture-test', remainingMs = 300_000): Context {
  return {
    functionName,
    awsRequestId: 'req-1',
    memoryLimitInMB: '512',
    getRemainingTimeInMillis: () => remainingMs,
  } as unknown as Context;
}
