import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StateError } from '../../core/errors.ts';
import { reconcileWithStore } from '../../core/state.ts';
import { aStoreFinding, aStoreReport, rescanRaceContract, stateStoreContract } from './contract.ts';
import { createLocalStateStore, writeFileAtomic } from './local.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kubeposture-state-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('local state store (a folder)', () => {
  stateStoreContract(async () => {
    const dir = await tempDir();
    return { store: createLocalStateStore(dir), again: () => createLocalStateStore(dir) };
  });
  rescanRaceContract(async () => {
    const dir = await tempDir();
    return { store: createLocalStateStore(dir), again: () => createLocalStateStore(dir) };
  });

  it('names the bad entry of an invalid state file, and leaves the file as it was', async () => {
    const dir = await tempDir();
    const store = createLocalStateStore(dir);
    await reconcileWithStore(store, aStoreReport('scan-1', [aStoreFinding('EKS.ENDPOINT.1')]), {
      now: new Date('2026-06-01T00:00:00Z'),
    });
    const path = join(dir, 'state.json');
    const file = JSON.parse(await readFile(path, 'utf8'));
    file.findings[0].firstSeen = 'last tuesday';
    const broken = JSON.stringify(file);
    await writeFile(path, broken);
    const scan = reconcileWithStore(store, aStoreReport('scan-2', []), { now: new Date() });
    await expect(scan).rejects.toBeInstanceOf(StateError);
    await expect(scan).rejects.toThrow(
      /state\.json findings\[0\] \(finding [0-9a-f]{32}\): firstSeen: must be an ISO date-time/,
    );
    expect(await readFile(path, 'utf8')).toBe(broken);
  });

  it('refuses a file that is not JSON, or not a state file, without overwriting it', async () => {
    const dir = await tempDir();
    const path = join(dir, 'state.json');
    await writeFile(path, '{ not json');
    await expect(createLocalStateStore(dir).load()).rejects.toThrow(/state\.json is not valid JSON/);
    await writeFile(path, '{"schemaVersion": 9, "findings": []}');
    await expect(createLocalStateStore(dir).load()).rejects.toThrow(/not a kubeposture state file of version 1/);
    expect(await readFile(path, 'utf8')).toBe('{"schemaVersion": 9, "findings": []}');
  });

  it('refuses to write while another scan holds the lock', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'state.lock'), '1');
    await expect(
      reconcileWithStore(createLocalStateStore(dir), aStoreReport('scan-1', []), { now: new Date() }),
    ).rejects.toThrow(/Another scan \(process 1 on an unknown host\) is writing .*; wait for it to finish/);
  });

  it('names the live holder (pid and host) in the lock, and refuses a second writer while it is held', async () => {
    const dir = await tempDir();
    const a = createLocalStateStore(dir);
    const b = createLocalStateStore(dir);
    const results = await Promise.allSettled([
      reconcileWithStore(a, aStoreReport('scan-1', [aStoreFinding('EKS.ENDPOINT.1')]), { now: new Date() }),
      reconcileWithStore(b, aStoreReport('scan-2', [aStoreFinding('EKS.ENDPOINT.1')]), { now: new Date() }),
    ]);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(String((refused[0] as PromiseRejectedResult).reason)).toContain(
      `Another scan (process ${process.pid} on ${hostname()} since `,
    );
    expect(await readdir(dir)).not.toContain('state.lock'); // released by the winner
  });

  it('takes over, with a warning, a lock left by a process of this host that is no longer running', async () => {
    const dir = await tempDir();
    const dead = await deadPid();
    const lock = join(dir, 'state.lock');
    await writeFile(lock, JSON.stringify({ pid: dead, host: hostname(), at: new Date().toISOString() }));
    const warnings: string[] = [];
    const store = createLocalStateStore(dir, { onWarning: (m) => warnings.push(m) });
    await reconcileWithStore(store, aStoreReport('scan-1', [aStoreFinding('EKS.ENDPOINT.1')]), { now: new Date() });
    expect(warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Took over the lock .*state\\.lock: its holder \\(process ${dead} on ${hostname()} since .*\\) is no longer running$`,
        ),
      ),
    ]);
    expect((await store.load()).findings).toHaveLength(1);
    expect(await readdir(dir)).toEqual(['scans', 'state.json']); // no lock, no temporary files
  });

  it('takes over a lock older than the age limit whoever holds it, and keeps a young one of another host', async () => {
    const dir = await tempDir();
    const lock = join(dir, 'state.lock');
    const warnings: string[] = [];
    const store = createLocalStateStore(dir, { onWarning: (m) => warnings.push(m) });
    const young = { pid: 4242, host: 'build-agent-7', at: new Date(Date.now() - 60_000).toISOString() };
    await writeFile(lock, JSON.stringify(young));
    await expect(reconcileWithStore(store, aStoreReport('scan-1', []), { now: new Date() })).rejects.toThrow(
      'Another scan (process 4242 on build-agent-7 since',
    );
    expect(JSON.parse(await readFile(lock, 'utf8'))).toEqual(young);
    await writeFile(lock, JSON.stringify({ ...young, at: new Date(Date.now() - 3_600_000).toISOString() }));
    await reconcileWithStore(store, aStoreReport('scan-1', []), { now: new Date() });
    expect(warnings).toEqual([expect.stringMatching(/: it is 60 minutes old \(held by process 4242 on build-agent-7/)]);
    // A lock whose content cannot be read is judged by the file's age.
    await writeFile(lock, '');
    const old = new Date(Date.now() - 3_600_000);
    await utimes(lock, old, old);
    await reconcileWithStore(store, aStoreReport('scan-2', []), { now: new Date() });
    expect(warnings[1]).toMatch(/it is 60 minutes old \(held by process \? on an unknown host\)/);
  });

  it('reports and skips a truncated scan record, using the newest readable one, and still commits', async () => {
    const dir = await tempDir();
    const warnings: string[] = [];
    const store = createLocalStateStore(dir, { onWarning: (m) => warnings.push(m) });
    const a = aStoreFinding('EKS.ENDPOINT.1');
    await reconcileWithStore(store, aStoreReport('scan-1', [a]), { now: new Date() });
    await reconcileWithStore(store, aStoreReport('scan-2', [a]), { now: new Date() });
    const second = join(dir, 'scans', 'scan-2.json');
    await writeFile(second, (await readFile(second, 'utf8')).slice(0, 40)); // a crash mid-write, as before the fix
    await writeFile(join(dir, 'scans', 'scan-3.json'), '{"id": "scan-3"}'); // JSON, but not a scan record
    const loaded = await store.load();
    expect(loaded.lastScan?.id).toBe('scan-1');
    expect(loaded.findings).toHaveLength(1);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^Skipping unreadable scan record .*scan-3\.json \(trigger: .*startedAt: .*\); state\.json is unaffected$/,
      ),
      expect.stringMatching(/^Skipping unreadable scan record .*scan-2\.json \(.*JSON.*\); state\.json is unaffected$/),
    ]);
    const third = await reconcileWithStore(store, aStoreReport('scan-4', [a]), { now: new Date() });
    expect(third.delta.previousScanId).toBe('scan-1');
    expect((await store.scans(10)).map((s) => s.id)).toEqual(['scan-4', 'scan-1']);
  });

  it('names the field when findings is not an array, rather than blaming the version, and never overwrites it', async () => {
    const dir = await tempDir();
    const path = join(dir, 'state.json');
    const bad = '{"schemaVersion": 1, "findings": "none"}';
    await writeFile(path, bad);
    const store = createLocalStateStore(dir);
    await expect(store.load()).rejects.toThrow(
      /state\.json findings: expected an array, got string; fix or move it, or scan with --no-state/,
    );
    await expect(reconcileWithStore(store, aStoreReport('scan-1', []), { now: new Date() })).rejects.toThrow(
      /findings: expected an array, got string/,
    );
    expect(await readFile(path, 'utf8')).toBe(bad);
    await writeFile(path, '{"schemaVersion": 1}');
    await expect(store.load()).rejects.toThrow(/state\.json findings: expected an array, got nothing/);
    await writeFile(path, '[]');
    await expect(store.load()).rejects.toThrow(/state\.json: expected a JSON object, got array/);
    await writeFile(path, '{"findings": []}');
    await expect(store.load()).rejects.toThrow(/not a kubeposture state file of version 1 \(schemaVersion: missing\)/);
  });

  it('removes temporary files a killed writer left, under the lock', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'scans'), { recursive: true });
    await writeFile(join(dir, 'state.json.4242.abcd.tmp'), '{"schemaVer');
    await writeFile(join(dir, 'scans', 'scan-0.json.4242.abcd.tmp'), '{"id"');
    await reconcileWithStore(createLocalStateStore(dir), aStoreReport('scan-1', []), { now: new Date() });
    expect(await readdir(dir)).toEqual(['scans', 'state.json']);
    expect(await readdir(join(dir, 'scans'))).toEqual(['scan-1.json']);
  });

  it('writes atomically: the old file stays whole when the write fails, and no temporary file is left', async () => {
    const dir = await tempDir();
    const target = join(dir, 'scans');
    await mkdir(target);
    // Renaming a file over a folder fails after the content was written: the folder is untouched, the temp removed.
    await expect(writeFileAtomic(target, 'x')).rejects.toThrow();
    expect((await stat(target)).isDirectory()).toBe(true);
    expect(await readdir(dir)).toEqual(['scans']);
    await writeFileAtomic(join(dir, 'f.json'), '{"a":1}');
    expect(await readFile(join(dir, 'f.json'), 'utf8')).toBe('{"a":1}');
    expect(await readdir(dir)).toEqual(['f.json', 'scans']);
  });
});

/** The pid of a process that has exited (a child that ran and was reaped). */
function deadPid(): Promise<number> {
  return new Promise((ok, fail) => {
    const child = execFile(process.execPath, ['-e', '0'], (error) => (error ? fail(error) : ok(child.pid!)));
  });
}
