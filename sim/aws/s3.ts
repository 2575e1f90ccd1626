import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { SimFleet } from '../fleet.ts';
import { AwsError, type SimResponse, xmlEscape } from './protocol.ts';
import { type AwsRequest, type AwsService, notImplemented, type Operation, type RequestContext } from './service.ts';

/**
 * Amazon S3 (REST, XML), path-style (`/bucket/key`), in memory: what `@aws-sdk/client-s3` sends for
 * CreateBucket, HeadBucket, PutObject, GetObject, HeadObject, CopyObject, DeleteObject and ListObjectsV2,
 * with S3's own errors, conditional writes (If-Match / If-None-Match), ETags, and the SDK's checksums
 * (x-amz-checksum-*, Content-MD5, x-amz-content-sha256, aws-chunked bodies with trailers) verified.
 *
 * Bodies are text: the router reads them as UTF-8, which round-trips any UTF-8 document (JSON, HTML).
 */

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const LIST_MAX = 1000;

export interface S3Object {
  body: Buffer;
  etag: string;
  lastModified: Date;
  contentType: string;
  /** Full-object checksums the writer sent (and the sim verified), by header name: `x-amz-checksum-crc32`. */
  checksums: Record<string, string>;
  /** Server-side encryption headers as given (`x-amz-server-side-encryption`, `...-aws-kms-key-id`). */
  encryption: Record<string, string>;
}

export interface S3Bucket {
  name: string;
  ownerAccountId: string;
  region: string;
  objects: Map<string, S3Object>;
}

/** One IAM policy statement, as CloudFormation renders it (after resolving intrinsics). */
export interface S3PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: unknown;
}

/**
 * The simulated S3 of one cloud: its buckets, and optional identity policies. A principal with no
 * policy attached may do anything in its own account's buckets (the usual test setup); once a policy
 * is attached to its role (or user) ARN, every S3 action is checked against it, and a missing key
 * answers 403 AccessDenied instead of 404 NoSuchKey unless the policy allows `s3:ListBucket`, as S3 does.
 */
export class SimS3 {
  readonly buckets = new Map<string, S3Bucket>();
  private readonly policies = new Map<string, S3PolicyStatement[]>();

  /** Attaches S3 statements to a role (`arn:aws:iam::ACCOUNT:role/NAME`, every session of it) or user ARN. */
  attachPolicy(arn: string, statements: readonly S3PolicyStatement[]): void {
    for (const s of statements) {
      if (s.Condition !== undefined) {
        throw new Error(`The simulated S3 does not evaluate policy conditions (statement on ${String(s.Resource)})`);
      }
    }
    this.policies.set(arn, [...(this.policies.get(arn) ?? []), ...statements]);
  }

  /** The object's body as text, or undefined; for test assertions. */
  text(bucket: string, key: string): string | undefined {
    return this.buckets.get(bucket)?.objects.get(key)?.body.toString('utf8');
  }

  /** Keys of a bucket under a prefix, sorted; for test assertions. */
  keys(bucket: string, prefix = ''): string[] {
    return [...(this.buckets.get(bucket)?.objects.keys() ?? [])].filter((k) => k.startsWith(prefix)).sort();
  }

  /** Whether the caller may do `action` on `resource`: undefined when no policy applies (unrestricted). */
  allows(ctx: RequestContext, action: string, resource: string): boolean | undefined {
    const p = ctx.principal;
    const statements = this.policies.get(p.roleArn ?? p.arn);
    if (!statements) return undefined;
    const matching = statements.filter((s) => matches(s.Action, action, true) && matches(s.Resource, resource));
    if (matching.some((s) => s.Effect === 'Deny')) return false;
    return matching.some((s) => s.Effect === 'Allow');
  }
}

/** IAM's wildcards: `*` any run of characters, `?` one; action names are case-insensitive, ARNs are not. */
function glob(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, ignoreCase ? 'i' : '').test(value);
}

function matches(patterns: string | string[], value: string, ignoreCase = false): boolean {
  return (Array.isArray(patterns) ? patterns : [patterns]).some((p) => glob(p, value, ignoreCase));
}

const states = new WeakMap<SimFleet, SimS3>();

