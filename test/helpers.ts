import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { type CliIo, main } from '../bin/cli.ts';
import type { ScanReport } from '../core/report.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const ENTRY = join(ROOT, 'bin/kubeposture.ts');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A scan keeps state in `.kubeposture/` unless told otherwise: tests that do not choose a folder get
 * `--no-state`, so runs never share state with each other or with the developer's folder.
 */
function isolated(args: string[]): string[] {
  if (args[0] !== 'scan' || args.some((a) => a === '--state' || a === '--no-state')) return args;
  return [...args, '--no-state'];
}

/**
 * Runs the CLI in this process (fast): same code path as the binary, output captured. `extra.fetch` replaces the
 * notification transport (a test answers the real webhook URL on loopback); `extra.tty` makes stdout a terminal of
 * `columns` columns.
 */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
  extra: Pick<CliIo, 'fetch'> & { tty?: { columns: number } } = {},
): Promise<CliRun> {
  const { tty, ...rest } = extra;
  const args = isolated(argv);
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s), isTTY: Boolean(tty), ...(tty ? { columns: tty.columns } : {}) },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env: { NO_COLOR: '1', ...env },
    cwd: ROOT,
    ...rest,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/**
 * Runs the real binary in a child process, with only the environment given (plus PATH/HOME),
 * so nothing from the developer's shell (profiles, endpoints, keys) leaks into the run.
 */
export function spawnCli(argv: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const args = isolated(argv);
  return new Promise((resolve) => {
    execFile(
      TSX,
      [ENTRY, ...args],
      {
        cwd: ROOT,
        env: {
          PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
          HOME: process.env.HOME ?? '/tmp',
          NO_COLOR: '1',
          AWS_EC2_METADATA_DISABLED: 'true',
          METADATA_SERVER_DETECTION: 'none',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          ...env,
        },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 99) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export function parseReport(run: CliRun): ScanReport {
  try {
    return JSON.parse(run.stdout) as ScanReport;
  } catch (e) {
    throw new Error(`stdout is not JSON (exit ${run.code}): ${run.stderr}\n${run.stdout.slice(0, 500)}`, { cause: e });
  }
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'kubeposture-test-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function writeYaml(dir: string, name: string, value: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, stringify(value));
  return path;
}
