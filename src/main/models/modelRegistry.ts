import fs from 'node:fs';
import path from 'node:path';
import { CoachError } from '../../shared/contract/errors';
import type { ModelVersion } from '../../shared/models/modelVersionTypes';
import { writeJsonAtomic } from '../episodes/recording/writeJsonAtomic';
import { loadModelPackage } from '../policy/modelPackage';

export const REGISTRY_FORMAT = 'coach.models/1';
export const REGISTRY_FILE = 'registry.json';
/** Written into each version's folder too, so an exported version carries its lineage. */
export const LINEAGE_FILE = 'lineage.json';

type StoredVersion = Omit<ModelVersion, 'inUse'>;

interface RegistryFile {
  format: typeof REGISTRY_FORMAT;
  versions: StoredVersion[];
  /** Versions promoted, oldest first: roll back goes to the one before the last. */
  promotions: { id: string; atMs: number }[];
}

export type NewVersion = Omit<StoredVersion, 'status' | 'createdAtMs' | 'id'> & { id?: string; createdAtMs?: number };

/**
 * The model versions Coach knows, with their lineage (parent, pairs, hyper-parameters, curves,
 * evaluation against the parent), kept in <data>/models/registry.json. Packages Coach trained live in
 * <data>/models/<id>/; the shipped package and ones the operator loaded are registered where they are
 * (and never deleted from disk). Promote and roll back only change which version is in use: the caller
 * loads the returned path.
 */
export class ModelRegistry {
  readonly modelsDir: string;
  private readonly file: string;
  private data: RegistryFile;
  private readonly registering = new Map<string, Promise<StoredVersion>>();

  constructor(dataDir: string) {
    this.modelsDir = path.join(dataDir, 'models');
    this.file = path.join(this.modelsDir, REGISTRY_FILE);
    this.data = this.read();
  }

  list(inUsePath: string | null): ModelVersion[] {
    const inUse = inUsePath ? path.resolve(inUsePath) : null;
    return this.data.versions
      .map((version) => ({ ...structuredClone(version), inUse: path.resolve(version.path) === inUse }))
      .sort((a, b) => b.createdAtMs - a.createdAtMs);
  }

  get(id: string): StoredVersion {
    const version = this.data.versions.find((item) => item.id === id);
    if (!version) throw new CoachError('not_found', `no model version "${id}" (coach models list shows them)`);
    return version;
  }

  findByPath(modelPath: string): StoredVersion | null {
    const resolved = path.resolve(modelPath);
    return this.data.versions.find((item) => path.resolve(item.path) === resolved) ?? null;
  }

  /** Registers a package that is in use but unknown (the shipped one, or one the operator loaded), once. */
  async ensureKnown(modelPath: string, origin: 'shipped' | 'loaded'): Promise<StoredVersion> {
    const known = this.findByPath(modelPath);
    if (known) return known;
    // Two concurrent calls for one path (two models.list at start) would both load it and register it twice.
    const key = path.resolve(modelPath);
    const inFlight = this.registering.get(key);
    if (inFlight) return inFlight;
    const registering = this.register(modelPath, origin).finally(() => this.registering.delete(key));
    this.registering.set(key, registering);
    return registering;
  }

  private async register(modelPath: string, origin: 'shipped' | 'loaded'): Promise<StoredVersion> {
    const pkg = await loadModelPackage(modelPath);
    const known = this.findByPath(pkg.dir);
    if (known) return known;
    return this.add(
      {
        id: this.uniqueId(`${pkg.manifest.name}-${pkg.manifest.version}`, false),
        path: pkg.dir,
        name: pkg.manifest.name,
        version: pkg.manifest.version,
        origin,
        parentId: null,
        pairIds: [],
        hyperparameters: {},
        curves: {},
        comparison: null,
        note: pkg.manifest.description ?? '',
      },
      'promoted',
    );
  }

  /** A new version (a candidate until promoted); its lineage is also written into its folder. */
  add(version: NewVersion, status: StoredVersion['status'] = 'candidate'): StoredVersion {
    const id = version.id ?? path.basename(version.path);
    if (this.data.versions.some((item) => item.id === id))
      throw new CoachError('invalid_arguments', `a model version "${id}" is already registered`);
    const stored: StoredVersion = { ...version, id, status, createdAtMs: version.createdAtMs ?? Date.now() };
    this.data.versions.push(stored);
    if (status === 'promoted') this.data.promotions.push({ id, atMs: Date.now() });
    this.save();
    if (this.isOwned(stored)) writeJsonAtomic(path.join(stored.path, LINEAGE_FILE), stored);
    return stored;
  }

  update(id: string, patch: Partial<Pick<StoredVersion, 'comparison' | 'note' | 'curves'>>): StoredVersion {
    const version = this.get(id);
    Object.assign(version, patch);
    this.save();
    if (this.isOwned(version) && fs.existsSync(version.path))
      writeJsonAtomic(path.join(version.path, LINEAGE_FILE), version);
    return version;
  }

