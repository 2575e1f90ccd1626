import { describe, expect, it } from 'vitest';
import { Deadline } from '../../core/deadline.ts';
import { MalformedResponseError } from '../common/response.ts';
import { classifyAwsError, describeAwsError } from './errors.ts';

function sdkError(name: string, status?: number, attempts?: number) {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status, attempts } });
}

describe('classifyAwsError', () => {
  it.each([
    ['ThrottlingException', 400, 'Throttled'],
    ['RequestLimitExceeded', 503, 'Throttled'],
    ['Throttling', 400, 'Throttled'],
    ['SomethingNew', 429, 'Throttled'],
    ['AccessDenied', 403, 'AccessDenied'],
    ['AccessDeniedException', 403, 'AccessDenied'],
    ['UnrecognizedClientException', 403, 'AccessDenied'],
    ['ExpiredToken', 400, 'AccessDenied'],
    ['ResourceNotFoundException', 404, 'NotFound'],
    ['InternalFailure', 500, 'Unknown'],
  ])('classifies %s (HTTP %s) as %s', (name, status, code) => {
    expect(classifyAwsError(sdkError(name, status))).toBe(code);
  });

  it('classifies refused connections as Unreachable', () => {
    expect(
      classifyAwsError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })),
    ).toBe('Unreachable');
  });

  // The words of @smithy/node-http-handler for its three timeouts.
  it.each([
    [
      'a request with no answer (requestTimeout)',
      'a request has exceeded the configured 300 ms requestTimeout.',
      'Timeout',
    ],
    ['an answer that stalled (socketTimeout)', 'the request socket timed out after 300 ms of inactivity', 'Timeout'],
    [
      'no connection (connectionTimeout)',
      'the request socket did not establish a connection with the server within the configured timeout of 300 ms.',
      'Unreachable',
    ],
  ])('classifies %s as %s', (_name, message, code) => {
    const e = Object.assign(new Error(`@smithy/node-http-handler - ${message}`), { name: 'TimeoutError' });
    expect(classifyAwsError(e)).toBe(code);
  });

  it("keeps the code of the collector's own errors: a malformed answer, the target deadline", () => {
    expect(classifyAwsError(new MalformedResponseError('eks:ListClusters', 'nothing'))).toBe('Malformed');
    const deadline = Deadline.after(0);
    expect(classifyAwsError(deadline.error())).toBe('Timeout');
    expect(describeAwsError(deadline.error())).toBe('Timeout: the target deadline passed before this was collected');
    expect(
      describeAwsError(
        Object.assign(new MalformedResponseError('eks:ListClusters', '{}'), { $metadata: { attempts: 3 } }),
      ),
    ).toBe('Malformed: eks:ListClusters answered {} (after 3 attempts)');
    deadline.dispose();
  });

  it('says how many attempts a throttled call took', () => {
    expect(describeAwsError(sdkError('ThrottlingException', 429, 8))).toBe(
      'Throttled: ThrottlingException: ThrottlingException happened (after 8 attempts)',
    );
  });
});
