import {
  GetUserCommand,
  type IAMClient,
  ListOpenIDConnectProvidersCommand,
  paginateListRoles,
} from '@aws-sdk/client-iam';
import type { IamPolicyDocument, IamRoleFacts } from '../../core/snapshot.ts';
import { guardPages } from '../common/pages.ts';
import { classifyAwsError } from './errors.ts';

/** A role from the account-wide ListRoles walk, with its trust policy both parsed and as text (for cheap matching). */
export interface ListedRole extends IamRoleFacts {
  trustPolicyText: string;
}

/**
 * What the access and identity checks need from one account's IAM, each fetched at most once per collector
 * instance (one scan) however many regions and clusters ask: the roles with their trust policies (one
 * paginated ListRoles walk), the OIDC providers, and whether a named user exists.
 */
export interface AccountIam {
  /** Every role of the account, by role name. */
  roles(): Promise<Map<string, ListedRole>>;
  oidcProviders(): Promise<string[]>;
  userExists(userName: string): Promise<boolean>;
}

/** IAM returns policy documents URL-encoded (RFC 3986); undefined when the text is not a JSON object. */
export function decodePolicyDocument(encoded: string | undefined): {
  text: string;
  doc: IamPolicyDocument | undefined;
} {
  if (!encoded) return { text: '', doc: undefined };
  let text = encoded;
  try {
    text = decodeURIComponent(encoded);
  } catch {
    // Already decoded (some SDK paths and proxies decode it): parse as is.
  }
  try {
    const doc: unknown = JSON.parse(text);
    return {
      text,
      doc: typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? (doc as IamPolicyDocument) : undefined,
    };
  } catch {
    return { text, doc: undefined };
  }
}

/**
 * `maxPages`: the cap of the ListRoles walk (`collection.maxPages`). The walk follows `Marker` while `IsTruncated`
 * (the response schema makes sure a truncated page has one) and stops, as Malformed, on a Marker it already sent.
 */
export function accountIam(iam: IAMClient, maxPages?: number): AccountIam {
  let roles: Promise<Map<string, ListedRole>> | undefined;
  let providers: Promise<string[]> | undefined;
  const users = new Map<string, Promise<boolean>>();
  return {
    roles() {
      roles ??= (async () => {
        const out = new Map<string, ListedRole>();
        const pages = guardPages(paginateListRoles({ client: iam }, {}), {
          action: 'iam:ListRoles',
          nextToken: (p) => (p as { Marker?: string }).Marker,
          maxPages,
        });
        for await (const page of pages) {
          // RoleName and Arn: guaranteed by the response schema (collectors/aws/responses.ts).
          for (const r of page.Roles ?? []) {
            if (!r.RoleName || !r.Arn) continue;
            const { text, doc } = decodePolicyDocument(r.AssumeRolePolicyDocument);
            out.set(r.RoleName, { arn: r.Arn, roleName: r.RoleName, trustPolicy: doc, trustPolicyText: text });
          }
        }
        return out;
      })();
      return roles;
    },
    oidcProviders() {
      providers ??= iam
        .send(new ListOpenIDConnectProvidersCommand({}))
        .then((r) => (r.OpenIDConnectProviderList ?? []).map((p) => p.Arn).filter((a): a is string => Boolean(a)));
      return providers;
    },
    userExists(userName) {
      let known = users.get(userName);
      if (!known) {
        known = iam.send(new GetUserCommand({ UserName: userName })).then(
          () => true,
          (e: unknown) => {
            if (classifyAwsError(e) === 'NotFound') return false;
            throw e;
          },
        );
        users.set(userName, known);
      }
      return known;
    },
  };
}
