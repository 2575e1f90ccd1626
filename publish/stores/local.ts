import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { errorMessage, StateConflictError, StateError } from '../../core/errors.ts';
import type { FindingState } from '../../core/lifecycle.ts';
import {
  type ArtifactUpload,
  type FindingStateStore,
  jsonKind,
  parseFindingState,
  RESOLVED_RETENTION_DAYS,
  type ReportStore,
  type ScanRecord,
  type StoredState,
  scanRecordProblem,
} from '../../core/state.ts';

/** Bumped on a breaking change to `state.json`; a newer file is refused rather than rewritten. */
export const LOCAL_STATE_VERSION = 1;

interface StateFile {
  schemaVersion: number;
  findings: FindingState[];
}

/** What a lock file says about its holder. */
interface LockInfo {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  at: string;
}

const DAY_MS = 86_400_000;

/**
 * A lock older than this is taken over whoever holds it. The lock covers only the commit (read state, write two
 * files), which takes well under a second; ten minutes is far beyond any live holder, even on a slow network disk.
 */
export const STALE_LOCK_MS = 10 * 60_000;

export interface LocalStateStoreOptions {
  /** Problems that do not stop the scan (a stale lock taken over, an unreadable scan record skipped). */
  onWarning?: (message: string) => void;
  /** Age beyond which a lock is stale whoever holds it (default STALE_LOCK_MS). */
  staleLockMs?: number;
  /** For tests: the clock and the liveness probe. */
  now?: () => number;
  isAlive?: (pid: number) => boolean;
}

/** `kill(pid, 0)` checks without signalling: ESRCH = no such process; EPERM = it exists (another user's). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function uniqueSuffix(): string {
  return `${process.pid}.${randomBytes(4).toString('hex')}`;
}

/**
 * Writes a file so a reader sees the old content or the new, never a part: a temporary file in the same folder
 * (same file system, so rename is atomic), flushed to disk, renamed over the target, then the folder flushed so the
 * rename itself survives a power cut.
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const tmp = `${path}.${uniqueSuffix()}.tmp`;
  const handle = await open(tmp, 'wx');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (e) {
    await handle.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  await syncDir(dirname(path));
}

async function syncDir(dir: string): Promise<void> {
  // Not every platform can open or fsync a directory (Windows); the rename is still atomic there.
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    /* best effort */
  }
}

function parseLock(text: string): Partial<LockInfo> {
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object') return v as Partial<LockInfo>;
    // Older versions wrote the pid alone.
    if (typeof v === 'number') return { pid: v };
  } catch {
    /* unreadable: judged by its age alone */
  }
  return {};
}

/**
 * Finding state in a folder (the CLI's default, `.kubeposture/`):
 * - `state.json`: every finding that has ever failed, with its lifecycle;
 * - `scans/<scanId>.json`: one record per scan.
 * Both are written atomically (temporary file, fsync, rename), under a lock file naming its holder, and each record's
 * version is checked like the DynamoDB store does: a crash or an overlapping scan never leaves half a file, and a lock
 * left by a scan that died is taken over with a warning.
 */
