import fs from 'node:fs';
import path from 'node:path';
import { CoachError } from '../../shared/contract/errors';
import type { EvaluationReport, EvaluationRequest } from '../../shared/evaluation/evaluationTypes';
import { evaluationRequestSchema } from '../../shared/evaluation/evaluationTypes';
import type { PreferencePair } from '../../shared/refine/pairTypes';
import {
  refineRequestSchema,
  type RefineJob,
  type RefineRequest,
  type RefineRequestInput,
} from '../../shared/refine/refineTypes';
import type { EvaluationService } from '../evaluation/evaluationService';
import type { ModelRegistry } from '../models/modelRegistry';
import { loadModelPackage } from '../policy/modelPackage';
import { PublishThrottle } from '../system/publishThrottle';
import { Topic } from '../system/topic';
import { compareVersions, findMatchingEvaluation } from './versionComparison';

/** Shares of the whole job each phase takes, for one progress bar. */
const PHASE_SHARE = { pairs: 0.1, training: 0.6, evaluating: 0.3 } as const;
const PUBLISH_INTERVAL_MS = 250;

export interface DpoRunProgress {
  step: number;
  totalSteps: number;
  loss: number | null;
  accuracy: number | null;
  margin: number | null;
  stepsPerS: number | null;
  etaS: number | null;
}

export interface DpoRunResult {
  steps: number;
  hyperparameters: Record<string, unknown>;
  curves: Record<string, [number, number][]>;
}

/** What the service needs from the pairs and the trainer (wired in refineWiring.ts; tests pass the same real parts). */
export interface RefineDeps {
  registry: ModelRegistry;
  evaluations: EvaluationService;
  /** The package in use now (null: none loaded). */
  inUsePath: () => string | null;
  /** The package Coach ships (registered as 'shipped' rather than 'loaded'). */
  shippedModelPath?: string;
  /** Makes a version the one in use (loads it into the policy worker, remembers it in the settings). */
  useModel: (modelPath: string) => Promise<void>;
  /** Builds pairs from the labelled episodes with this model's samples; resolves with how many are new. */
  buildPairs: (
    modelPath: string,
    request: RefineRequest,
    signal: AbortSignal,
    onProgress: (fraction: number, message: string) => void,
  ) => Promise<number>;
  eligiblePairs: (sources: RefineRequest['sources']) => PreferencePair[];
  /** DPO of the base package on the pairs into outDir, off the main thread. */
  trainDpo: (
    job: { baseModelDir: string; outDir: string; pairs: PreferencePair[]; request: RefineRequest; version: string },
    onProgress: (progress: DpoRunProgress) => void,
    signal: AbortSignal,
  ) => Promise<DpoRunResult>;
}

/**
 * One-click refinement (issue #8): the model in use and every eligible preference pair (after building
 * pairs from newly labelled episodes) → DPO into a new version under <data>/models → evaluation of both
 * versions on the same held-out seeds → a comparison the operator promotes or discards. The model in use
 * is never touched until Promote; cancelling at any point removes the unfinished version.
 */
export class RefineService {
  readonly statusTopic = new Topic<RefineJob | null>();
  private job: RefineJob | null = null;
  private running: { abort: AbortController; done: Promise<void> } | null = null;
  private jobs = 0;
  private readonly throttle = new PublishThrottle(PUBLISH_INTERVAL_MS, () => this.statusTopic.publish(this.status()));

  constructor(private readonly deps: RefineDeps) {
    this.statusTopic.publish(null);
  }

  status(): RefineJob | null {
    return this.job ? structuredClone(this.job) : null;
  }

