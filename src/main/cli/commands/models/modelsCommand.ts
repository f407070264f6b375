import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ModelVersion } from '../../../../shared/models/modelVersionTypes';
import { defaultDataDir, ensureDataDir, findAppPackage } from '../../../appPaths';
import { ModelRegistry } from '../../../models/modelRegistry';
import { defaultModelPath } from '../../../policy/defaultModel';
import { SettingsStore } from '../../../settings/settingsStore';

export const MODELS_USAGE = `Usage: coach models list [--json] [--data DIR]
       coach models promote ID [--data DIR]
       coach models rollback [--data DIR]
       coach models export ID --out DIR [--data DIR]
       coach models delete ID [--data DIR]

  Model versions with their lineage (parent, pairs, hyper-parameters, evaluation against the parent).
  promote and rollback choose the version Coach loads at its next start (a running console: use its
  Training view); delete removes a version Coach made (never the one in use); export copies a version's
  package with its lineage.json into an empty folder.
`;

const percent = (value: number) => `${Math.round(value * 100)} %`;

function describe(version: ModelVersion): string {
  const comparison = version.comparison
    ? `${percent(version.comparison.before.overall.successRate)} → ${percent(version.comparison.after.overall.successRate)}`
    : '–';
  return [
    version.inUse ? '*' : ' ',
    version.id.padEnd(36),
    version.origin.padEnd(8),
    version.status.padEnd(9),
    (version.parentId ?? '–').padEnd(30),
    String(version.pairIds.length).padStart(6),
    `  ${comparison}`,
  ].join(' ');
}

/** `coach models …` */
export async function runModelsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        out: { type: 'string' },
        data: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`coach models: ${(error as Error).message}\n\n${MODELS_USAGE}`);
    return 2;
  }
  if (!sub || sub === 'help' || values.help) {
    process.stdout.write(MODELS_USAGE);
    return sub ? 0 : 2;
  }
  try {
    const dataDir = ensureDataDir(path.resolve(values.data ?? defaultDataDir()));
    const settings = new SettingsStore(dataDir);
    const registry = new ModelRegistry(dataDir);
    const inUse = path.resolve(settings.get().policy.modelPath ?? defaultModelPath(findAppPackage(__dirname).root));
    await registry.ensureKnown(inUse, settings.get().policy.modelPath ? 'loaded' : 'shipped');
    const id = positionals[0];
    const needId = () => {
      if (!id) throw new Error(`coach models ${sub} needs a version id (coach models list shows them)`);
      return id;
    };
    switch (sub) {
      case 'list': {
        const versions = registry.list(inUse);
        if (values.json) process.stdout.write(JSON.stringify(versions, null, 2) + '\n');
        else {
          process.stdout.write(
            `  ${'id'.padEnd(36)} ${'origin'.padEnd(8)} ${'status'.padEnd(9)} ${'parent'.padEnd(30)}  pairs  success before → after\n`,
          );
          for (const version of versions) process.stdout.write(describe(version) + '\n');
          process.stdout.write('(* in use)\n');
        }
        return 0;
      }
      case 'promote': {
        const version = registry.promote(needId());
        settings.update({ policy: { modelPath: version.path } });
        process.stdout.write(`promoted ${version.id}: Coach loads ${version.path} at its next start\n`);
        return 0;
      }
      case 'rollback': {
        const target = registry.rollbackTarget(inUse);
        registry.promote(target.id);
        settings.update({ policy: { modelPath: target.path } });
        process.stdout.write(`rolled back to ${target.id}: Coach loads ${target.path} at its next start\n`);
        return 0;
      }
      case 'export': {
        if (!values.out) throw new Error('coach models export needs --out DIR (an empty or new folder)');
        const target = registry.exportTo(needId(), values.out);
        process.stdout.write(`exported ${id} to ${target}\n`);
        return 0;
      }
      case 'delete': {
        registry.delete(needId(), inUse);
        process.stdout.write(`deleted ${id}\n`);
        return 0;
      }
      default:
        process.stderr.write(`coach models: unknown subcommand "${sub}"\n\n${MODELS_USAGE}`);
        return 2;
    }
  } catch (error) {
    process.stderr.write(`coach models ${sub}: ${(error as Error).message}\n`);
    return 1;
  }
}
