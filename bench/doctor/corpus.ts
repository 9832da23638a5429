// The doctor's scenario corpus: short real runs, each with a known truth (healthy, or one
// planted mistake), through the engine's own runTraining on the real Keras MobileNet 0.25
// at 64 px (the fixture in test/fixtures/keras), phase 1 on cached features and phase 2 on
// cached split activations. The rules then read what the studio would store for the run.
import { join } from 'node:path';
import { findBackbone } from '../../src-node-shared/backbones/registry';
import { runTraining } from '../../src-training/run';
import { reduceImage } from '../../src-main/services/curation/algorithms/reduce';
import { findNearDuplicates, imagePrint } from '../../src-main/services/curation/algorithms/near-duplicates';
import { greyExtremes } from '../../src-main/services/runs/training-doctor';
import type { DoctorInput } from '../../src-shared/training-doctor';
import { RUN_DEFAULTS, RunConfig } from '../../src-shared/engine-config';
import type { RunConfigInput } from '../../src-shared/engine-config';
import type { EpochMetrics } from '../../src-shared/engine-metrics';
import type { BackendInfo, RunData } from '../../src-shared/engine-protocol';
import type { Preprocessing } from '../../src-node-shared/data/preprocess';
import { dataset, withLeakage } from './datasets';
import type { Counts, DatasetId } from './datasets';

export interface Scenario {
  id: string;
  /** What was planted, in words. */
  what: string;
  dataset: DatasetId;
  counts: Counts;
  /** Over the launcher's defaults (RUN_DEFAULTS), as a person would change them. */
  config: Partial<RunConfigInput>;
  /** Rule ids (or id prefixes) meant to fire at warning or problem; empty for a healthy run. */
  expect: string[];
  /** Findings that are true consequences of the planted mistake: neither required nor false alarms. */
  alsoTrue?: string[];
  /** Training images copied into validation and test. */
  leak?: number;
  /** The backbone gets this preprocessing instead of its own (a mistake the registry prevents for its own entries). */
  wrongPreprocessing?: Preprocessing;
}

export const BACKBONE = 'mobilenet_0.25';
export const INPUT_SIZE = 64;
export const KERAS_FIXTURE = join(import.meta.dirname, '../../test/fixtures/keras/mobilenet_2_5_224_tf_no_top.h5');
export const KERAS_FILE = 'mobilenet_2_5_224_tf_no_top.h5';

const SMALL: Counts = { train: 240, val: 120, test: 120 };
const phase2 = (over: Record<string, unknown>) => ({
  ...RUN_DEFAULTS.phase2,
  unfreezeBlocks: 1,
  epochs: 6,
  batchSize: 16,
  ...over,
});

export const scenarios: readonly Scenario[] = [
  {
    id: 'healthy-fashion',
    what: 'defaults on 4 Fashion-MNIST classes',
    dataset: 'fashion',
    counts: SMALL,
    config: {},
    expect: [],
  },
  {
    id: 'healthy-shapes',
    what: 'defaults on generated shapes',
    dataset: 'shapes',
    counts: SMALL,
    config: {},
    expect: [],
  },
  {
    id: 'healthy-textures',
    what: 'defaults on generated textures',
    dataset: 'textures',
    counts: SMALL,
    config: {},
    expect: [],
  },
  {
    id: 'healthy-dense-dropout',
    what: "the issue's head: Dropout 0.2 + Dense 64, no BatchNorm",
    dataset: 'fashion',
    counts: SMALL,
    config: {
      head: {
        layers: [
          { kind: 'dropout', rate: 0.2 },
          { kind: 'dense', units: 64 },
        ],
      },
    },
    expect: [],
  },
  {
    id: 'dropout-only',
    what: 'a Dropout 0.5 head (must not fire BatchNorm parity)',
    dataset: 'shapes',
    counts: SMALL,
    config: { head: { layers: [{ kind: 'dropout', rate: 0.5 }] } },
    expect: [],
  },
  {
    id: 'meets-target',
    what: 'defaults with a target of validation above 80 %',
    dataset: 'textures',
    counts: SMALL,
    config: { target: { valAbove: 0.8 } },
    expect: [],
  },
  {
    id: 'healthy-phase2',
    what: 'defaults then phase 2 (1 block, Adam 1e-5, frozen BatchNorm)',
    dataset: 'shapes',
    counts: SMALL,
    config: { phase2: phase2({}) },
    expect: [],
  },
  {
    id: 'few-epochs',
    what: 'underfitting: 2 epochs',
    dataset: 'fashion',
    counts: SMALL,
    config: { phase1: { ...RUN_DEFAULTS.run.phase1, epochs: 2 } },
    expect: ['underfitting'],
  },
  {
    id: 'low-lr',
    what: 'underfitting: Adam 1e-5 for 8 epochs',
    dataset: 'fashion',
    counts: SMALL,
    config: { phase1: { ...RUN_DEFAULTS.run.phase1, epochs: 8, optimizer: { kind: 'adam', lr: 1e-5 } } },
    expect: ['underfitting'],
  },
  {
    id: 'overfit',
    what: 'overfitting: 16 training images, Dense 1024 + 1024, no dropout, no early stopping, Adam 1e-2',
    dataset: 'fashion',
    counts: { train: 16, val: 120, test: 120 },
    config: {
      head: {
        layers: [
          { kind: 'dense', units: 1024 },
          { kind: 'dense', units: 1024 },
        ],
      },
      phase1: { epochs: 30, batchSize: 8, optimizer: { kind: 'adam', lr: 1e-2 }, earlyStopping: null },
    },
    expect: ['overfitting'],
  },
  {
    id: 'phase2-sgd-0.1',
    what: 'phase 2 at SGD 0.1',
    dataset: 'shapes',
    counts: SMALL,
    config: { phase2: phase2({ optimizer: { kind: 'sgd', lr: 0.1 } }) },
    expect: ['unstable-validation'],
    alsoTrue: ['metric-sanity/collapse'],
  },
  {
    id: 'head-bn-batch4',
    what: 'BatchNorm in the head, batch 4',
    dataset: 'fashion',
    counts: SMALL,
    config: { head: { layers: [{ kind: 'batchnorm' }] }, phase1: { ...RUN_DEFAULTS.run.phase1, batchSize: 4 } },
    expect: ['batchnorm-parity/p1'],
  },
  {
    id: 'bn-train-small',
    what: "phase 2 BatchNorm 'train', batch 4, 48 images",
    dataset: 'shapes',
    counts: { train: 48, val: 60, test: 60 },
    config: { phase2: phase2({ batchNorm: 'train', batchSize: 4, optimizer: { kind: 'adam', lr: 1e-4 } }) },
    expect: ['batchnorm-parity/p2'],
  },
  {
    id: 'leakage',
    what: '40 training images copied (as JPEG) into validation and test',
    dataset: 'textures',
    counts: SMALL,
    config: {},
    leak: 20,
    expect: ['leakage'],
  },
  // No caffe-preprocessed weights are on this machine (ResNet50, VGG16): the same mismatch of ranges, the other way round.
  {
    id: 'wrong-preprocessing',
    what: 'a [-1, 1] MobileNet fed caffe-preprocessed pixels (about 128x its range)',
    dataset: 'fashion',
    counts: SMALL,
    config: {},
    wrongPreprocessing: { kind: 'caffe' },
    expect: ['input/preprocessing'],
  },
  {
    id: 'raw-pixels',
    what: 'the same MobileNet fed raw 0..255 pixels (as if it normalised inside, like EfficientNet)',
    dataset: 'textures',
    counts: SMALL,
    config: {},
    wrongPreprocessing: { kind: 'raw' },
    expect: ['input/preprocessing'],
  },
];