/** The S3 of a simulated cloud (`simS3(cloud.fleet)`): created on first use, live. */
export function simS3(fleet: SimFleet): SimS3 {
  let s3 = states.get(fleet);
  if (!s3) {
    s3 = new SimS3();
    states.set(fleet, s3);
  }
  return s3;
}

// ---------------------------------------------------------------------------------------------
// Wire format

function s3Error(e: AwsError, requestId: string, head = false): SimResponse {
  const extra = Object.entries(e.fields)
    .map(([k, v]) => `<${k}>${xmlEscape(String(v))}</${k}>`)
    .join('');
  return {
    status: e.status,
    headers: {
      ...(head ? {} : { 'content-type': 'application/xml' }),
      'x-amz-request-id': requestId,
      'x-amz-id-2': requestId,
    },
    // HEAD answers carry no body; the SDK names the error from the status (NotFound, Forbidden).
    body: head
      ? ''
      : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(e.code)}</Code>` +
        `<Message>${xmlEscape(e.message)}</Message>${extra}<RequestId>${requestId}</RequestId></Error>`,
  };
}

function ok(ctx: RequestContext, headers: Record<string, string> = {}, body = '', status = 200): SimResponse {
  return { status, headers: { 'x-amz-request-id': ctx.requestId, 'x-amz-id-2': ctx.requestId, ...headers }, body };
}

function xml(ctx: RequestContext, root: string, inner: string): SimResponse {
  return ok(
    ctx,
    { 'content-type': 'application/xml' },
    `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${XMLNS}">${inner}</${root}>`,
  );
}

const el = (name: string, value: string | number | boolean) => `<${name}>${xmlEscape(String(value))}</${name}>`;

const accessDenied = () => new AwsError(403, 'AccessDenied', 'Access Denied');

// ---------------------------------------------------------------------------------------------
// Checksums

