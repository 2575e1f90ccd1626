import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { checkSections } from './config.ts';
import { ConfigError, errorMessage } from './errors.ts';
import { parseSuppressions, type Suppression, type SuppressionOptions } from './suppressions.ts';

/**
 * Reads a YAML file as a raw mapping; `what` names the file in errors ("Configuration file").
 * Kept apart from the schemas so checks and Lambda bundles do not pull in a YAML parser.
 */
async function readYamlMapping(path: string, what: string, items: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`Cannot read ${what.toLowerCase()} ${path}: ${errorMessage(e)}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new ConfigError(`${what} ${path} is not valid YAML: ${errorMessage(e)}`);
  }
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(
      `${what} ${path} must be a mapping of ${items}, not ${Array.isArray(raw) ? 'a list' : typeof raw}`,
    );
  }
  return raw as Record<string, unknown>;
}

/**
 * Reads a YAML configuration file as a raw mapping, for `parseConfig` after any overrides. Its sections are checked
 * to be mappings here, before the CLI spreads flags into them (`{ ...aws, regions }` would turn `aws: 5` into `{}`);
 * an empty section (`azure:` with nothing under it) becomes `{}`.
 */
export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  return checkSections(await readYamlMapping(path, 'Configuration file', 'settings'), `configuration file ${path}`);
}

/** Reads and validates a suppressions file (check ids against `options.checkIds`); errors name the bad entry. */
export async function readSuppressionsFile(path: string, options: SuppressionOptions = {}): Promise<Suppression[]> {
  const raw = await readYamlMapping(path, 'Suppressions file', '`suppressions:`');
  return parseSuppressions(raw, `suppressions file ${path}`, options);
}