export interface CorpusEnv {
  root: string;
  modelCache: string;
  backend: BackendInfo;
}

/** Near-duplicate clusters (the curation service's search) whose images sit in more than one split. */
async function leakageOf(data: RunData): Promise<{ clusters: number; images: number }> {
  const all = [
    ...data.train.map((i) => ({ i, s: 'train' })),
    ...data.val.map((i) => ({ i, s: 'val' })),
    ...data.test.map((i) => ({ i, s: 'test' })),
  ];
  const prints = await Promise.all(all.map(async ({ i }) => imagePrint(await reduceImage(i.path))));
  let clusters = 0;
  let images = 0;
  for (const c of findNearDuplicates(prints).clusters) {
    if (new Set(c.map((k) => all[k]!.s)).size < 2) continue;
    clusters++;
    images += c.length;
  }
  return { clusters, images };
}

async function inputsOf(data: RunData): Promise<DoctorInput['inputs']> {
  const reductions = await Promise.all(data.train.map((i) => reduceImage(i.path)));
  return { images: reductions.length, ...greyExtremes(reductions), transparent: 0 };
}

/** Runs the scenario for real and returns what the doctor reads for it when the run has ended. */
export async function runScenario(s: Scenario, env: CorpusEnv): Promise<DoctorInput> {
  const clean = await dataset(s.dataset, env.root, s.counts);
  const data = s.leak ? await withLeakage(clean, env.root, s.leak) : clean;
  const config = RunConfig.parse({ ...RUN_DEFAULTS.run, backboneId: BACKBONE, inputSize: INPUT_SIZE, ...s.config });
  const epochs: EpochMetrics[] = [];
  const entry = findBackbone(BACKBONE) as { preprocessing: Preprocessing };
  const own = entry.preprocessing;
  if (s.wrongPreprocessing) entry.preprocessing = s.wrongPreprocessing;
  try {
    const result = await runTraining(config, data, {
      dirs: {
        featureCache: join(env.root, s.wrongPreprocessing ? `features-${s.id}` : 'features'),
        modelCache: env.modelCache,
        run: join(env.root, 'runs', s.id),
      },
      backend: env.backend,
      emit: (e) => (e.type === 'epoch' ? void epochs.push(e.metrics) : undefined),
    });
    return {
      epochs,
      config,
      classes: data.classes,
      splitSizes: { train: data.train.length, val: data.val.length, test: data.test.length },
      final: true,
      test: result.test,
      featureShape: result.featureShape ?? null,
      parity: result.phases.flatMap((p) =>
        p.trainAccReported === undefined || p.trainAccInference === undefined
          ? []
          : [{ phase: p.phase, reported: p.trainAccReported, inference: p.trainAccInference }],
      ),
      inputs: await inputsOf(data),
      inputCheck: result.inputCheck ?? null,
      leakage: await leakageOf(data),
    };
  } finally {
    entry.preprocessing = own;
  }
}
