import { ConfigError } from './errors.ts';
import { globMatch } from './suppressions.ts';

/** Check-id globs (`EKS.LOGGING.*`, `*.VERSIONS.1`), each with where it came from, for errors that name the source. */
export interface CheckPatterns {
  patterns: readonly string[];
  /** `--checks`, `--skip-checks`, `checks.disabled`. */
  source: string;
}

/** Case-insensitive: ids are upper case, and `eks.logging.*` on a command line means the same. */
function matches(pattern: string, id: string): boolean {
  return globMatch(pattern.toUpperCase(), id.toUpperCase());
}

/**
 * The checks to run: those matching an `include` glob (all when there is none), minus those matching any `exclude`.
 * A pattern that matches no check is an error naming it and its source: a typo in `--checks` would otherwise run
 * nothing and report nothing failing, and one in `--skip-checks` would silently skip nothing.
 */
export function selectChecks<C extends { id: string }>(
  all: readonly C[],
  include: CheckPatterns | undefined,
  exclude: readonly CheckPatterns[],
): C[] {
  for (const group of [...(include ? [include] : []), ...exclude]) {
    const unknown = group.patterns.filter((p) => !all.some((c) => matches(p, c.id)));
    if (unknown.length > 0) {
      throw new ConfigError(
        `${group.source}: ${unknown.join(', ')} ${unknown.length === 1 ? 'matches' : 'match'} no check (\`kubeposture checks\` lists the ids; * matches any run of characters)`,
      );
    }
  }
  const selected = all.filter(
    (c) =>
      (!include || include.patterns.some((p) => matches(p, c.id))) &&
      !exclude.some((g) => g.patterns.some((p) => matches(p, c.id))),
  );
  if (selected.length === 0) {
    const sources = [...(include ? [include.source] : []), ...exclude.map((g) => g.source)].join(', ');
    throw new ConfigError(`${sources}: no check is left to run`);
  }
  return selected;
}
