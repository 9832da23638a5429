// The run launcher's form. It holds the contract's StartRunInput itself, started from
// RUN_DEFAULTS and edited in place, so starting a run sends what the form holds with no
// conversion and no default of the form's own (docs/config-walk.md). The few fields the
// page shows in another shape (one batch size and schedule for both phases, sections
// switched on and off, targets in percent) are accessors that write into the config.
// Pure, so the defaults and the accessors are tested without a browser.
import {
  RUN_DEFAULTS,
  type AugmentConfig,
  type BatchNormPolicy,
  type EarlyStoppingSpec,
  type FitConfig,
  type OptimizerSpec,
  type Phase2Config,
  type RunConfig,
} from '../../src-shared/engine-config';
import type { LrSchedule } from '../../src-shared/engine-schedule';
import type { HeadLayer } from '../../src-shared/head-spec';
import type { BackboneInfo } from '../../src-shared/backbones';
import type { StartRunInput } from '../../src-shared/runs';

/** The config being edited: RunConfig's shape with every default present, the input size left to the backbone. */
export type DraftConfig = RunConfig;

export interface RunForm {
  /** What `runs.start` is sent, as it is. */
  input: StartRunInput & { config: DraftConfig };
  /** What a section switched off keeps, so switching it back on restores it. */
  parked: { phase2: Phase2Config; augment: AugmentConfig; earlyStopping: EarlyStoppingSpec; folds: number };
}

/**
 * A fresh copy: the form edits its config in place, and RUN_DEFAULTS is frozen. Through JSON,
 * because the page's values are Svelte state proxies, which structuredClone refuses; a config is JSON.
 */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** RUN_DEFAULTS on the given backbone at its own input size; nothing else. */
export function defaultForm(backbone: BackboneInfo | undefined): RunForm {
  const run = copy(RUN_DEFAULTS.run) as DraftConfig;
  return {
    input: {
      config: { ...run, backboneId: backbone?.id ?? '', ...(backbone ? { inputSize: backbone.inputSize } : {}) },
    },
    parked: {
      phase2: copy(RUN_DEFAULTS.phase2),
      augment: copy(RUN_DEFAULTS.augment),
      earlyStopping: copy(run.phase1.earlyStopping ?? RUN_DEFAULTS.phase2.earlyStopping!),
      folds: RUN_DEFAULTS.folds,
    },
  };
}

export function newLayer(kind: HeadLayer['kind']): HeadLayer {
  if (kind === 'dense') return { kind, units: 128, activation: 'relu' };
  if (kind === 'dropout') return { kind, rate: 0.2 };
  return { kind };
}

export const BN_POLICIES: Array<{ id: BatchNormPolicy; label: string; explain: string }> = [
  {
    id: 'frozen',
    label: 'Frozen (inference mode)',
    explain: 'Keeps the pretrained statistics and runs BatchNorm in inference mode: safe with small batches.',
  },
  {
    id: 'reestimate',
    label: 'Re-estimate statistics',
    explain: 'Recomputes the moving mean and variance on your training images once, then keeps them frozen.',
  },
  {
    id: 'train',
    label: 'Train',
    explain: 'Trains gamma and beta on batch statistics: only with large batches (32+), or validation will swing.',
  },
];

type Shared = Pick<FitConfig, 'batchSize' | 'schedule' | 'classWeights' | 'earlyStopping'>;

/** The page shows one of each for both phases: a change lands in phase 1, phase 2 and phase 2's parked copy. */
function setShared(form: RunForm, patch: Partial<Shared>): void {
  const { config } = form.input;
  for (const fit of [config.phase1, config.phase2, form.parked.phase2]) if (fit) Object.assign(fit, copy(patch));
}

/** A fraction of the config as the percent the page shows; rounded so 0.07 reads 7, not 7.000000000000001. */
const percent = (v: number | undefined) => (v === undefined ? null : Number((v * 100).toPrecision(12)));

function setTarget(form: RunForm, key: 'valAbove' | 'trainBelow', pct: number | null): void {
  const { config } = form.input;
  const target = { ...config.target };
  if (pct === null || !Number.isFinite(Number(pct))) delete target[key];
  else target[key] = Math.min(1, Math.max(0, Number(pct) / 100));
  if (Object.keys(target).length > 0) config.target = target;
  else delete config.target;
}