export function createLocalStateStore(dir: string, options: LocalStateStoreOptions = {}): FindingStateStore {
  const statePath = join(dir, 'state.json');
  const scansDir = join(dir, 'scans');
  const lockPath = join(dir, 'state.lock');
  const warn = options.onWarning ?? (() => undefined);
  const now = options.now ?? Date.now;
  const isAlive = options.isAlive ?? processAlive;
  const staleAfter = options.staleLockMs ?? STALE_LOCK_MS;
  const host = hostname();
  const refuse = (why: string) => `${why}; fix or move it, or scan with --no-state`;

  async function readState(): Promise<FindingState[]> {
    let text: string;
    try {
      text = await readFile(statePath, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StateError(`Cannot read ${statePath}: ${errorMessage(e)}`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new StateError(refuse(`${statePath} is not valid JSON (${errorMessage(e)})`));
    }
    // Each problem is named by its field; "version" only when the version is what is wrong.
    if (jsonKind(raw) !== 'object') {
      throw new StateError(refuse(`${statePath}: expected a JSON object, got ${jsonKind(raw)}`));
    }
    const file = raw as Record<string, unknown>;
    if (file.schemaVersion !== LOCAL_STATE_VERSION) {
      throw new StateError(
        refuse(
          `${statePath} is not a kubeposture state file of version ${LOCAL_STATE_VERSION} (schemaVersion: ${JSON.stringify(file.schemaVersion) ?? 'missing'})`,
        ),
      );
    }
    if (!Array.isArray(file.findings)) {
      const got = file.findings === undefined ? 'nothing' : jsonKind(file.findings);
      throw new StateError(refuse(`${statePath} findings: expected an array, got ${got}`));
    }
    return file.findings.map((f, i) => parseFindingState(f, `${statePath} findings[${i}]`));
  }

  /** The newest `limit` readable records; one that cannot be read is reported and skipped, never fatal. */
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
      .reverse();
    const out: ScanRecord[] = [];
    for (const n of files) {
      if (out.length >= limit) break;
      const path = join(scansDir, n);
      let problem: string | undefined;
      try {
        const raw = JSON.parse(await readFile(path, 'utf8')) as unknown;
        problem = scanRecordProblem(raw);
        if (!problem) out.push(raw as ScanRecord);
      } catch (e) {
        problem = errorMessage(e);
      }
      if (problem) warn(`Skipping unreadable scan record ${path} (${problem}); state.json is unaffected`);
    }
    return out;
  }

  /** Whether the lock's holder is gone, and how to say so; undefined while it may still be working. */
  async function staleReason(text: string): Promise<string | undefined> {
    const info = parseLock(text);
    const holder = holderOf(text);
    if (info.host === host && Number.isInteger(info.pid) && (info.pid as number) > 0 && !isAlive(info.pid as number)) {
      return `its holder (${holder}) is no longer running`;
    }
    let taken = Date.parse(info.at ?? '');
    if (Number.isNaN(taken)) taken = (await stat(lockPath).catch(() => undefined))?.mtimeMs ?? now();
    const age = now() - taken;
    if (age > staleAfter) return `it is ${Math.round(age / 60_000)} minutes old (held by ${holder})`;
    return undefined;
  }

  /** Creates the lock with its content in one step (link fails if it exists), so no lock is ever empty. */
  async function tryLock(): Promise<boolean> {
    const content = `${JSON.stringify({ pid: process.pid, host, at: new Date(now()).toISOString() } satisfies LockInfo)}\n`;
    const tmp = `${lockPath}.${uniqueSuffix()}.tmp`;
    await writeFileAtomic(tmp, content);
    try {
      await link(tmp, lockPath);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw e;
      // A file system without hard links: exclusive create, then the content (a crash in between leaves an
      // empty lock, judged by its age).
      try {
        const handle = await open(lockPath, 'wx');
        try {
          await handle.writeFile(content);
        } finally {
          await handle.close();
        }
        return true;
      } catch (e2) {
        if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw e2;
      }
    } finally {
      await rm(tmp, { force: true });
    }
  }

  function holderOf(text: string): string {
    const info = parseLock(text);
    return `process ${info.pid ?? '?'} on ${info.host ?? 'an unknown host'}${info.at ? ` since ${info.at}` : ''}`;
  }

  async function acquire(): Promise<void> {
    await mkdir(dir, { recursive: true });
    for (let attempt = 1; ; attempt++) {
      if (await tryLock()) return;
      let text: string;
      try {
        text = await readFile(lockPath, 'utf8');
      } catch (e) {
        // Released between our attempt and this read: try again (a few times, then it is a busy folder).
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' && attempt < 3) continue;
        throw e;
      }
      const reason = await staleReason(text);
      if (!reason) {
        throw new StateConflictError(
          `Another scan (${holderOf(text)}) is writing ${dir}; wait for it to finish. If it is not running, remove ${lockPath}`,
        );
      }
      // Move the stale lock aside (atomic), and check it is still the one judged stale: if another scan took it
      // over in between, put theirs back and stand down.
      const aside = `${lockPath}.${uniqueSuffix()}.stale`;
      try {
        await rename(lockPath, aside);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      const moved = await readFile(aside, 'utf8').catch(() => undefined);
      if (moved !== undefined && moved !== text) {
        await link(aside, lockPath).catch(() => undefined);
        await unlink(aside).catch(() => undefined);
        throw new StateConflictError(`Another scan took over the stale lock ${lockPath} first; scan again`);
      }
      await rm(aside, { force: true });
      if (!(await tryLock())) {
        throw new StateConflictError(`Another scan took over the stale lock ${lockPath} first; scan again`);
      }
      warn(`Took over the lock ${lockPath}: ${reason}`);
      return;
    }
  }

  /**
   * Temporary files of a writer killed mid-write. Every write of state.json and of scan records happens under the
   * lock, which we hold, so any such file is a leftover (lock candidates, `state.lock.*`, are not touched).
   */
  async function removeLeftovers(): Promise<void> {
    const leftovers = async (folder: string, prefix: string) =>
      (await readdir(folder).catch(() => [] as string[]))
        .filter((n) => n.startsWith(prefix) && n.endsWith('.tmp'))
        .map((n) => join(folder, n));
    const files = [...(await leftovers(dir, 'state.json.')), ...(await leftovers(scansDir, ''))];
    await Promise.all(files.map((f) => rm(f, { force: true })));
  }

  async function withLock<T>(fn: () => Promise<T>): Promise<T> {
    await acquire();
    try {
      return await fn();
    } finally {
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
        if (
          await stat(scanPath).then(
            () => true,
            () => false,
          )
        )
          throw new StateConflictError(`Scan ${scan.id} was already recorded in ${dir}`);
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
        await removeLeftovers();
        // State first: it is the authority; a scan record lost to a crash here only costs the delta's label.
        await writeFileAtomic(statePath, `${JSON.stringify(file, null, 2)}\n`);
        await writeFileAtomic(scanPath, `${JSON.stringify(scan, null, 2)}\n`);
      });
    },

    async scans(limit) {
      return readScans(limit);
    },
  };
}

