// `npm run bench:refine`: the efficacy of one-click refinement, measured end to end. Starting from a
// model (default: the one Coach ships), record attempts in the sim on training scenes (kinematic, as
// `coach eval` runs them, written as ordinary episodes), label them as an operator would (success → good,
// failure → bad), build preference pairs (labels + GTA), refine once with DPO, and evaluate before and
// after on the same held-out seeds. Prints figures; not a test.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TASK_TEMPLATES } from '../../src/shared/sim/world/tasks';
import { sceneSeed } from '../../src/shared/evaluation/seedSets';
import type { RefineJob } from '../../src/shared/refine/refineTypes';
import type { VersionComparison as RefineComparison } from '../../src/shared/models/modelVersionTypes';
import { openPairReward, PAIR_REWARDS, type PairRewardName } from '../../src/main/worldModel/pairRewardChoice';
import { EpisodeCatalog } from '../../src/main/episodes/catalog/episodeCatalog';
import { CATALOG_FILE } from '../../src/main/episodes/store/episodeFormat';
import { EvaluationService } from '../../src/main/evaluation/evaluationService';
import { loadPackagePolicy } from '../../src/main/evaluation/packagePolicy';
import { ModelRegistry } from '../../src/main/models/modelRegistry';
import { defaultModelPath } from '../../src/main/policy/defaultModel';
import { buildPairsWithModel } from '../../src/main/refine/pairs/buildPairs';
import { PairStore } from '../../src/main/refine/pairs/pairStore';
import { recordSimAttempt } from '../../src/main/refine/recordSimAttempt';
import { recordSimDemonstration } from '../../src/main/refine/recordSimDemonstration';
import { RefineService } from '../../src/main/refine/refineService';
import { refineTrainingDeps } from '../../src/main/refine/refineWiring';
import { loadArmChain } from '../../src/main/robot/urdf/loadUrdf';

const ROOT = path.resolve(__dirname, '../..');
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1]! : fallback;
};
const MODEL = path.resolve(option('model', defaultModelPath(ROOT)));
const ATTEMPTS = Number(option('attempts', '20'));
/** Scripted-expert demonstrations per template recorded as good episodes (GTA pairs around the expert's chunks). */
const DEMOS = Number(option('demos', '0'));
/** Which pairs to build: labels, gta or all. */
const FROM = option('from', 'all') as 'labels' | 'gta' | 'all';
/** Rewards that rank the samples, each refined on its own copy of the episodes: gta, wm, wm+gta (comma-separated). */
const REWARDS = option('rewards', 'gta').split(',') as PairRewardName[];
for (const reward of REWARDS)
  if (!PAIR_REWARDS.includes(reward)) throw new Error(`--rewards: unknown ${reward} (${PAIR_REWARDS.join(', ')})`);
const WORLD_MODEL = args.includes('--world-model') ? path.resolve(option('world-model', '')) : undefined;
/** GTA's weight next to the energy in wm+gta (default NORA-1.5's 0.1). */
const GTA_WEIGHT = args.includes('--gta-weight') ? Number(option('gta-weight', '0.1')) : undefined;
const EVAL_EPISODES = Number(option('eval-episodes', '20'));
const MAX_STROKES = Number(option('max-strokes', '60'));
const STEPS = args.includes('--steps') ? Number(option('steps', '0')) : undefined;
const BETA = args.includes('--beta') ? Number(option('beta', '500')) : undefined;
const LEARNING_RATE = args.includes('--lr') ? Number(option('lr', '0')) : undefined;

const seconds = (startMs: number) => ((performance.now() - startMs) / 1000).toFixed(1);
const percent = (value: number) => `${(value * 100).toFixed(0)} %`;

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-bench-refine-'));
  const root = path.join(dataDir, 'episodes');
  fs.mkdirSync(root, { recursive: true });
  const catalog = new EpisodeCatalog(path.join(root, CATALOG_FILE));
  const chain = loadArmChain(ROOT);
  console.log(`model ${MODEL}; ${ATTEMPTS} attempts per template on training scenes (seed indices 0…${ATTEMPTS - 1})`);

  let started = performance.now();
  const loaded = await loadPackagePolicy(MODEL);
  let successes = 0;
  let attempts = 0;
  try {
    for (let i = 0; i < ATTEMPTS; i += 1)
      for (const template of TASK_TEMPLATES) {
        const { episodeId, result } = await recordSimAttempt(
          chain,
          loaded.policy,
          loaded.model,
          { root, catalog },
          {
            template,
            seed: sceneSeed('train', template, i),
            maxStrokes: MAX_STROKES,
            noiseSeed: 1000 + i,
          },
        );
        catalog.label([episodeId], result.success ? 'good' : 'bad');
        successes += result.success ? 1 : 0;
        attempts += 1;
      }
  } finally {
    await loaded.release();
  }
  console.log(
    `recorded ${attempts} attempts (${successes} successes, labelled good; the rest bad) in ${seconds(started)} s`,
  );
  if (DEMOS > 0) {
    started = performance.now();
    let recorded = 0;
    for (let i = 0; i < DEMOS; i += 1)
      for (const template of TASK_TEMPLATES) {
        const id = await recordSimDemonstration(
          chain,
          loaded.policy,
          { root, catalog },
          {
            template,
            seed: sceneSeed('train', template, 1000 + i),
          },
        );
        if (id !== null) {
          catalog.label([id], 'good');
          recorded += 1;
        }
      }
    console.log(
      `recorded ${recorded} scripted-expert demonstrations (training seeds, labelled good) in ${seconds(started)} s`,
    );
  }

  catalog.close();

  const results: { reward: PairRewardName; pairs: number; comparison: RefineComparison }[] = [];
  for (const reward of REWARDS) {
    // Each reward ranks samples on its own copy of the same recorded episodes.
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), `coach-bench-refine-${reward.replace('+', '-')}-`));
    fs.cpSync(dataDir, runDir, { recursive: true });
    const result = await refineWith(reward, runDir);
    results.push(result);
    fs.rmSync(runDir, { recursive: true, force: true });
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (results.length > 1) {
    console.log(`\nablation, the same episodes and DPO budget, held-out seeds (${EVAL_EPISODES} per template):`);
    console.log('| pairs from | pairs | success before → after | mean strokes | distractor grasps |');
    console.log('|---|---|---|---|---|');
    for (const { reward, pairs, comparison } of results) {
      const b = comparison.before.overall;
      const a = comparison.after.overall;
      console.log(
        `| ${reward} | ${pairs} | ${b.successes}/${b.episodes} → ${a.successes}/${a.episodes} | ` +
          `${b.meanStrokes.toFixed(1)} → ${a.meanStrokes.toFixed(1)} | ${b.distractorGrasps} → ${a.distractorGrasps} |`,
      );
    }
  }
}