  async start(input: RefineRequestInput): Promise<RefineJob> {
    const request = refineRequestSchema.parse(input);
    if (this.running) throw new CoachError('busy', `refinement ${this.job?.jobId} is running; cancel it or wait`);
    if (this.job?.phase === 'ready')
      throw new CoachError('busy', 'the last refinement waits for Promote or Discard; decide on it first');
    const modelPath = request.modelPath ?? this.deps.inUsePath();
    if (!modelPath) throw new CoachError('no_policy', 'no model package is loaded; load the one to refine first');
    const shipped = this.deps.shippedModelPath && path.resolve(this.deps.shippedModelPath) === path.resolve(modelPath);
    const base = await this.deps.registry.ensureKnown(modelPath, shipped ? 'shipped' : 'loaded');
    const job: RefineJob = {
      jobId: (this.jobs += 1),
      phase: 'pairs',
      startedAtMs: Date.now(),
      base: { id: base.id, path: base.path, name: base.name, version: base.version },
      candidate: null,
      pairs: { used: 0, bySource: {}, byTask: [], builtNow: 0 },
      training: { step: 0, totalSteps: 0, loss: null, accuracy: null, margin: null, stepsPerS: null, curves: {} },
      evaluation: { done: 0, total: 0 },
      fraction: 0,
      etaS: null,
      message: 'building preference pairs',
      comparison: null,
    };
    this.job = job;
    const abort = new AbortController();
    const done = this.run(job, request, abort.signal).then(
      () => undefined,
      (error: Error) => {
        const cancelled = abort.signal.aborted;
        Object.assign(job, {
          phase: cancelled ? 'cancelled' : 'failed',
          message: cancelled
            ? 'cancelled; the model in use is untouched and the unfinished version was removed'
            : error.message,
          etaS: null,
        });
        this.removeCandidate(job);
      },
    );
    this.running = {
      abort,
      done: done.finally(() => {
        this.running = null;
        this.publish(true);
      }),
    };
    this.publish(true);
    return structuredClone(job);
  }

  async cancel(jobId: number): Promise<RefineJob> {
    const job = this.requireJob(jobId);
    if (this.running) {
      this.running.abort.abort();
      await this.deps.evaluations.settled();
      await this.running.done;
    } else if (job.phase === 'ready') return this.discard(jobId);
    return structuredClone(job);
  }

  /** Makes the refined version the one in use. */
  async promote(jobId: number): Promise<RefineJob> {
    const job = this.requireJob(jobId);
    if (job.phase !== 'ready' || !job.candidate)
      throw new CoachError('invalid_arguments', `refinement ${jobId} has no version waiting for a verdict`);
    // Load first: a refused load (an attempt is running) leaves the registry as it was.
    await this.deps.useModel(job.candidate.path);
    this.deps.registry.promote(job.candidate.id);
    Object.assign(job, { phase: 'promoted', message: `${job.candidate.id} is now in use` });
    this.publish(true);
    return structuredClone(job);
  }

  /** Keeps the model in use and marks the refined version discarded (its folder stays until deleted). */
  discard(jobId: number): RefineJob {
    const job = this.requireJob(jobId);
    if (job.phase !== 'ready' || !job.candidate)
      throw new CoachError('invalid_arguments', `refinement ${jobId} has no version waiting for a verdict`);
    this.deps.registry.discard(job.candidate.id, this.deps.inUsePath());
    Object.assign(job, { phase: 'discarded', message: `${job.candidate.id} discarded; ${job.base.id} stays in use` });
    this.publish(true);
    return structuredClone(job);
  }

  async settled(): Promise<void> {
    await this.running?.done;
  }

  async close(): Promise<void> {
    this.running?.abort.abort();
    await this.running?.done;
    this.throttle.dispose();
  }

  private async run(job: RefineJob, request: RefineRequest, signal: AbortSignal): Promise<void> {
    const { deps } = this;
    if (request.buildFrom !== 'none') {
      job.pairs.builtNow = await deps.buildPairs(job.base.path, request, signal, (fraction, message) => {
        this.progress(job, { fraction: PHASE_SHARE.pairs * fraction, message });
      });
    }
    throwIfAborted(signal);
    const pairs = deps.eligiblePairs(request.sources);
    if (pairs.length === 0)
      throw new CoachError(
        'no_pairs',
        'there are no preference pairs to refine on: label some attempts good or bad (or add bad time marks) first',
      );
    job.pairs = { ...job.pairs, ...summarise(pairs) };
    const pkg = await loadModelPackage(job.base.path);
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
    const { id, dir } = deps.registry.newVersionDir(`${pkg.manifest.name}-dpo-${stamp}`);
    const version = `${pkg.manifest.version}+dpo.${stamp}`;
    job.candidate = { id, path: dir, version };
    this.progress(job, { phase: 'training', fraction: PHASE_SHARE.pairs, message: `DPO on ${pairs.length} pairs` });
    const trained = await deps.trainDpo(
      { baseModelDir: job.base.path, outDir: dir, pairs, request, version },
      (progress) => {
        job.training = { ...job.training, ...progress, curves: job.training.curves };
        for (const [name, value] of [
          ['loss', progress.loss],
          ['accuracy', progress.accuracy],
          ['margin', progress.margin],
        ] as const)
          if (value !== null && Number.isFinite(value)) (job.training.curves[name] ??= []).push([progress.step, value]);
        const share = progress.totalSteps ? progress.step / progress.totalSteps : 0;
        this.progress(job, {
          fraction: PHASE_SHARE.pairs + PHASE_SHARE.training * share,
          etaS: progress.etaS,
          message: `DPO step ${progress.step}/${progress.totalSteps}`,
        });
      },
      signal,
    );
    throwIfAborted(signal);
    deps.registry.add({
      id,
      path: dir,
      name: pkg.manifest.name,
      version,
      origin: 'dpo',
      parentId: job.base.id,
      pairIds: pairs.map((pair) => pair.id),
      hyperparameters: trained.hyperparameters,
      curves: trained.curves,
      comparison: null,
      note: `DPO of ${job.base.id} on ${pairs.length} preference pairs`,
    });
    if (request.evalEpisodesPerTemplate > 0) {
      const evalRequest = evaluationRequestSchema.parse({
        modelPath: job.base.path,
        templates: request.evalTemplates,
        episodesPerTemplate: request.evalEpisodesPerTemplate,
        seedSet: 'heldout',
        seed: request.seed,
      });
      job.evaluation = { done: 0, total: 2 * request.evalTemplates.length * request.evalEpisodesPerTemplate };
      this.progress(job, { phase: 'evaluating', message: 'evaluating both versions on the same held-out scenes' });
      const stored = findMatchingEvaluation(deps.evaluations.list(job.base.name), job.base, evalRequest);
      const half = job.evaluation.total / 2;
      const before = stored ?? (await this.evaluate(job, evalRequest, 0, signal));
      job.evaluation.done = half;
      const after = await this.evaluate(job, { ...evalRequest, modelPath: dir }, half, signal);
      job.comparison = compareVersions(before, after);
      deps.registry.update(id, { comparison: job.comparison });
    }
    Object.assign(job, { phase: 'ready', fraction: 1, etaS: 0, message: 'compare, then promote or discard' });
    this.publish(true);
  }

