import { describe, expect, it } from 'vitest';
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

  it('says how many attempts a throttled call took', () => {
    expect(describeAwsError(sdkError('ThrottlingException', 429, 8))).toBe(
      'Throttled: ThrottlingException: ThrottlingException happened (after 8 attempts)',
    );
  });
});
