import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StateError } from '../../core/errors.ts';
import { reconcileWithStore } from '../../core/state.ts';
import { aStoreFinding, aStoreReport, stateStoreContract } from './contract.ts';
import { createLocalStateStore } from './local.ts';

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
    ).rejects.toThrow(/Another scan is writing/);
  });
});
