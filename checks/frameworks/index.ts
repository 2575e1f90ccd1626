/**
 * Compliance frameworks the checks map to, as data (one JSON file each, with its version and date).
 * A check's `frameworks` key is a framework `id`; its values are control ids listed in that file.
 */
import * as z from 'zod';
import { didYouMean } from '../../core/did-you-mean.ts';
import { ConfigError } from '../../core/errors.ts';
import cisAks18 from './cis-aks-1.8.json' with { type: 'json' };
import cisEks18 from './cis-eks-1.8.json' with { type: 'json' };
import cisGke19 from './cis-gke-1.9.json' with { type: 'json' };
import securityhub from './securityhub.json' with { type: 'json' };

const CONTROL_ID = /^([0-9]+(\.[0-9]+)*|[A-Z]+\.[0-9]+)$/;

export const FrameworkSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9.]+)*$/),
    title: z.string().min(5),
    version: z.string().min(1),
    /** ISO date (YYYY-MM-DD) the framework version was published, or the list retrieved (see `notes`). */
    published: z.iso.date(),
    sources: z.array(z.url()).min(1),
    notes: z.string().optional(),
    /** The cloud whose clusters the framework is about: a compliance report judges only those clusters. */
    provider: z.enum(['aws', 'azure', 'gcp']),
    /** Groups of controls (`5.4` Cluster Networking); `guidance` applies to each control of the group that has none. */
    sections: z
      .array(
        z
          .object({
            id: z.string().regex(CONTROL_ID),
            title: z.string().min(3),
            guidance: z.string().min(20).optional(),
          })
          .strict(),
      )
      .optional(),
    controls: z
      .array(
        z
          .object({
            id: z.string().regex(CONTROL_ID),
            title: z.string().min(5),
            /**
             * The benchmark's assessment status: `automated` when the framework says the control can be checked by a
             * tool, `manual` when it needs a person. Whether kubeposture checks it is a separate matter (its mapped checks).
             */
            assessment: z.enum(['automated', 'manual']),
            /** What the benchmark asks for, briefly, for a reader who must assess the control by hand. */
            guidance: z.string().min(20).optional(),
            severity: z.enum(['critical', 'high', 'medium', 'low', 'informational']).optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export type Framework = z.infer<typeof FrameworkSchema>;

export const frameworks: Framework[] = [cisEks18, cisAks18, cisGke19, securityhub].map((f) => FrameworkSchema.parse(f));

export function frameworkById(id: string): Framework | undefined {
  return frameworks.find((f) => f.id === id);
}

/**
 * The frameworks `--compliance` names (ids, each flag value comma-separated), in the order given, without repeats.
 * An unknown id is a ConfigError naming the known ones, with the closest as a suggestion.
 */
export function frameworksByIds(ids: readonly string[], source = '--compliance'): Framework[] {
  const out: Framework[] = [];
  for (const id of ids
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean)) {
    const f = frameworkById(id);
    if (!f) {
      const known = frameworks.map((x) => x.id);
      throw new ConfigError(`${source}: unknown framework ${id}${didYouMean(id, known)}; known: ${known.join(', ')}`);
    }
    if (!out.includes(f)) out.push(f);
  }
  if (!out.length) throw new ConfigError(`${source}: name a framework: ${frameworks.map((x) => x.id).join(', ')}`);
  return out;
}