/** CRC-32C (Castagnoli), reflected, as S3 and the SDK compute it. */
const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32c(data: Buffer): number {
  let c = 0xffffffff;
  for (const b of data) c = CRC32C_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** CRC-64/NVME (reflected polynomial 0x9a6c9329ac4bc9b5), the SDK's newest default option. */
const CRC64_TABLE = (() => {
  const t: bigint[] = [];
  for (let n = 0n; n < 256n; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1n ? 0x9a6c9329ac4bc9b5n ^ (c >> 1n) : c >> 1n;
    t.push(c);
  }
  return t;
})();

function crc64nvme(data: Buffer): Buffer {
  const mask = 0xffffffffffffffffn;
  let c = mask;
  for (const b of data) c = CRC64_TABLE[Number((c ^ BigInt(b)) & 0xffn)]! ^ (c >> 8n);
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE((c ^ mask) & mask);
  return out;
}

const uint32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

/** The checksum headers S3 understands, and how each is computed (base64 of the big-endian digest). */
export const CHECKSUMS: Record<string, (data: Buffer) => string> = {
  'x-amz-checksum-crc32': (d) => uint32(crc32(d)).toString('base64'),
  'x-amz-checksum-crc32c': (d) => uint32(crc32c(d)).toString('base64'),
  'x-amz-checksum-crc64nvme': (d) => crc64nvme(d).toString('base64'),
  'x-amz-checksum-sha1': (d) => createHash('sha1').update(d).digest('base64'),
  'x-amz-checksum-sha256': (d) => createHash('sha256').update(d).digest('base64'),
};

const header = (req: AwsRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
};

/**
 * The object's bytes and its checksums: decodes an aws-chunked body (`<hex size>[;chunk-signature=...]`
 * CRLF data CRLF ... `0` CRLF trailers CRLF) and checks every digest the client sent, as S3 does.
 */
function payloadOf(req: AwsRequest): { body: Buffer; checksums: Record<string, string> } {
  const raw = Buffer.from(req.body, 'utf8');
  const given: Record<string, string> = {};
  for (const name of Object.keys(CHECKSUMS)) {
    const v = header(req, name);
    if (v) given[name] = v;
  }
  let body: Buffer = raw;
  const encoding = header(req, 'content-encoding') ?? '';
  if (encoding.split(',').some((e) => e.trim() === 'aws-chunked')) {
    const decoded = decodeChunked(raw);
    body = decoded.body;
    Object.assign(given, decoded.trailers);
    const declared = header(req, 'x-amz-decoded-content-length');
    if (declared === undefined || Number(declared) !== body.length) {
      throw new AwsError(
        400,
        'IncompleteBody',
        `The request body is ${body.length} bytes, x-amz-decoded-content-length says ${declared}.`,
      );
    }
  } else {
    const sha = header(req, 'x-amz-content-sha256');
    if (sha && /^[0-9a-f]{64}$/.test(sha) && createHash('sha256').update(raw).digest('hex') !== sha) {
      throw new AwsError(
        400,
        'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      );
    }
  }
  const md5 = header(req, 'content-md5');
  if (md5 && createHash('md5').update(body).digest('base64') !== md5) {
    throw new AwsError(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
  for (const [name, value] of Object.entries(given)) {
    if (CHECKSUMS[name]!(body) !== value) {
      const algorithm = name.slice('x-amz-checksum-'.length).toUpperCase();
      throw new AwsError(400, 'BadDigest', `The ${algorithm} you specified did not match the calculated checksum.`);
    }
  }
  return { body, checksums: given };
}

function decodeChunked(raw: Buffer): { body: Buffer; trailers: Record<string, string> } {
  const parts: Buffer[] = [];
  let at = 0;
  const bad = (why: string) => new AwsError(400, 'InvalidRequest', `Malformed aws-chunked body: ${why}.`);
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) throw bad('a chunk header has no CRLF');
    const size = Number.parseInt(raw.subarray(at, eol).toString('latin1').split(';')[0]!, 16);
    if (!Number.isInteger(size) || size < 0) throw bad('a chunk size is not hexadecimal');
    at = eol + 2;
    if (size === 0) break;
    if (at + size + 2 > raw.length || raw.subarray(at + size, at + size + 2).toString('latin1') !== '\r\n') {
      throw bad('a chunk is shorter than its size');
    }
    parts.push(raw.subarray(at, at + size));
    at += size + 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of raw.subarray(at).toString('latin1').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) {
      const name = line.slice(0, i).trim().toLowerCase();
      if (name in CHECKSUMS) trailers[name] = line.slice(i + 1).trim();
    }
  }
  return { body: Buffer.concat(parts), trailers };
}

// ---------------------------------------------------------------------------------------------
// Operations

interface Target {
  bucket: string;
  key?: string;
}

/** Path-style addressing: `/bucket` or `/bucket/key/with/slashes` (each part percent-decoded). */
function targetOf(req: AwsRequest): Target | undefined {
  const path = req.url.pathname.replace(/^\//, '');
  if (path === '') return undefined;
  const slash = path.indexOf('/');
  try {
    if (slash < 0) return { bucket: decodeURIComponent(path) };
    const key = decodeURIComponent(path.slice(slash + 1));
    return { bucket: decodeURIComponent(path.slice(0, slash)), ...(key ? { key } : {}) };
  } catch {
    return undefined;
  }
}

const arnOf = (bucket: string, key?: string) => `arn:aws:s3:::${bucket}${key === undefined ? '' : `/${key}`}`;

/** Checks the caller's policy (when one is attached) and that the bucket exists, in the signed region, in its account. */
function authorize(ctx: RequestContext, action: string, t: Target, head = false): S3Bucket {
  const s3 = simS3(ctx.fleet);
  if (s3.allows(ctx, action, arnOf(t.bucket, t.key)) === false) throw accessDenied();
  const bucket = s3.buckets.get(t.bucket);
  if (!bucket) {
    throw new AwsError(404, head ? 'NotFound' : 'NoSuchBucket', 'The specified bucket does not exist', {
      BucketName: t.bucket,
    });
  }
  // No cross-account bucket policies here: another account's bucket is out of reach.
  if (bucket.ownerAccountId !== ctx.principal.accountId) throw accessDenied();
  if (bucket.region !== ctx.region) {
    throw new AwsError(
      400,
      'AuthorizationHeaderMalformed',
      `The authorization header is malformed; the region '${ctx.region}' is wrong; expecting '${bucket.region}'`,
      { Region: bucket.region },
    );
  }
  return bucket;
}

/** A missing key: 404 NoSuchKey to whoever may list the bucket, 403 AccessDenied to others (S3's rule). */
function noSuchKey(ctx: RequestContext, t: Target, head: boolean): AwsError {
  if (simS3(ctx.fleet).allows(ctx, 's3:ListBucket', arnOf(t.bucket)) === false) return accessDenied();
  return new AwsError(404, head ? 'NotFound' : 'NoSuchKey', 'The specified key does not exist.', { Key: t.key! });
}

function objectHeaders(o: S3Object, withChecksums: boolean): Record<string, string> {
  return {
    etag: o.etag,
    'last-modified': o.lastModified.toUTCString(),
    'content-type': o.contentType,
    'accept-ranges': 'bytes',
    ...o.encryption,
    ...(withChecksums && Object.keys(o.checksums).length > 0
      ? { ...o.checksums, 'x-amz-checksum-type': 'FULL_OBJECT' }
      : {}),
  };
}

/** If-Match / If-None-Match of a read: 412, or 304 for a matching If-None-Match. */
function checkReadConditions(req: AwsRequest, o: S3Object): number | undefined {
  const ifMatch = header(req, 'if-match');
  if (ifMatch !== undefined && ifMatch !== o.etag && ifMatch !== '*') return 412;
  const ifNoneMatch = header(req, 'if-none-match');
  if (ifNoneMatch !== undefined && (ifNoneMatch === o.etag || ifNoneMatch === '*')) return 304;
  return undefined;
}

function createBucket(req: AwsRequest, ctx: RequestContext, t: Target): SimResponse {
  const s3 = simS3(ctx.fleet);
  if (s3.allows(ctx, 's3:CreateBucket', arnOf(t.bucket)) === false) throw accessDenied();
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(t.bucket)) {
    throw new AwsError(400, 'InvalidBucketName', 'The specified bucket is not valid.', { BucketName: t.bucket });
  }
  const constraint = /<LocationConstraint>([^<]*)<\/LocationConstraint>/.exec(req.body)?.[1];
  const region = constraint || 'us-east-1';
  if (region !== ctx.region) {
    throw new AwsError(
      400,
      'IllegalLocationConstraintException',
      `The ${region} location constraint is incompatible for the region specific endpoint this request was sent to.`,
    );
  }
  const existing = s3.buckets.get(t.bucket);
  if (existing) {
    throw existing.ownerAccountId === ctx.principal.accountId
      ? new AwsError(
          409,
          'BucketAlreadyOwnedByYou',
          'Your previous request to create the named bucket succeeded and you already own it.',
        )
      : new AwsError(409, 'BucketAlreadyExists', 'The requested bucket name is not available.');
  }
  s3.buckets.set(t.bucket, { name: t.bucket, ownerAccountId: ctx.principal.accountId, region, objects: new Map() });
  return ok(ctx, { location: `/${t.bucket}` });
}

function headBucket(_req: AwsRequest, ctx: RequestContext, t: Target): SimResponse {
  const bucket = authorize(ctx, 's3:ListBucket', t, true);
  return ok(ctx, { 'x-amz-bucket-region': bucket.region });
}

function putObject(req: AwsRequest, ctx: RequestContext, t: Target): SimResponse {
  const bucket = authorize(ctx, 's3:PutObject', t);
  const key = t.key!;
  const { body, checksums } = payloadOf(req);
  const current = bucket.objects.get(key);
  const ifNoneMatch = header(req, 'if-none-match');
  const ifMatch = header(req, 'if-match');
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch !== '*') throw new AwsError(501, 'NotImplemented', 'If-None-Match on PutObject takes only *.');
    if (current)
      throw new AwsError(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
        Condition: 'If-None-Match',
      });
  }
  if (ifMatch !== undefined) {
    if (!current) throw noSuchKey(ctx, t, false);
    if (ifMatch !== current.etag) {
      throw new AwsError(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
        Condition: 'If-Match',
      });
    }
  }
  const encryption: Record<string, string> = {};
  for (const h of ['x-amz-server-side-encryption', 'x-amz-server-side-encryption-aws-kms-key-id']) {
    const v = header(req, h);
    if (v) encryption[h] = v;
  }
  const o: S3Object = {
    body,
    etag: `"${createHash('md5').update(body).digest('hex')}"`,
    lastModified: new Date(),
    contentType: header(req, 'content-type') ?? 'binary/octet-stream',
    checksums,
    encryption,
  };
  bucket.objects.set(key, o);
  return ok(ctx, { etag: o.etag, ...encryption, ...checksums });
}

