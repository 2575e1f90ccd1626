/**
 * Wire formats of the AWS protocols the simulated services speak, as the AWS SDK v3 parses them:
 * - awsQuery (STS, IAM): XML with PascalCase elements, lists of `<member>`, ISO timestamps;
 * - ec2Query (EC2): XML with lowerCamel elements, lists of `<item>`, errors under `<Response><Errors>`;
 * - restJson1 (EKS, GuardDuty): JSON, epoch-second timestamps, error type in `x-amzn-errortype` and `__type`;
 * - awsJson1.1 (SSM, Organizations): `POST /` with `X-Amz-Target: <Service>.<Action>`, JSON both ways, epoch-second
 *   timestamps, errors in `__type`.
 */

export type AwsProtocol = 'awsQuery' | 'ec2Query' | 'restJson1' | 'awsJson1_1' | 'restXml';

export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** An AWS error, rendered in whichever protocol the service speaks. */
export class AwsError extends Error {
  override name = 'AwsError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra members of a JSON error body (e.g. `clusterName` on ResourceNotFoundException). */
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
  }

  get type(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

export interface ErrorShape {
  status: number;
  code: string;
  message: string;
}

/** What the awsQuery services (STS, IAM) answer for an unknown access key, and when throttled. */
export const AWS_QUERY_ERRORS: { unrecognizedClient: ErrorShape; throttled: ErrorShape } = {
  unrecognizedClient: {
    status: 403,
    code: 'InvalidClientTokenId',
    message: 'The security token included in the request is invalid.',
  },
  throttled: { status: 400, code: 'Throttling', message: 'Rate exceeded' },
};

export function awsError(shape: ErrorShape, detail?: string): AwsError {
  return new AwsError(shape.status, shape.code, detail ? `${shape.message} ${detail}` : shape.message);
}

export function xmlEscape(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[c]};`);
}

/**
 * Serializes a value as XML children. Objects become elements in key order, arrays become
 * `<member>` (awsQuery) or `<item>` (ec2Query) entries, Dates ISO 8601, undefined is skipped.
 */
export function toXml(value: unknown, listItem: 'member' | 'item'): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => `<${listItem}>${toXml(v, listItem)}</${listItem}>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${k}>${toXml(v, listItem)}</${k}>`)
      .join('');
  }
  return xmlEscape(String(value));
}

const XML_HEADERS = { 'content-type': 'text/xml' };

export function awsQueryResponse(action: string, xmlns: string, result: unknown, requestId: string): SimResponse {
  const body =
    `<${action}Response xmlns="${xmlns}"><${action}Result>${toXml(result, 'member')}</${action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
  return { status: 200, headers: { ...XML_HEADERS, 'x-amzn-requestid': requestId }, body };
}

export function awsQueryError(e: AwsError, xmlns: string, requestId: string): SimResponse {
  const body =
    `<ErrorResponse xmlns="${xmlns}"><Error><Type>${e.type}</Type><Code>${xmlEscape(e.code)}</Code>` +
    `<Message>${xmlEscape(e.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { status: e.status, headers: { ...XML_HEADERS, 'x-amzn-requestid': requestId }, body };
}

export function ec2Response(action: string, xmlns: string, result: unknown, requestId: string): SimResponse {
  const body = `<${action}Response xmlns="${xmlns}"><requestId>${requestId}</requestId>${toXml(result, 'item')}</${action}Response>`;
  return { status: 200, headers: { ...XML_HEADERS, 'x-amzn-requestid': requestId }, body };
}

export function ec2Error(e: AwsError, requestId: string): SimResponse {
  const body =
    `<Response><Errors><Error><Code>${xmlEscape(e.code)}</Code><Message>${xmlEscape(e.message)}</Message></Error>` +
    `</Errors><RequestID>${requestId}</RequestID></Response>`;
  return { status: e.status, headers: { ...XML_HEADERS, 'x-amzn-requestid': requestId }, body };
}

/** JSON with Dates as epoch seconds (fractional), which is what restJson1 and awsJson expect. */
export function toAwsJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : v;
  });
}

export function restJsonResponse(result: unknown, requestId: string, status = 200): SimResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
    body: toAwsJson(result),
  };
}

export function restJsonError(e: AwsError, requestId: string): SimResponse {
  return {
    status: e.status,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'x-amzn-errortype': e.code },
    body: toAwsJson({ ...e.fields, __type: e.code, message: e.message }),
  };
}

export function awsJsonResponse(result: unknown, requestId: string): SimResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
    body: toAwsJson(result),
  };
}

export function awsJsonError(e: AwsError, requestId: string): SimResponse {
  return {
    status: e.status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
    body: toAwsJson({ ...e.fields, __type: e.code, message: e.message }),
  };
}