/** The fields whose shape on the page differs from the config's, as accessors the page binds to. */
export function formFields(form: RunForm) {
  const { input } = form;
  const cfg = () => input.config;
  // Early stopping's settings as shown: the config's while it is on, the parked ones while it is off.
  const stopping = () => cfg().phase1.earlyStopping ?? form.parked.earlyStopping;
  return {
    get name() {
      return input.name ?? '';
    },
    /** Blank is no name (the studio makes one); the contract's door trims what is typed. */
    set name(v: string) {
      if (v.trim()) input.name = v;
      else delete input.name;
    },
    get batchSize() {
      return cfg().phase1.batchSize;
    },
    set batchSize(v: number) {
      setShared(form, { batchSize: v });
    },
    get schedule(): LrSchedule['kind'] {
      return cfg().phase1.schedule.kind;
    },
    /** Each kind's own settings come from RUN_DEFAULTS.schedules; the warm-up is kept. */
    set schedule(kind: LrSchedule['kind']) {
      setShared(form, { schedule: { ...RUN_DEFAULTS.schedules[kind], warmupEpochs: this.warmupEpochs } });
    },
    get warmupEpochs() {
      return cfg().phase1.schedule.warmupEpochs;
    },
    set warmupEpochs(v: number) {
      setShared(form, { schedule: { ...cfg().phase1.schedule, warmupEpochs: v } });
    },
    get classWeights() {
      return cfg().phase1.classWeights;
    },
    set classWeights(v: FitConfig['classWeights']) {
      setShared(form, { classWeights: v });
    },
    get earlyStopping() {
      return cfg().phase1.earlyStopping !== null;
    },
    set earlyStopping(on: boolean) {
      const current = cfg().phase1.earlyStopping;
      if (current) form.parked.earlyStopping = copy(current);
      setShared(form, { earlyStopping: on ? form.parked.earlyStopping : null });
    },
    get patience() {
      return stopping().patience;
    },
    set patience(v: number) {
      setShared(form, { earlyStopping: { ...stopping(), patience: v } });
    },
    get restoreBest() {
      return stopping().restoreBest;
    },
    set restoreBest(v: boolean) {
      setShared(form, {
        earlyStopping: { ...stopping(), restoreBest: v },
      });
    },
    get phase2On() {
      return cfg().phase2 !== null;
    },
    set phase2On(on: boolean) {
      const current = cfg().phase2;
      if (current) form.parked.phase2 = copy(current);
      cfg().phase2 = on ? copy(form.parked.phase2) : null;
    },
    get augmentOn() {
      return cfg().augment !== null;
    },
    set augmentOn(on: boolean) {
      const current = cfg().augment;
      if (current) form.parked.augment = copy(current);
      cfg().augment = on ? copy(form.parked.augment) : null;
    },
    get kfold() {
      return input.folds !== undefined;
    },
    set kfold(on: boolean) {
      if (input.folds !== undefined) form.parked.folds = input.folds;
      if (on) input.folds = form.parked.folds;
      else delete input.folds;
    },
    get folds() {
      return input.folds ?? form.parked.folds;
    },
    set folds(v: number) {
      form.parked.folds = v;
      if (input.folds !== undefined) input.folds = v;
    },
    get targetValAbove() {
      return percent(cfg().target?.valAbove);
    },
    set targetValAbove(v: number | null) {
      setTarget(form, 'valAbove', v);
    },
    get targetTrainBelow() {
      return percent(cfg().target?.trainBelow);
    },
    set targetTrainBelow(v: number | null) {
      setTarget(form, 'trainBelow', v);
    },
  };
}
export type FormFields = ReturnType<typeof formFields>;

/** An optimizer of another kind starts from RUN_DEFAULTS' (Adam's betas are no SGD field); the rate is kept. */
export function withOptimizerKind(fit: FitConfig, kind: OptimizerSpec['kind']): void {
  if (fit.optimizer.kind !== kind) fit.optimizer = { ...copy(RUN_DEFAULTS.optimizers[kind]), lr: fit.optimizer.lr };
}

/** The feature map the head sees at the chosen input size. */
export function featureShapeOf(
  backbone: BackboneInfo | undefined,
  inputSize: number | undefined,
): [number, number, number] | null {
  if (!backbone) return null;
  const found = backbone.featureShapes.find((f) => f.inputSize === inputSize);
  return found ? found.shape : backbone.featureShape;
}
