// Underfitting: the head has not fitted the training images: training accuracy low at the
// end of the last phase (in inference mode where the run measured it, since dropout lowers
// the figure training reports). The default run of a new user stopped at epoch 20 of 20 at
// 62 % and still rising. A phase that ended well fitted but still improving is only a note:
// the doctor's corpus (bench/doctor) had healthy runs at 93-97 % training accuracy, validation
// loss easing 3 % an epoch, flagged as underfitting (precision 2/6). A phase whose validation
// loss turned up is overfitting instead: the two are never said of one phase.
import { formatPercent } from '../format';
import { epochName, lastPhase, refOf } from './finding';
import type { DoctorInput, Finding } from './finding';
import type { FitConfig } from '../engine-config';
import { headSize } from '../head-spec';
import { plural } from '../plural';
import type { EpochMetrics } from '../engine-metrics';
import { onsetOf } from './overfitting';
import { denseNames, fitOf, headFacts } from './run-facts';

/** Training accuracy below this at the end reads as a head that has not learned the data. */
export const LOW_TRAIN_ACC = 0.7;
/** Mean relative fall of training loss per epoch over the last epochs that counts as still falling. */
const LOSS_FALL = 0.02;
/** Mean rise of training accuracy per epoch (1 point) that counts as still rising. */
const ACC_RISE = 0.01;
/** Mean relative fall of validation loss per epoch that says more epochs would still help. */
const VAL_FALL = 0.01;
const WINDOW = 3;

interface Trend {
  first: EpochMetrics;
  last: EpochMetrics;
  lossFall: number;
  accRise: number;
  valFall: number | null;
}

function trendOf(tail: EpochMetrics[]): Trend {
  const first = tail[0]!;
  const last = tail.at(-1)!;
  const steps = tail.length - 1;
  const rel = (a: number, b: number) => (steps > 0 && a > 0 ? (a - b) / a / steps : 0);
  const withVal = first.valLoss !== null && last.valLoss !== null;
  return {
    first,
    last,
    lossFall: rel(first.trainLoss, last.trainLoss),
    accRise: steps > 0 ? (last.trainAcc - first.trainAcc) / steps : 0,
    valFall: withVal ? rel(first.valLoss!, last.valLoss!) : null,
  };
}

/** Below the usual learning rate for the phase: the head moves slowly. */
function lowLr(fit: FitConfig, p: 1 | 2): boolean {
  const sgd = fit.optimizer.kind === 'sgd';
  return fit.optimizer.lr < (p === 1 ? (sgd ? 1e-2 : 1e-3) : sgd ? 1e-3 : 1e-4);
}

/**
 * What would let this phase fit more, among the settings this run has. More capacity only
 * for a phase that levelled off low at a usual learning rate: one still climbing, or held
 * back by its learning rate, needs epochs or a higher rate, not a bigger head.
 */
function remedies(input: DoctorInput, phase: EpochMetrics[], low: boolean, improving: boolean): string[] {
  const p = phase[0]!.phase;
  const fit = fitOf(input.config, p);
  const head = headFacts(input.config.head);
  const out: string[] = [];
  const sgd = fit.optimizer.kind === 'sgd';
  if (p === 1 && lowLr(fit, 1))
    out.push(
      `raise phase 1's learning rate above ${fit.optimizer.lr} (the learning-rate finder, which serves phase 1, suggests one)`,
    );
  if (p === 2 && lowLr(fit, 2))
    out.push(
      `raise phase 2's learning rate from ${fit.optimizer.lr} towards ${sgd ? '1e-3' : '1e-4'} (the learning-rate finder serves phase 1 only)`,
    );
  if (phase.length >= fit.epochs) out.push(`train longer (more than ${plural(fit.epochs, 'epoch')} in phase ${p})`);
  else if (fit.earlyStopping) out.push(`raise early stopping's patience above ${fit.earlyStopping.patience}`);
  if (!low || improving || lowLr(fit, p)) return out;
  // A head the head editor already warns about is not made bigger.
  const bloated =
    input.featureShape && headSize(input.config.head, input.featureShape, input.classes.length).warnings.length > 0;
  const dropout = Math.max(0, ...head.dropout);
  if (dropout >= 0.5) out.push(`lower the head's dropout from ${dropout}`);
  if (p === 1 && !bloated && head.dense.length === 0) out.push('give the head a hidden dense layer');
  if (p === 1 && !bloated && head.dense.length > 0) out.push(`widen the head's ${denseNames(head.dense)}`);
  if (p === 2 && input.config.phase2)
    out.push(
      `unfreeze more than ${input.config.phase2.unfreezeBlocks} block${input.config.phase2.unfreezeBlocks > 1 ? 's' : ''}`,
    );
  return out;
}

