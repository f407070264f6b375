import { coachContract, type CoachContract } from '../shared/contract/api';
import { settingsSchema } from '../shared/settings';
import { CoachError } from '../shared/contract/errors';
import type { OnnxRuntimeInfo, SystemInfo } from '../shared/system';
import { findAppPackage, ensureDataDir } from './appPaths';
import { ContractServer } from './contract/contractServer';
import { SettingsStore } from './settings/settingsStore';
import { checkSettingsPatch } from './settings/settingsChecks';
import { HealthMonitor } from './system/healthMonitor';
import { probeOnnxRuntime } from './system/onnxRuntimeProbe';
import { collectSystemInfo } from './system/systemInfo';
import { ArmService, type ArmServiceOptions } from './robot/armService';
import { listSerialPorts } from './robot/link/serialChannel';
import { CameraService } from './camera/cameraService';
import { PolicyService } from './policy/policyService';
import { TaskRunner } from './runner/taskRunner';
import { loadArmChain } from './robot/urdf/loadUrdf';
import { defaultModelPath } from './policy/defaultModel';
import type { ExecutionProvider } from '../shared/system';
import { EpisodeService } from './episodes/episodeService';
import { EvaluationService } from './evaluation/evaluationService';
import { TrainingService, type DemonstrationJobExecutor } from './training/trainingService';
import { demonstrationJobExecutor } from './training/demonstrationJob';
import path from 'node:path';
import { ModelRegistry } from './models/modelRegistry';
import { PairStore } from './refine/pairs/pairStore';
import { RefineService } from './refine/refineService';
import { subscribeArmSamples } from './robot/armSamplesBatcher';
import { ARM_SAMPLES_BATCH_MS } from '../shared/robot/armSamples';
import { refineTrainingDeps } from './refine/refineWiring';
import { GoalProgressService } from './worldModel/goalProgress';
import { defaultWorldModelPath } from './worldModel/pairRewardChoice';

export interface CoachConfig {
  /** Folder for settings and recorded data; created if missing. */
  dataDir: string;
  host: SystemInfo['host'];
  /** Where to look for Coach's package.json (defaults to this module's folder). */
  appDir?: string;
  healthIntervalMs?: number;
  arm?: {
    /** Overrides the setting: connect to the configured link at start (default true, the embedded sim). */
    autoConnect?: boolean;
    options?: ArmServiceOptions;
  };
  policy?: {
    /** Overrides the setting: load the configured (or shipped) model package at start (default true). */
    autoLoad?: boolean;
    /** Load this package at start instead of the configured one. */
    modelPath?: string;
    /** Execution providers to try, best first (default: CUDA where present, then CPU). */
    providers?: ExecutionProvider[];
  };
  training?: {
    /** Runs behaviour cloning on demonstrations (tests inject their own). */
    executeDemonstrations?: DemonstrationJobExecutor;
  };
  /** The desktop's folder dialog (Electron); absent in the browser console and the CLI. */
  pickFolder?: (title: string) => Promise<string | null>;
}

