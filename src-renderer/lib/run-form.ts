// The run launcher's form as plain data, and the RunConfig it stands for. Pure, so the
// defaults (the good practice: global pooling, a small head, early stopping that
// restores the best epoch, frozen BatchNorm) are tested without a browser.
import {
  EarlyStoppingSpec,
  RUN_DEFAULTS,
  type BatchNormPolicy,
  type RunConfigInput,
} from '../../src-shared/engine-config';
import type { Activation, HeadLayer, Pooling } from '../../src-shared/head-spec';
import type { BackboneInfo } from '../../src-shared/backbones';

/** A head layer as the editor holds it: a key keeps a row's identity while rows move. */
export type EditorLayer = HeadLayer & { key: number };

export interface HeadForm {
  pooling: Pooling;
  layers: EditorLayer[];
  l2: number;
}

export interface PhaseForm {
  epochs: number;
  lr: number;
  optimizer: 'adam' | 'sgd';
}

export interface RunForm {
  name: string;
  backboneId: string;
  inputSize: number;
  head: HeadForm;
  phase1: PhaseForm;
  phase2On: boolean;
  phase2: PhaseForm & { unfreezeBlocks: number; batchNorm: BatchNormPolicy };
  batchSize: number;
  schedule: 'constant' | 'cosine' | 'step';
  warmupEpochs: number;
  augmentOn: boolean;
  augment: { views: number; flip: boolean; rotationDeg: number; zoom: number; brightness: number; contrast: number };
  classWeights: 'balanced' | 'off';
  earlyStopping: boolean;
  patience: number;
  restoreBest: boolean;
  seed: number;
  kfold: boolean;
  folds: number;
  /** The target in percent ("validation above 85 % while training stays below 92 %"); empty: none. */
  targetValAbove: number | null;
  targetTrainBelow: number | null;
}

let nextKey = 1;
export function newLayer(kind: HeadLayer['kind']): EditorLayer {
  const key = nextKey++;
  if (kind === 'dense') return { kind, units: 128, activation: 'relu' as Activation, key };
  if (kind === 'dropout') return { kind, rate: 0.2, key };
  return { kind, key };
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

/** The form's starting values are RUN_DEFAULTS (the CLI starts there too); only the layout is the form's. */
export function defaultForm(backbone: BackboneInfo | undefined): RunForm {
  const { run, phase2, augment, folds } = RUN_DEFAULTS;
  const { phase1 } = run;
  const stopping = phase1.earlyStopping ?? EarlyStoppingSpec.parse({});
  return {
    name: '',
    backboneId: backbone?.id ?? '',
    inputSize: backbone?.inputSize ?? 224,
    head: {
      pooling: run.head.pooling,
      layers: run.head.layers.map((l) => ({ ...l, key: nextKey++ })),
      l2: run.head.l2,
    },
    phase1: { epochs: phase1.epochs, lr: phase1.optimizer.lr, optimizer: phase1.optimizer.kind },
    phase2On: run.phase2 !== null,
    phase2: {
      epochs: phase2.epochs,
      lr: phase2.optimizer.lr,
      optimizer: phase2.optimizer.kind,
      unfreezeBlocks: phase2.unfreezeBlocks,
      batchNorm: phase2.batchNorm,
    },
    batchSize: phase1.batchSize,
    schedule: phase1.schedule.kind,
    warmupEpochs: phase1.schedule.warmupEpochs,
    augmentOn: run.augment !== null,
    augment: { ...augment },
    classWeights: phase1.classWeights,
    earlyStopping: phase1.earlyStopping !== null,
    patience: stopping.patience,
    restoreBest: stopping.restoreBest,
    seed: run.seed,
    kfold: false,
    folds,
    targetValAbove: null,
    targetTrainBelow: null,
  };
}

/** Percent fields to the config's fractions; a field left empty (or not a number) is no bound. */
export function targetOf(form: Pick<RunForm, 'targetValAbove' | 'targetTrainBelow'>): RunConfigInput['target'] {
  const frac = (v: number | null) =>
    v === null || `${v}` === '' || !Number.isFinite(Number(v)) ? undefined : Math.min(1, Math.max(0, Number(v) / 100));
  const valAbove = frac(form.targetValAbove);
  const trainBelow = frac(form.targetTrainBelow);
  if (valAbove === undefined && trainBelow === undefined) return undefined;
  return { ...(valAbove !== undefined ? { valAbove } : {}), ...(trainBelow !== undefined ? { trainBelow } : {}) };
}

export function headOf(form: HeadForm) {
  return {
    pooling: form.pooling,
    l2: Number(form.l2) || 0,
    layers: form.layers.map(({ key: _key, ...layer }) => layer as HeadLayer),
  };
}

function schedule(form: RunForm) {
  const warmupEpochs = Number(form.warmupEpochs) || 0;
  if (form.schedule === 'cosine') return { kind: 'cosine' as const, minFactor: 0, warmupEpochs };
  if (form.schedule === 'step') return { kind: 'step' as const, everyEpochs: 5, factor: 0.5, warmupEpochs };
  return { kind: 'constant' as const, warmupEpochs };
}

function fit(form: RunForm, phase: PhaseForm) {
  return {
    epochs: Number(phase.epochs),
    batchSize: Number(form.batchSize),
    optimizer: { kind: phase.optimizer, lr: Number(phase.lr) },
    schedule: schedule(form),
    classWeights: form.classWeights,
    earlyStopping: form.earlyStopping
      ? { monitor: 'valLoss' as const, patience: Number(form.patience), minDelta: 0, restoreBest: form.restoreBest }
      : null,
  };
}

export function configFromForm(form: RunForm): RunConfigInput {
  return {
    backboneId: form.backboneId,
    inputSize: Number(form.inputSize),
    head: headOf(form.head),
    augment: form.augmentOn ? { ...form.augment } : null,
    phase1: fit(form, form.phase1),
    phase2: form.phase2On
      ? {
          ...fit(form, form.phase2),
          unfreezeBlocks: Number(form.phase2.unfreezeBlocks),
          batchNorm: form.phase2.batchNorm,
        }
      : null,
    seed: Number(form.seed),
    ...(targetOf(form) ? { target: targetOf(form) } : {}),
  };
}

/** The feature map the head sees at the chosen input size. */
export function featureShapeOf(backbone: BackboneInfo | undefined, inputSize: number): [number, number, number] | null {
  if (!backbone) return null;
  const found = backbone.featureShapes.find((f) => f.inputSize === inputSize);
  return found ? found.shape : backbone.featureShape;
}