function reasons(t: Trend, low: boolean, fitted: number, measured: boolean): string[] {
  return [
    t.lossFall > LOSS_FALL
      ? `training loss still falling ${formatPercent(t.lossFall)} per epoch (${t.first.trainLoss.toFixed(3)} at ${epochName(t.first)} to ${t.last.trainLoss.toFixed(3)})`
      : null,
    t.accRise > ACC_RISE
      ? `training accuracy still rising ${formatPercent(t.accRise)} per epoch (${formatPercent(t.first.trainAcc)} to ${formatPercent(t.last.trainAcc)})`
      : null,
    t.valFall !== null && t.valFall > VAL_FALL
      ? `validation loss still falling ${formatPercent(t.valFall)} per epoch`
      : null,
    low
      ? `training accuracy ${formatPercent(fitted)} at the last epoch${measured ? ' (in inference mode)' : ''}, below ${formatPercent(LOW_TRAIN_ACC)}`
      : null,
  ].filter((s): s is string => s !== null);
}

/** Validation accuracy reached a new high in the last epochs (or there is nothing before them). */
function valAccRising(phase: EpochMetrics[]): boolean {
  const before = phase.slice(0, -WINDOW).map((m) => m.valAcc ?? -1);
  const tail = phase.slice(-WINDOW).map((m) => m.valAcc ?? -1);
  return before.length === 0 || Math.max(...tail) > Math.max(...before);
}

/** Phase 2 ending below phase 1's training accuracy was made worse by fine-tuning: that is instability, not a lack of capacity. */
function fellBelowPhase1(input: DoctorInput, last: EpochMetrics): boolean {
  const p1 = input.epochs.filter((m) => m.phase === 1).at(-1);
  return last.phase === 2 && p1 !== undefined && last.trainAcc < p1.trainAcc - 0.05;
}

/** Training accuracy at the end of the phase: in inference mode where the run measured it (dropout off). */
function fittedAcc(input: DoctorInput, last: EpochMetrics): { acc: number; measured: boolean } {
  const p = input.parity?.find((x) => x.phase === last.phase);
  return p ? { acc: p.inference, measured: true } : { acc: last.trainAcc, measured: false };
}

export function underfitting(input: DoctorInput): Finding[] {
  if (!input.final) return [];
  const phase = lastPhase(input.epochs);
  if (phase.length === 0 || onsetOf(phase) || fellBelowPhase1(input, phase.at(-1)!)) return [];
  const t = trendOf(phase.slice(-WINDOW));
  // One epoch has no trend: nothing has levelled off yet.
  const trainImproving = t.first === t.last || t.lossFall > LOSS_FALL || t.accRise > ACC_RISE;
  const valImproving = t.first === t.last || t.valFall === null || (t.valFall > VAL_FALL && valAccRising(phase));
  const improving = trainImproving && valImproving;
  const fitted = fittedAcc(input, t.last);
  const low = fitted.acc < LOW_TRAIN_ACC;
  if (!improving && !low) return [];
  const p = t.last.phase;
  const fit = fitOf(input.config, p);
  const actions = remedies(input, phase, low, improving);
  const action = actions.length > 0 ? actions.join(', or ') : 'train longer';
  const title = low
    ? `Underfitting: phase ${p} ended at epoch ${t.last.epoch + 1} with training accuracy low (${formatPercent(fitted.acc)})`
    : `Still improving at the end: ${epochName(t.last)}, training accuracy ${formatPercent(fitted.acc)}`;
  return [
    {
      id: 'underfitting',
      // Well fitted and still easing is not a mistake: more epochs may add a little.
      severity: !low ? 'info' : improving ? 'problem' : 'warning',
      title,
      evidence: {
        text: `Phase ${p} ran ${phase.length} of ${fit.epochs} epochs; ${reasons(t, low, fitted.acc, fitted.measured).join('; ')}.`,
        epochs: phase.slice(-WINDOW).map(refOf),
        figures: {
          trainAcc: t.last.trainAcc,
          fittedAcc: fitted.acc,
          trainLoss: t.last.trainLoss,
          lossFallPerEpoch: t.lossFall,
          accRisePerEpoch: t.accRise,
          valLossFallPerEpoch: t.valFall ?? 0,
          lr: fit.optimizer.lr,
        },
      },
      action: low ? `${action[0]!.toUpperCase()}${action.slice(1)}.` : `More epochs may add a little: ${action}.`,
    },
  ];
}