export interface Coach {
  readonly server: ContractServer<CoachContract>;
  readonly dataDir: string;
  readonly warnings: readonly string[];
  readonly arm: ArmService;
  readonly cameras: CameraService;
  readonly policy: PolicyService;
  readonly runner: TaskRunner;
  readonly episodes: EpisodeService;
  readonly evaluations: EvaluationService;
  readonly training: TrainingService;
  readonly models: ModelRegistry;
  readonly refine: RefineService;
  /** Settles when start-up work (the first arm connection) is done; failures land in warnings. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/** The one composition root: builds every service from config for Electron, the CLI, the headless host and tests. */
export function createCoach(config: CoachConfig): Coach {
  const dataDir = ensureDataDir(config.dataDir);
  const app = findAppPackage(config.appDir ?? __dirname);
  const settings = new SettingsStore(dataDir);
  // Each sample also says how much room is left where Coach writes: the data folder and the recordings folder.
  const health = new HealthMonitor(config.healthIntervalMs ?? 1000, {
    folders: () => [
      { role: 'data', path: dataDir },
      { role: 'recordings', path: episodes.root },
    ],
  });
  const warnings = settings.warnings;
  const startup = settings.get();
  // The operator's safety limits (Settings) tighten the governor from the first connection on.
  const arm = new ArmService(app.root, { safety: startup.safety, ...config.arm?.options });
  const cameras = new CameraService(app.root);
  arm.worldTopic.subscribe((snapshot) => cameras.setWorldSnapshot(snapshot));
  const policy = new PolicyService(app.root, config.policy?.providers);
  const runner = new TaskRunner(arm, cameras, policy, loadArmChain(app.root));
  policy.infoTopic.subscribe((info) => cameras.setPolicyImageSizes(info?.cameras ?? []));
  const episodesRoot = path.resolve(dataDir, startup.recording.dir ?? 'episodes');
  const episodes = new EpisodeService(episodesRoot, {
    arm,
    cameras,
    runner,
    policy,
    settings: () => settings.get().recording,
  });
  // The world model's progress toward the task's goal, read at every chunk (the run panel's bar).
  const goalProgress = new GoalProgressService(
    { root: episodesRoot, catalog: episodes.catalog },
    () => settings.get().refine.worldModelPath ?? defaultWorldModelPath(app.root),
  );
  runner.setProgress(goalProgress);
  health.start();
  warnings.push(...cameras.restore(startup.cameras));
  const saveCameras = <T>(result: T): T => {
    settings.update({ cameras: cameras.saved() });
    return result;
  };
  const armReady =
    (config.arm?.autoConnect ?? startup.arm.autoConnect)
      ? arm.connect(startup.arm.link).then(
          () => {
            if (startup.arm.link.kind === 'sim') cameras.addSimCameras();
          },
          (error: Error) => {
            warnings.push(`could not connect to the arm (${startup.arm.link.kind}): ${error.message}`);
          },
        )
      : Promise.resolve();
  const modelPath = config.policy?.modelPath ?? startup.policy.modelPath ?? defaultModelPath(app.root);
  const policyReady =
    (config.policy?.autoLoad ?? startup.policy.autoLoad)
      ? policy.load(modelPath).then(
          () => undefined,
          (error: Error) => {
            warnings.push(`could not load the model package ${modelPath}: ${error.message}`);
          },
        )
      : Promise.resolve();
  const evaluations = new EvaluationService(app.root, episodes.catalog);
  const models = new ModelRegistry(dataDir);
  const inUsePath = () => policy.info()?.path ?? null;
  /** Loads a version into the policy worker and remembers it for the next start. */
  const useModel = async (modelPath: string) => {
    if (runner.isRunning) throw new CoachError('busy', 'an attempt is running; stop it before changing the model');
    const info = await policy.load(modelPath);
    settings.update({ policy: { modelPath: info.path } });
  };
  const pairs = new PairStore(episodes.catalog);
  const refine = new RefineService({
    registry: models,
    evaluations,
    inUsePath,
    useModel,
    shippedModelPath: defaultModelPath(app.root),
    ...refineTrainingDeps(
      app.root,
      { root: episodesRoot, catalog: episodes.catalog },
      pairs,
      () => settings.get().refine.externalTrainerCommand,
      () => settings.get().refine.worldModelPath,
    ),
  });
  const knownInUse = async () => {
    const current = inUsePath();
    if (current) await models.ensureKnown(current, current === defaultModelPath(app.root) ? 'shipped' : 'loaded');
    return current;
  };
  const training = new TrainingService(
    config.training?.executeDemonstrations ?? demonstrationJobExecutor(app.root, dataDir),
  );
  const episodesReady = episodes.ready.then(
    (recovered) => {
      if (recovered.length)
        warnings.push(
          `recovered ${recovered.length} episode(s) interrupted by a crash (${recovered.join(', ')}): marked interrupted`,
        );
    },
    (error: Error) => {
      warnings.push(`could not recover interrupted episodes: ${error.message}`);
    },
  );
  const ready = Promise.all([armReady, policyReady, episodesReady]).then(() => undefined);

  let onnxRuntime: Promise<OnnxRuntimeInfo> | null = null;
  const onnxRuntimeInfo = () => (onnxRuntime ??= probeOnnxRuntime());

  const server = new ContractServer(coachContract, {
    methods: {
      'system.info': () =>
        collectSystemInfo({
          appName: app.productName,
          appVersion: app.version,
          host: config.host,
          dataDir,
          onnxRuntime: onnxRuntimeInfo,
        }),
      'settings.get': () => settings.get(),
      'settings.update': async (patch) => {
        checkSettingsPatch(patch, dataDir);
        if (patch.safety && runner.isRunning) {
          throw new CoachError('busy', 'an attempt is running; stop it before changing the safety limits');
        }
        if (!patch.safety) return settings.update(patch);
        // The governor takes the limits first (it may refuse them); then they are saved for the next start.
        const previous = settings.get().safety;
        const next = settingsSchema.shape.safety.parse({ ...previous, ...patch.safety });
        await arm.setSafety(next);
        try {
          return settings.update(patch);
        } catch (error) {
          await arm.setSafety(previous).catch(() => {});
          throw error;
        }
      },
      'arm.ports': () => listSerialPorts(),
      'arm.connect': async (link) => {
        const state = await arm.connect(link);
        if (link.kind === 'sim') cameras.addSimCameras();
        else await cameras.removeSimCameras();
        settings.update({ arm: { link } });
        return state;
      },
      'arm.disconnect': () => arm.disconnect(),
      'arm.enable': () => arm.enable(),
      'arm.disable': () => arm.disable(),
      'arm.clearError': () => arm.clearError(),
      'arm.hold': async ({ reason }) => {
        const state = await arm.hold(reason);
        runner.endNow('stopped', reason ?? 'Stop (hold) pressed');
        return state;
      },
      'arm.release': () => arm.release(),
      'arm.jog': ({ motorId, deltaRad }) => arm.jog(motorId, deltaRad),
      'camera.list': () => cameras.list(),
      'camera.add': ({ name, source }) => saveCameras(cameras.add(name, source)),
      'camera.remove': async ({ name }) => saveCameras(await cameras.remove(name)),
      'camera.setPolicyCamera': ({ name }) => saveCameras(cameras.setPolicyCamera(name)),
      'sim.scene': () => arm.sceneSummary(),
      'sim.resetScene': (args) => arm.resetScene(args),
      'policy.info': () => policy.info(),
      'policy.load': async ({ path }) => {
        if (runner.isRunning) throw new CoachError('busy', 'an attempt is running; stop it before loading a model');
        const info = await policy.load(path);
        settings.update({ policy: { modelPath: info.path } });
        return info;
      },
      'policy.unload': async () => {
        if (runner.isRunning) throw new CoachError('busy', 'an attempt is running; stop it before unloading the model');
        await policy.unload();
        return null;
      },
      'system.pickFolder': async ({ title }) =>
        config.pickFolder
          ? { supported: true, path: await config.pickFolder(title) }
          : { supported: false, path: null },
      'run.start': ({ instruction, options }) => {
        // The console's attempts run at the rate chosen in Settings, else at the model package's.
        const settingsRateHz = settings.get().runner.controlRateHz;
        const rated =
          options.controlRateHz === undefined && settingsRateHz !== null
            ? { ...options, controlRateHz: settingsRateHz }
            : options;
        return runner.start(instruction, rated);
      },
      'run.stop': ({ reason }) => runner.stop(reason),
      'run.status': () => runner.status(),
      'episodes.list': ({ filter, limit, offset }) => episodes.list(filter, limit, offset),
      'episodes.counts': ({ filter }) => episodes.counts(filter),
      'episodes.get': ({ id }) => episodes.get(id),
      'episodes.label': ({ ids, label }) => episodes.label(ids, label),
      'episodes.setNote': ({ id, note }) => episodes.setNote(id, note),
      'episodes.setExcluded': ({ ids, excluded }) => episodes.setExcluded(ids, excluded),
      'episodes.addMark': ({ id, startS, endS, label, note }) => episodes.addMark(id, startS, endS, label, note),
      'episodes.removeMark': ({ id, markId }) => episodes.removeMark(id, markId),
      'episodes.delete': ({ ids }) => episodes.delete(ids),
      'episodes.undoDelete': () => episodes.undoDelete(),
      'episodes.replay': ({ id }) => episodes.replay(id),
      'episodes.frame': ({ id, camera, index }) => episodes.frame(id, camera, index),
      'episodes.startManual': ({ instruction }) => episodes.startManual(instruction),
      'episodes.stopManual': () => episodes.stopManual(),
      'export.start': (request) => episodes.startExport(request),
      'export.cancel': ({ jobId }) => episodes.cancelExport(jobId),
      'export.codecs': () => episodes.codecs(),
      'eval.start': ({ modelPath, ...request }) => {
        const path = modelPath ?? policy.info()?.path;
        if (!path) throw new CoachError('no_policy', 'no model package is loaded; load one or name one to evaluate');
        return evaluations.start({ ...request, modelPath: path });
      },
      'eval.cancel': ({ jobId }) => evaluations.cancel(jobId),
      'eval.list': ({ modelName }) => evaluations.list(modelName),
      'training.jobs': () => training.list(),
      'training.startDemonstrations': ({ modelPath, ...request }) => {
        const path = modelPath ?? policy.info()?.path;
        if (!path) throw new CoachError('no_policy', 'no model package is loaded; load one or name one to train');
        return training.startDemonstrations({ ...request, modelPath: path });
      },
      'training.cancel': ({ jobId }) => training.cancel(jobId),
      'pairs.summary': () => pairs.summary(),
      'pairs.list': ({ filter }) => pairs.list(filter).pairs,
      'pairs.setStatus': ({ ids, status }) => ({
        changed: pairs.setStatus(ids, status === 'active' ? 'restore' : status === 'flipped' ? 'flip' : 'discard')
          .length,
      }),
      'refine.start': (request) => refine.start(request),
      'refine.cancel': ({ jobId }) => refine.cancel(jobId),
      'refine.promote': ({ jobId }) => refine.promote(jobId),
      'refine.discard': ({ jobId }) => refine.discard(jobId),
      'models.list': async () => models.list(await knownInUse()),
      'models.promote': async ({ id }) => {
        await knownInUse();
        await useModel(models.promotable(id).path);
        models.promote(id);
        return models.list(inUsePath()).find((item) => item.id === id)!;
      },
      'models.rollback': async () => {
        const target = models.rollbackTarget(await knownInUse());
        await useModel(target.path);
        models.promote(target.id);
        return models.list(inUsePath()).find((item) => item.id === target.id)!;
      },
      'models.export': ({ id, dir }) => ({ path: models.exportTo(id, dir) }),
      'models.delete': async ({ id }) => {
        models.delete(id, await knownInUse());
        return { deleted: id };
      },
    },
    streams: {
      'system.health': (_args, emit) => health.topic.subscribe(emit),
      'arm.state': (_args, emit) => arm.stateTopic.subscribe(emit),
      'arm.samples': (_args, emit) => subscribeArmSamples(arm.samplesTopic, emit, ARM_SAMPLES_BATCH_MS),
      'run.status': (_args, emit) => runner.statusTopic.subscribe(emit),
      'policy.info': (_args, emit) => policy.infoTopic.subscribe(emit),
      'episodes.events': (_args, emit) => episodes.eventsTopic.subscribe(emit),
      'export.progress': (_args, emit) => episodes.exportTopic.subscribe(emit),
      'eval.progress': (_args, emit) => evaluations.progressTopic.subscribe(emit),
      'training.jobs': (_args, emit) => training.jobsTopic.subscribe(emit),
      'refine.status': (_args, emit) => refine.statusTopic.subscribe(emit),
      'camera.frames': ({ camera, maxFps }, emit) => cameras.subscribeDisplay(camera, maxFps, emit),
      'camera.stats': (_args, emit) => {
        emit(cameras.list());
        return cameras.statsTopic.subscribe(emit);
      },
    },
  });

  return {
    server,
    dataDir,
    warnings,
    arm,
    cameras,
    policy,
    runner,
    episodes,
    evaluations,
    training,
    models,
    refine,
    ready,
    async close() {
      health.stop();
      runner.close();
      await ready;
      await runner.finished();
      await refine.close();
      await goalProgress.close();
      await training.close();
      await evaluations.close();
      await episodes.close();
      await policy.close();
      await arm.close();
      await cameras.close();
    },
  };
}
