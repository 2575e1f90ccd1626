import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ConfigError, errorMessage } from './errors.ts';

/**
 * Reads a YAML configuration file as a raw mapping, for `parseConfig` after any overrides.
 * Kept apart from the schema so checks and Lambda bundles do not pull in a YAML parser.
 */
export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`Cannot read configuration file ${path}: ${errorMessage(e)}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new ConfigError(`Configuration file ${path} is not valid YAML: ${errorMessage(e)}`);
  }
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(
      `Configuration file ${path} must be a mapping of settings, not ${Array.isArray(raw) ? 'a list' : typeof raw}`,
    );
  }
  return raw as Record<string, unknown>;
}
