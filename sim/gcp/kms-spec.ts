import * as z from 'zod';

/**
 * The `gcp.kmsKeys` part of a fleet spec (served by sim/gcp/kms.ts). Apart from the routes so that the spec schemas
 * import nothing that imports them back (sim/spec.ts → gcp/spec.ts → here).
 */

const TIME = z
  .string()
  .refine((s) => /^now[+-]\d{1,5}d$/.test(s) || !Number.isNaN(Date.parse(s)), 'an ISO time, or now-30d / now+30d');
const KEY_NAME = z
  .string()
  .regex(
    /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/,
    'a key name like projects/P/locations/L/keyRings/R/cryptoKeys/K',
  );

export const KmsKeySpecSchema = z.strictObject({
  name: KEY_NAME,
  /** The primary version's state. */
  primaryState: z
    .enum(['ENABLED', 'DISABLED', 'DESTROYED', 'DESTROY_SCHEDULED', 'PENDING_GENERATION', 'PENDING_IMPORT'])
    .default('ENABLED'),
  /** DESTROY_SCHEDULED: when the version is destroyed (default now+30d, Cloud KMS's default schedule). */
  destroyTime: TIME.optional(),
  /** proto3 JSON duration (`7776000s`); `null`: no automatic rotation. Default 90 days. */
  rotationPeriod: z
    .string()
    .regex(/^\d+s$/, 'a duration in seconds like 7776000s')
    .nullable()
    .default('7776000s'),
  /** The reader is refused `cloudkms.cryptoKeys.get` on this key. */
  denied: z.boolean().default(false),
  /** The key does not exist (NOT_FOUND). */
  deleted: z.boolean().default(false),
});

export type KmsKeySpec = z.output<typeof KmsKeySpecSchema>;