  private async evaluate(
    job: RefineJob,
    request: EvaluationRequest,
    offset: number,
    signal: AbortSignal,
  ): Promise<EvaluationReport> {
    const { evaluations } = this.deps;
    const started = evaluations.start(request);
    const onAbort = () => void evaluations.cancel(started.jobId).catch(() => undefined);
    signal.addEventListener('abort', onAbort);
    const unsubscribe = evaluations.progressTopic.subscribe((progress) => {
      if (!progress || progress.jobId !== started.jobId) return;
      job.evaluation.done = offset + progress.episodesDone;
      this.progress(job, {
        fraction:
          PHASE_SHARE.pairs +
          PHASE_SHARE.training +
          (PHASE_SHARE.evaluating * job.evaluation.done) / job.evaluation.total,
        message: `evaluating ${progress.modelPath === job.base.path ? 'the current version' : 'the refined version'}: ${progress.episodesDone}/${progress.episodesTotal}`,
      });
    });
    try {
      const last = await evaluations.settled();
      throwIfAborted(signal);
      if (!last || last.jobId !== started.jobId || last.phase !== 'done' || !last.report)
        throw new CoachError(
          'evaluation_failed',
          `the evaluation of ${request.modelPath} failed: ${last?.message ?? 'no report'}`,
        );
      return last.report;
    } finally {
      signal.removeEventListener('abort', onAbort);
      unsubscribe();
    }
  }

  private removeCandidate(job: RefineJob): void {
    if (!job.candidate) return;
    try {
      this.deps.registry.delete(job.candidate.id, this.deps.inUsePath());
    } catch {
      // Not registered yet: only the folder may exist.
    }
    fs.rmSync(job.candidate.path, { recursive: true, force: true });
    job.candidate = null;
  }

  private requireJob(jobId: number): RefineJob {
    if (!this.job || this.job.jobId !== jobId) throw new CoachError('not_found', `no refinement ${jobId}`);
    return this.job;
  }

  private progress(job: RefineJob, patch: Partial<RefineJob>): void {
    Object.assign(job, patch);
    this.publish(false);
  }

  private publish(now: boolean): void {
    this.throttle.request(now);
  }
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new CoachError('cancelled', 'cancelled');
}

function summarise(pairs: PreferencePair[]): Pick<RefineJob['pairs'], 'used' | 'bySource' | 'byTask'> {
  const bySource: Record<string, number> = {};
  const byTask = new Map<string, number>();
  for (const pair of pairs) {
    bySource[pair.source] = (bySource[pair.source] ?? 0) + 1;
    byTask.set(pair.task, (byTask.get(pair.task) ?? 0) + 1);
  }
  return {
    used: pairs.length,
    bySource,
    byTask: [...byTask].map(([task, count]) => ({ task, count })).sort((a, b) => b.count - a.count),
  };
}