/**
 * Reports in a folder, laid out as the S3 report store lays them out in the bucket: `scans/<scanId>/<file>` and the
 * pointer `latest/scan.json` (for the finalize benchmark and local runs of the functions).
 */
export function createFolderReportStore(dir: string): ReportStore {
  return {
    async open(scanId, name) {
      await mkdir(join(dir, 'scans', scanId), { recursive: true });
      return fileUpload(join(dir, 'scans', scanId, name));
    },
    lines(scanId, name) {
      return fileLines(join(dir, 'scans', scanId, name));
    },
    async put(scanId, artifacts, streamed = []) {
      const keys: string[] = streamed.map((name) => `scans/${scanId}/${name}`);
      for (const a of artifacts) {
        const key = `scans/${scanId}/${a.name}`;
        await mkdir(join(dir, 'scans', scanId), { recursive: true });
        await writeFile(join(dir, key), a.body);
        keys.push(key);
      }
      await mkdir(join(dir, 'latest'), { recursive: true });
      await writeFileAtomic(join(dir, 'latest', 'scan.json'), `${JSON.stringify({ scanId, keys }, null, 2)}\n`);
      return { keys, latest: 'latest/scan.json' };
    },
  };
}

/** A file written as a stream into a temporary file, renamed into place by `complete` (readers never see a part). */
export function fileUpload(path: string): ArtifactUpload {
  const tmp = `${path}.${uniqueSuffix()}.tmp`;
  const out = createWriteStream(tmp);
  let failed: Error | undefined;
  out.on('error', (e) => {
    failed ??= e;
  });
  const closed = () => new Promise<void>((resolve, reject) => out.end(() => (failed ? reject(failed) : resolve())));
  return {
    async write(chunk) {
      if (failed) throw failed;
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    },
    async complete() {
      await closed();
      await rename(tmp, path);
    },
    async abort() {
      await closed().catch(() => undefined);
      await rm(tmp, { force: true });
    },
  };
}

/** A file's non-empty lines, streamed. */
export async function* fileLines(path: string): AsyncIterable<string> {
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    if (line) yield line;
  }
}