async function refineWith(
  rewardName: PairRewardName,
  dataDir: string,
): Promise<{ reward: PairRewardName; pairs: number; comparison: RefineComparison }> {
  console.log(`\n== pairs ranked by ${rewardName} ==`);
  const root = path.join(dataDir, 'episodes');
  const catalog = new EpisodeCatalog(path.join(root, CATALOG_FILE));
  const store = new PairStore(catalog);
  let started = performance.now();
  const reward = await openPairReward(
    {
      reward: rewardName,
      ...(WORLD_MODEL ? { worldModelPath: WORLD_MODEL } : {}),
      ...(GTA_WEIGHT !== undefined ? { gtaWeight: GTA_WEIGHT } : {}),
    },
    { root, catalog },
    ROOT,
  );
  let built;
  try {
    built = await buildPairsWithModel({ catalog, store, root }, MODEL, {
      from: FROM,
      reward: reward.reward,
      ...(reward.goals ? { goals: reward.goals } : {}),
    });
  } finally {
    await reward.release();
  }
  console.log(
    `built ${built.built} pairs (${Object.entries(built.bySource)
      .map(([source, n]) => `${source} ${n}`)
      .join(', ')}) in ${seconds(started)} s` +
      (reward.worldModel ? ` (world model ${reward.worldModel.name} ${reward.worldModel.version})` : ''),
  );

  const registry = new ModelRegistry(dataDir);
  const evaluations = new EvaluationService(ROOT, catalog);
  const refine = new RefineService({
    registry,
    evaluations,
    inUsePath: () => MODEL,
    useModel: async () => undefined,
    ...refineTrainingDeps(ROOT, { root, catalog }, store),
  });
  const phaseStarted: Record<string, number> = {};
  refine.statusTopic.subscribe((job) => {
    if (job && phaseStarted[job.phase] === undefined) phaseStarted[job.phase] = performance.now();
  });
  started = performance.now();
  await refine.start({
    buildFrom: 'none',
    seed: 0,
    evalEpisodesPerTemplate: EVAL_EPISODES,
    evalTemplates: [...TASK_TEMPLATES],
    ...(STEPS === undefined ? {} : { steps: STEPS }),
    ...(BETA === undefined ? {} : { beta: BETA }),
    ...(LEARNING_RATE === undefined ? {} : { learningRate: LEARNING_RATE }),
  });
  await refine.settled();
  const job = refine.status() as RefineJob;
  const trainingS = ((phaseStarted.evaluating ?? performance.now()) - (phaseStarted.training ?? started)) / 1000;
  if (job.phase !== 'ready') throw new Error(`refinement ended ${job.phase}: ${job.message}`);
  const accuracy = job.training.curves.accuracy?.at(-1)?.[1];
  console.log(
    `refined on ${job.pairs.used} pairs: ${job.training.step} DPO steps in ${trainingS.toFixed(1)} s ` +
      `(${job.training.stepsPerS?.toFixed(1) ?? '–'} steps/s; implicit accuracy at the end ${accuracy?.toFixed(2) ?? '–'}); ` +
      `whole refinement incl. evaluation ${seconds(started)} s`,
  );
  const comparison = job.comparison!;
  console.log(`\nheld-out seeds, ${EVAL_EPISODES} per template: before → after`);
  const groups = [...TASK_TEMPLATES, 'overall'];
  for (const group of groups) {
    const before = group === 'overall' ? comparison.before.overall : comparison.before.byTemplate[group]!;
    const after = group === 'overall' ? comparison.after.overall : comparison.after.byTemplate[group]!;
    const ci = (s: typeof before) => `[${percent(s.successInterval95[0])}, ${percent(s.successInterval95[1])}]`;
    console.log(
      `${group.padEnd(10)} success ${before.successes}/${before.episodes} ${ci(before)} → ${after.successes}/${after.episodes} ${ci(after)}; ` +
        `strokes ${before.meanStrokes.toFixed(1)} → ${after.meanStrokes.toFixed(1)}; ` +
        `distractor grasps ${before.distractorGrasps} → ${after.distractorGrasps}`,
    );
  }
  const b = comparison.before.overall;
  const a = comparison.after.overall;
  console.log(
    `\nefficacy: success ${((a.successRate - b.successRate) * 100).toFixed(1)} points (target ≥ +10); ` +
      `mean strokes ${(((a.meanStrokes - b.meanStrokes) / b.meanStrokes) * 100).toFixed(1)} % (target ≤ −25 %); ` +
      `distractor grasps ${b.distractorGrasps} → ${a.distractorGrasps}`,
  );
  await refine.close();
  await evaluations.close();
  catalog.close();
  return { reward: rewardName, pairs: job.pairs.used, comparison };
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
