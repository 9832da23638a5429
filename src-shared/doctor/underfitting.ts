// Underfitting: the run ended while training was still improving, or training accuracy is
// low. The default run of a new user stopped at epoch 20 of 20 at 62 % and still rising.
import { epochLabel, lastPhase, pct, refOf } from './finding';
import type { DoctorInput, Finding } from './finding';

/** Training accuracy below this at the end reads as a head that has not learned the data. */
export const LOW_TRAIN_ACC = 0.7;
/** Mean relative fall of training loss per epoch over the last epochs that counts as still falling. */
const LOSS_FALL = 0.02;
/** Mean rise of training accuracy per epoch (1 point) that counts as still rising. */
const ACC_RISE = 0.01;
const WINDOW = 3;

export function underfitting(input: DoctorInput): Finding[] {
  if (!input.final) return [];
  const phase = lastPhase(input.epochs);
  const last = phase.at(-1);
  if (!last) return [];
  const tail = phase.slice(-WINDOW);
  const first = tail[0]!;
  const steps = tail.length - 1;
  const lossFall = steps > 0 && first.trainLoss > 0 ? (first.trainLoss - last.trainLoss) / first.trainLoss / steps : 0;
  const accRise = steps > 0 ? (last.trainAcc - first.trainAcc) / steps : 0;
  const falling = lossFall > LOSS_FALL;
  const rising = accRise > ACC_RISE;
  const low = last.trainAcc < LOW_TRAIN_ACC;
  if (!falling && !rising && !low) return [];
  const why = [
    falling ? `training loss still falling ${pct(lossFall)} per epoch (${first.trainLoss.toFixed(3)} at ${epochLabel(first)} to ${last.trainLoss.toFixed(3)})` : null,
    rising ? `training accuracy still rising ${pct(accRise)} per epoch (${pct(first.trainAcc)} to ${pct(last.trainAcc)})` : null,
    low ? `training accuracy ${pct(last.trainAcc)} at the last epoch, below ${pct(LOW_TRAIN_ACC)}` : null,
  ].filter((s): s is string => s !== null);
  const fit = last.phase === 2 && input.config.phase2 ? input.config.phase2 : input.config.phase1;
  return [{
    id: 'underfitting',
    severity: low ? 'problem' : 'warning',
    title: `Underfitting: phase ${last.phase} ended at ${epochLabel(last)} with training still improving or low`,
    evidence: {
      text: `Phase ${last.phase} ran ${phase.length} of ${fit.epochs} epochs; ${why.join('; ')}.`,
      epochs: tail.map(refOf),
      figures: { trainAcc: last.trainAcc, trainLoss: last.trainLoss, lossFallPerEpoch: lossFall, accRisePerEpoch: accRise, lr: fit.optimizer.lr },
    },
    action: `Train longer (more than ${fit.epochs} epochs in phase ${last.phase}), raise the learning rate above ${fit.optimizer.lr} (the learning-rate finder suggests one), or give the head a hidden dense layer.`,
  }];
}
