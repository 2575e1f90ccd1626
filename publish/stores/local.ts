import { access, mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage, StateConflictError, StateError } from '../../core/errors.ts';
import type { FindingState } from '../../core/lifecycle.ts';
import {
  type FindingStateStore,
  parseFindingState,
  RESOLVED_RETENTION_DAYS,
  type ScanRecord,
  type StoredState,
} from '../../core/state.ts';

/** Bumped on a breaking change to `state.json`; a newer file is refused rather than rewritten. */
export const LOCAL_STATE_VERSION = 1;

interface StateFile {
  schemaVersion: number;
  findings: FindingState[];
}

const DAY_MS = 86_400_000;

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finding state in a folder (the CLI's default, `.kubeposture/`):
 * - `state.json`: every finding that has ever failed, with its lifecycle;
 * - `scans/<scanId>.json`: one record per scan.
 * Writes go to a temporary file renamed over the old one, under a lock file, and check each record's
 * version like the DynamoDB store does: a crash or an overlapping scan never leaves half a file.
 */
export function createLocalStateStore(dir: string): FindingStateStore {
  const statePath = join(dir, 'state.json');
  const scansDir = join(dir, 'scans');
  const lockPath = join(dir, 'state.lock');

  async function readState(): Promise<FindingState[]> {
    let text: string;
    try {
      text = await readFile(statePath, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StateError(`Cannot read ${statePath}: ${errorMessage(e)}`);
    }
    let raw: Partial<StateFile>;
    try {
      raw = JSON.parse(text) as Partial<StateFile>;
    } catch (e) {
      throw new StateError(
        `${statePath} is not valid JSON (${errorMessage(e)}); fix or move it, or scan with --no-state`,
      );
    }
    if (raw?.schemaVersion !== LOCAL_STATE_VERSION || !Array.isArray(raw.findings)) {
      throw new StateError(
        `${statePath} is not a kubeposture state file of version ${LOCAL_STATE_VERSION} (schemaVersion: ${JSON.stringify(raw?.schemaVersion)}); fix or move it, or scan with --no-state`,
      );
    }
    return raw.findings.map((f, i) => parseFindingState(f, `${statePath} findings[${i}]`));
  }

  async function readScans(limit: number): Promise<ScanRecord[]> {
    let names: string[];
    try {
      names = await readdir(scansDir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    // Scan ids start with a UTC timestamp, so name order is time order.
    const files = names
      .filter((n) => n.endsWith('.json'))
      .sort()
      .reverse()
      .slice(0, limit);
    return Promise.all(
      files.map(async (n) => {
        const path = join(scansDir, n);
        try {
          return JSON.parse(await readFile(path, 'utf8')) as ScanRecord;
        } catch (e) {
          throw new StateError(`Invalid scan record ${path}: ${errorMessage(e)}`);
        }
      }),
    );
  }

  async function withLock<T>(fn: () => Promise<T>): Promise<T> {
    await mkdir(dir, { recursive: true });
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(lockPath, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new StateConflictError(
          `Another scan is writing ${dir} (lock file ${lockPath}); if none is running, remove the lock file`,
        );
      }
      throw e;
    }
    try {
      await handle.writeFile(`${process.pid}\n`);
      return await fn();
    } finally {
      await handle.close();
      await rm(lockPath, { force: true });
    }
  }

  return {
    async load(): Promise<StoredState> {
      const [findings, scans] = await Promise.all([readState(), readScans(1)]);
      return { findings, lastScan: scans[0] };
    },

    async commit(changed, scan) {
      await withLock(async () => {
        const scanPath = join(scansDir, `${scan.id}.json`);
        if (await exists(scanPath)) throw new StateConflictError(`Scan ${scan.id} was already recorded in ${dir}`);
        const current = new Map((await readState()).map((s) => [s.id, s]));
        for (const rec of changed) {
          const stored = current.get(rec.id)?.version ?? 0;
          if (stored !== rec.version - 1) {
            throw new StateConflictError(
              `Finding ${rec.id} was changed by another scan (stored version ${stored}, expected ${rec.version - 1}); nothing was written, scan again`,
              rec.id,
            );
          }
        }
        for (const rec of changed) current.set(rec.id, rec);
        const cutoff = Date.parse(scan.startedAt) - RESOLVED_RETENTION_DAYS * DAY_MS;
        const kept = [...current.values()]
          .filter((s) => s.status === 'open' || Date.parse(s.resolvedAt ?? s.lastSeen) >= cutoff)
          .sort((a, b) => a.id.localeCompare(b.id));
        const file: StateFile = { schemaVersion: LOCAL_STATE_VERSION, findings: kept };
        await mkdir(scansDir, { recursive: true });
        const tmp = `${statePath}.${process.pid}.tmp`;
        await writeFile(tmp, `${JSON.stringify(file, null, 2)}\n`);
        await rename(tmp, statePath);
        await writeFile(scanPath, `${JSON.stringify(scan, null, 2)}\n`);
      });
    },

    async scans(limit) {
      return readScans(limit);
    },
  };
}