function getObject(req: AwsRequest, ctx: RequestContext, t: Target, head: boolean): SimResponse {
  const bucket = authorize(ctx, 's3:GetObject', t, head);
  if (header(req, 'range') !== undefined) {
    throw new AwsError(501, 'NotImplemented', 'The simulated S3 does not serve Range requests (see sim/aws/s3.ts).');
  }
  const o = bucket.objects.get(t.key!);
  if (!o) throw noSuchKey(ctx, t, head);
  const condition = checkReadConditions(req, o);
  if (condition === 412) {
    throw new AwsError(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
  }
  const headers = objectHeaders(o, header(req, 'x-amz-checksum-mode') === 'ENABLED');
  if (condition === 304) return ok(ctx, { etag: o.etag }, '', 304);
  // HEAD too: the router sets content-length from the body, and node:http sends no body in answer to HEAD.
  return ok(ctx, headers, o.body.toString('utf8'));
}

function copyObject(req: AwsRequest, ctx: RequestContext, t: Target): SimResponse {
  const bucket = authorize(ctx, 's3:PutObject', t);
  const source = decodeURIComponent(header(req, 'x-amz-copy-source') ?? '').replace(/^\//, '');
  const slash = source.indexOf('/');
  if (slash < 1) throw new AwsError(400, 'InvalidArgument', 'Copy Source must mention the source bucket and key');
  const from: Target = { bucket: source.slice(0, slash), key: source.slice(slash + 1).split('?')[0]! };
  const sourceBucket = authorize(ctx, 's3:GetObject', from);
  const o = sourceBucket.objects.get(from.key!);
  if (!o) throw noSuchKey(ctx, from, false);
  const replace = header(req, 'x-amz-metadata-directive') === 'REPLACE';
  const copy: S3Object = {
    ...o,
    lastModified: new Date(),
    contentType: replace ? (header(req, 'content-type') ?? o.contentType) : o.contentType,
  };
  bucket.objects.set(t.key!, copy);
  return xml(ctx, 'CopyObjectResult', el('LastModified', copy.lastModified.toISOString()) + el('ETag', copy.etag));
}

function deleteObject(_req: AwsRequest, ctx: RequestContext, t: Target): SimResponse {
  const bucket = authorize(ctx, 's3:DeleteObject', t);
  bucket.objects.delete(t.key!);
  return ok(ctx, {}, '', 204);
}

/** ListObjectsV2: keys in UTF-8 binary order, `prefix`, `delimiter`, `start-after`, paged by an opaque continuation token. */
function listObjectsV2(req: AwsRequest, ctx: RequestContext, t: Target): SimResponse {
  const bucket = authorize(ctx, 's3:ListBucket', t);
  const q = req.url.searchParams;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const urlEncode = q.get('encoding-type') === 'url';
  let maxKeys = LIST_MAX;
  if (q.has('max-keys')) {
    maxKeys = Number(q.get('max-keys'));
    if (!Number.isInteger(maxKeys) || maxKeys < 0) {
      throw new AwsError(400, 'InvalidArgument', 'Provided max-keys not an integer or within integer range');
    }
  }
  const pageSize = Math.min(maxKeys, LIST_MAX, ctx.options.maxPageSize);
  const token = q.get('continuation-token');
  let after = q.get('start-after') ?? '';
  if (token !== null) {
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    if (!decoded.startsWith(`${bucket.name}\n`)) {
      throw new AwsError(400, 'InvalidArgument', 'The continuation token provided is incorrect');
    }
    after = decoded.slice(bucket.name.length + 1);
  }
  const keys = [...bucket.objects.keys()]
    .filter((k) => k.startsWith(prefix) && k > after)
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

  // With a delimiter, keys sharing a prefix up to it roll up into one CommonPrefixes entry.
  const entries: { key: string; common: boolean }[] = [];
  const seen = new Set<string>();
  let truncated = false;
  let last = '';
  for (const k of keys) {
    const rest = k.slice(prefix.length);
    const d = delimiter ? rest.indexOf(delimiter) : -1;
    const common = d >= 0 ? prefix + rest.slice(0, d + delimiter.length) : undefined;
    if (common && seen.has(common)) {
      last = k;
      continue;
    }
    if (entries.length >= pageSize) {
      truncated = true;
      break;
    }
    if (common) seen.add(common);
    entries.push({ key: common ?? k, common: common !== undefined });
    last = k;
  }
  const enc = (s: string) => (urlEncode ? encodeURIComponent(s).replace(/%2F/g, '/') : s);
  const contents = entries
    .filter((e) => !e.common)
    .map((e) => {
      const o = bucket.objects.get(e.key)!;
      return (
        `<Contents>${el('Key', enc(e.key))}${el('LastModified', o.lastModified.toISOString())}` +
        `${el('ETag', o.etag)}${el('Size', o.body.length)}${el('StorageClass', 'STANDARD')}</Contents>`
      );
    })
    .join('');
  const commons = entries
    .filter((e) => e.common)
    .map((e) => `<CommonPrefixes>${el('Prefix', enc(e.key))}</CommonPrefixes>`)
    .join('');
  const inner =
    el('Name', bucket.name) +
    el('Prefix', enc(prefix)) +
    (delimiter ? el('Delimiter', enc(delimiter)) : '') +
    el('KeyCount', entries.length) +
    el('MaxKeys', maxKeys) +
    (urlEncode ? el('EncodingType', 'url') : '') +
    el('IsTruncated', truncated) +
    (token !== null ? el('ContinuationToken', token) : '') +
    (truncated ? el('NextContinuationToken', Buffer.from(`${bucket.name}\n${last}`).toString('base64')) : '') +
    (q.has('start-after') ? el('StartAfter', enc(q.get('start-after')!)) : '') +
    contents +
    commons;
  return xml(ctx, 'ListBucketResult', inner);
}

function route(req: AwsRequest): Operation {
  const t = targetOf(req);
  const q = req.url.searchParams;
  const what = `${req.method} ${req.url.pathname}${req.url.search}`;
  const gap = () =>
    notImplemented(what, 'NotImplemented', `The simulated cloud does not implement S3 ${what} (see sim/aws/s3.ts).`);
  if (!t) return gap();
  const op = (action: string, run: (req: AwsRequest, ctx: RequestContext) => SimResponse): Operation => ({
    action,
    run,
  });
  if (t.key === undefined) {
    // Bucket subresources (?acl, ?policy, ?versioning, ...) are not simulated: answer NotImplemented naming them.
    const sub = [...q.keys()].filter((k) => k !== 'x-id' && k !== 'list-type' && !LIST_PARAMS.has(k));
    if (req.method === 'PUT' && sub.length === 0) return op('CreateBucket', (r, c) => createBucket(r, c, t));
    if (req.method === 'HEAD' && sub.length === 0) return op('HeadBucket', (r, c) => headBucket(r, c, t));
    if (req.method === 'GET' && q.get('list-type') === '2' && sub.length === 0) {
      return op('ListObjectsV2', (r, c) => listObjectsV2(r, c, t));
    }
    return gap();
  }
  const sub = [...q.keys()].filter((k) => k !== 'x-id');
  if (sub.length > 0) return gap();
  switch (req.method) {
    case 'PUT':
      return req.headers['x-amz-copy-source']
        ? op('CopyObject', (r, c) => copyObject(r, c, t))
        : op('PutObject', (r, c) => putObject(r, c, t));
    case 'GET':
      return op('GetObject', (r, c) => getObject(r, c, t, false));
    case 'HEAD':
      return op('HeadObject', (r, c) => getObject(r, c, t, true));
    case 'DELETE':
      return op('DeleteObject', (r, c) => deleteObject(r, c, t));
    default:
      return gap();
  }
}

const LIST_PARAMS = new Set([
  'prefix',
  'delimiter',
  'max-keys',
  'continuation-token',
  'start-after',
  'encoding-type',
  'fetch-owner',
]);

export const s3: AwsService = {
  signingName: 's3',
  title: 'S3',
  protocol: 'restXml',
  regional: true,
  errors: {
    unrecognizedClient: {
      status: 403,
      code: 'InvalidAccessKeyId',
      message: 'The AWS Access Key Id you provided does not exist in our records.',
    },
    throttled: { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' },
    accessDenied: { status: 403, code: 'AccessDenied', message: 'Access Denied' },
  },
  route,
  errorResponse: (e, requestId) => s3Error(e, requestId),
};
