import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LINEAGE_FILE, ModelRegistry, REGISTRY_FILE } from '../../../../src/main/models/modelRegistry';

const repoRoot = path.resolve(__dirname, '../../../..');
const SHIPPED = path.join(repoRoot, 'resources/models/coach-test');

let dataDir: string;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-registry-'));
});
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** A refined version: a copy of the shipped package in <data>/models/<id>. */
function writeChild(registry: ModelRegistry, parentId: string) {
  const { id, dir } = registry.newVersionDir('coach-test-dpo');
  fs.cpSync(SHIPPED, dir, { recursive: true });
  return registry.add({
    id,
    path: dir,
    name: 'coach-test',
    version: '0.1.0+dpo.1',
    origin: 'dpo',
    parentId,
    pairIds: [3, 4, 9],
    hyperparameters: { beta: 500, steps: 200 },
    curves: {
      loss: [
        [0, 0.69],
        [200, 0.4],
      ],
    },
    comparison: null,
    note: '',
  });
}

describe('ModelRegistry', () => {
  it('keeps lineage across restarts and writes it into the version folder', async () => {
    const registry = new ModelRegistry(dataDir);
    const shipped = await registry.ensureKnown(SHIPPED, 'shipped');
    expect(shipped.status).toBe('promoted');
    expect(await registry.ensureKnown(SHIPPED, 'shipped')).toEqual(shipped);
    const child = writeChild(registry, shipped.id);

    const reopened = new ModelRegistry(dataDir);
    const listed = reopened.list(SHIPPED);
    expect(listed.map((v) => v.id).sort()).toEqual([child.id, shipped.id].sort());
    expect(listed.find((v) => v.id === shipped.id)!.inUse).toBe(true);
    const stored = listed.find((v) => v.id === child.id)!;
    expect(stored).toMatchObject({ parentId: shipped.id, pairIds: [3, 4, 9], status: 'candidate', inUse: false });
    const lineage = JSON.parse(fs.readFileSync(path.join(child.path, LINEAGE_FILE), 'utf8'));
    expect(lineage.parentId).toBe(shipped.id);
    expect(lineage.hyperparameters).toEqual({ beta: 500, steps: 200 });
  });

  it('registers a package once when asked for it concurrently (two lists at start)', async () => {
    const registry = new ModelRegistry(dataDir);
    const [first, second] = await Promise.all([
      registry.ensureKnown(SHIPPED, 'shipped'),
      registry.ensureKnown(`${SHIPPED}/`, 'shipped'),
    ]);
    expect(second.id).toBe(first.id);
    expect(registry.list(SHIPPED)).toHaveLength(1);
  });

  it('promotes, rolls back to the previous promoted version, and never deletes the one in use', async () => {
    const registry = new ModelRegistry(dataDir);
    const shipped = await registry.ensureKnown(SHIPPED, 'shipped');
    const child = writeChild(registry, shipped.id);
    expect(() => registry.rollbackTarget(SHIPPED)).toThrow(/no earlier promoted/);
    registry.promote(child.id);
    expect(registry.rollbackTarget(child.path).id).toBe(shipped.id);
    expect(() => registry.delete(child.id, child.path)).toThrow(/in use/);
    expect(() => registry.discard(child.id, child.path)).toThrow(/in use/);
    registry.delete(child.id, SHIPPED);
    expect(fs.existsSync(child.path)).toBe(false);
    // The shipped package is registered where it is and never removed from disk.
    registry.delete(shipped.id, null);
    expect(fs.existsSync(path.join(SHIPPED, 'manifest.json'))).toBe(true);
  });

  it('refuses to promote a discarded version and exports a version with its lineage', async () => {
    const registry = new ModelRegistry(dataDir);
    const shipped = await registry.ensureKnown(SHIPPED, 'shipped');
    const child = writeChild(registry, shipped.id);
    const out = path.join(dataDir, 'exported');
    registry.exportTo(child.id, out);
    expect(fs.existsSync(path.join(out, 'manifest.json'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(out, LINEAGE_FILE), 'utf8')).id).toBe(child.id);
    expect(() => registry.exportTo(child.id, out)).toThrow(/not empty/);
    registry.discard(child.id, SHIPPED);
    expect(() => registry.promote(child.id)).toThrow(/discarded/);
  });

  it('names a corrupt registry file instead of starting over silently', () => {
    fs.mkdirSync(path.join(dataDir, 'models'));
    fs.writeFileSync(path.join(dataDir, 'models', REGISTRY_FILE), '{"format": "coach.models/1", "versions": [');
    expect(() => new ModelRegistry(dataDir)).toThrow(/not valid JSON.*model folders are untouched/);
  });
});
