import { createHash, randomBytes } from 'node:crypto';
import type { SimCaller } from '../fleet.ts';

/** Who signed a request: the caller's IAM user (static AKIA keys) or an assumed role (ASIA keys). */
export interface Principal {
  kind: 'user' | 'assumed-role';
  accountId: string;
  /** `arn:aws:iam::ACCOUNT:user/NAME` or `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`. */
  arn: string;
  /** AIDA... for a user, AROA...:SESSION for an assumed role (as GetCallerIdentity reports it). */
  userId: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
  roleArn?: string;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function keyChars(n: number, seed?: string): string {
  const bytes = seed ? createHash('sha256').update(seed).digest() : randomBytes(n);
  let out = '';
  for (let i = 0; i < n; i++) out += BASE32[bytes[i]! % 32];
  return out;
}

/** Maps access keys to principals; AssumeRole adds to it. */
export class IdentityStore {
  readonly caller: Principal;
  private readonly byKey = new Map<string, Principal>();

  constructor(caller: SimCaller, keys?: { accessKeyId?: string; secretAccessKey?: string }) {
    this.caller = {
      kind: 'user',
      accountId: caller.accountId,
      arn: caller.arn,
      userId: `AIDA${keyChars(17, caller.arn)}`,
      accessKeyId: keys?.accessKeyId ?? `AKIA${keyChars(16)}`,
      secretAccessKey: keys?.secretAccessKey ?? randomBytes(30).toString('base64'),
    };
    this.byKey.set(this.caller.accessKeyId, this.caller);
  }

  get(accessKeyId: string): Principal | undefined {
    return this.byKey.get(accessKeyId);
  }

  /** Temporary credentials for a role session, as STS AssumeRole issues them. */
  issue(roleArn: string, accountId: string, roleName: string, sessionName: string, durationSeconds: number): Principal {
    const partition = roleArn.split(':')[1] ?? 'aws';
    const p: Principal = {
      kind: 'assumed-role',
      accountId,
      arn: `arn:${partition}:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
      userId: `AROA${keyChars(17, roleArn)}:${sessionName}`,
      accessKeyId: `ASIA${keyChars(16)}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(96).toString('base64')}`,
      expiration: new Date(Date.now() + durationSeconds * 1000),
      roleArn,
    };
    this.byKey.set(p.accessKeyId, p);
    return p;
  }
}