  /** The version, if it may be promoted (not discarded, its package still there); throws otherwise. */
  promotable(id: string): StoredVersion {
    const version = this.get(id);
    if (version.status === 'discarded')
      throw new CoachError('invalid_arguments', `model version "${id}" was discarded; it cannot be promoted`);
    return this.requireFolder(version);
  }

  /** Marks a version promoted; returns it (the caller loads its path, best before: see promotable). */
  promote(id: string): StoredVersion {
    const version = this.promotable(id);
    version.status = 'promoted';
    this.data.promotions.push({ id, atMs: Date.now() });
    this.save();
    return version;
  }

  discard(id: string, inUsePath: string | null): StoredVersion {
    const version = this.get(id);
    if (this.isInUse(version, inUsePath))
      throw new CoachError('busy', `model version "${id}" is in use; promote or roll back to another first`);
    version.status = 'discarded';
    this.save();
    return version;
  }

  /** The version promoted before the one in use (skipping deleted ones). */
  rollbackTarget(inUsePath: string | null): StoredVersion {
    const current = inUsePath ? this.findByPath(inUsePath) : null;
    const history = this.data.promotions
      .map((entry) => entry.id)
      .filter((id) => id !== current?.id && this.data.versions.some((v) => v.id === id && fs.existsSync(v.path)));
    const target = history.at(-1);
    if (!target) throw new CoachError('not_found', 'no earlier promoted model version to roll back to');
    return this.get(target);
  }

  /** Forgets a version and removes its folder when Coach made it. Never the one in use. */
  delete(id: string, inUsePath: string | null): void {
    const version = this.get(id);
    if (this.isInUse(version, inUsePath))
      throw new CoachError('busy', `model version "${id}" is in use; promote or roll back to another first`);
    this.data.versions = this.data.versions.filter((item) => item.id !== id);
    this.data.promotions = this.data.promotions.filter((entry) => entry.id !== id);
    this.save();
    if (this.isOwned(version)) fs.rmSync(version.path, { recursive: true, force: true });
  }

  /** Copies a version's package (with its lineage) into an empty or new folder. */
  exportTo(id: string, destination: string): string {
    const version = this.requireFolder(this.get(id));
    const target = path.resolve(destination);
    if (fs.existsSync(target) && fs.readdirSync(target).length > 0)
      throw new CoachError('invalid_arguments', `${target} is not empty; choose an empty or new folder`);
    fs.cpSync(version.path, target, { recursive: true });
    writeJsonAtomic(path.join(target, LINEAGE_FILE), version);
    return target;
  }

  /** A folder for a new version under <data>/models (not created). */
  newVersionDir(baseName: string): { id: string; dir: string } {
    const id = this.uniqueId(baseName, true);
    return { id, dir: path.join(this.modelsDir, id) };
  }

  private isInUse(version: StoredVersion, inUsePath: string | null): boolean {
    return inUsePath !== null && path.resolve(version.path) === path.resolve(inUsePath);
  }

  private isOwned(version: StoredVersion): boolean {
    const relative = path.relative(this.modelsDir, path.resolve(version.path));
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  }

  private requireFolder(version: StoredVersion): StoredVersion {
    if (!fs.existsSync(path.join(version.path, 'manifest.json')))
      throw new CoachError('not_found', `model version "${version.id}" has no package at ${version.path} any more`);
    return version;
  }

  /** An id no version has (and, for a new folder, no folder under <data>/models has either). */
  private uniqueId(base: string, newFolder: boolean): string {
    const clean = base.replace(/[^A-Za-z0-9._+-]+/g, '-');
    const taken = (id: string) =>
      this.data.versions.some((item) => item.id === id) || (newFolder && fs.existsSync(path.join(this.modelsDir, id)));
    let id = clean;
    for (let n = 2; taken(id); n += 1) id = `${clean}-${n}`;
    return id;
  }

  private read(): RegistryFile {
    if (!fs.existsSync(this.file)) return { format: REGISTRY_FORMAT, versions: [], promotions: [] };
    let parsed: RegistryFile;
    try {
      parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as RegistryFile;
    } catch (error) {
      throw new CoachError(
        'invalid_data',
        `the model registry ${this.file} is not valid JSON (${(error as Error).message}); move it away to start a new one — the model folders are untouched`,
      );
    }
    if (parsed.format !== REGISTRY_FORMAT || !Array.isArray(parsed.versions))
      throw new CoachError('invalid_data', `${this.file} is not a Coach model registry (${REGISTRY_FORMAT})`);
    return { format: REGISTRY_FORMAT, versions: parsed.versions, promotions: parsed.promotions ?? [] };
  }

  private save(): void {
    fs.mkdirSync(this.modelsDir, { recursive: true });
    writeJsonAtomic(this.file, this.data);
  }
}
