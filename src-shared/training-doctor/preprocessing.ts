// Wrong preprocessing: the backbone's weights were trained on pixels of one range and the
// run feeds another (a caffe ResNet given 0..1 pixels). The engine records, on the first
// training images, how far the first BatchNorm layer's input lies from the moving
// statistics the weights learned on ImageNet, for each preprocessing kind
// (src-shared/input-check.ts). The run's kind far off while another lands near is the mistake.
import type { InputCheck, PreprocessingKind } from '../input-check';
import type { DoctorInput, Finding } from './finding';

/** Distance (median over channels, in moving std plus log-scale) above which the input is off; healthy corpus runs give 0.4-0.8. */
export const OFF_DISTANCE = 3;
/** ...and the nearest kind must land at least this many times nearer. */
export const NEARER = 3;
/** Kinds within TIE x the nearest distance, plus TIE_SLACK, are named together. */
const TIE = 2;
const TIE_SLACK = 0.25;
/** Off by this much: most of what the backbone computes is noise to the head. */
const FAR_DISTANCE = 10;

const WORDS: Record<PreprocessingKind, string> = {
  unit: '0..1 pixels (pixel / 255)',
  symmetric: '-1..1 pixels (pixel / 127.5 - 1)',
  caffe: 'caffe-style input (BGR, ImageNet mean subtracted, 0..255 scale)',
  torch: 'torch-style input (pixel / 255, minus the ImageNet mean, over its std)',
  raw: 'raw 0..255 pixels',
};

const f2 = (v: number) => (Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

function pixelWords(c: InputCheck): string {
  const p = c.pixels;
  const order = c.used === 'caffe' ? 'B, G, R' : 'R, G, B';
  return `values ${f2(Math.min(...p.min))}..${f2(Math.max(...p.max))}, mean ${p.mean.map(f2).join(', ')} (${order})`;
}

/** The kinds by distance, nearest first. */
export function rankedKinds(c: InputCheck): Array<{ kind: PreprocessingKind; distance: number }> {
  const d = c.probe?.distance ?? {};
  return (Object.keys(d) as PreprocessingKind[])
    .map((kind) => ({ kind, distance: d[kind]! }))
    .filter((k) => Number.isFinite(k.distance))
    .sort((a, b) => a.distance - b.distance);
}

export function preprocessing(input: DoctorInput): Finding[] {
  const c = input.inputCheck;
  if (!c?.probe) return [];
  const used = c.probe.distance[c.used];
  const ranked = rankedKinds(c);
  const best = ranked[0];
  if (used === undefined || !best || best.kind === c.used) return [];
  if (used < OFF_DISTANCE || used < NEARER * best.distance) return [];
  // Kinds of a similar scale (0..1, -1..1, torch's) can land about as near on images unlike
  // ImageNet's: the probe cannot choose among them, so the finding names them all.
  const near = ranked.filter((k) => k.distance <= TIE * best.distance + TIE_SLACK).map((k) => k.kind);
  const backbone = input.config.backboneId;
  return [
    {
      id: 'input/preprocessing',
      severity: used >= FAR_DISTANCE ? 'problem' : 'warning',
      title: `Wrong preprocessing: ${backbone}'s weights expect ${near.map((k) => WORDS[k]).join(' or ')}, the run gave ${WORDS[c.used]}`,
      evidence: {
        text:
          `On the first ${c.images} training images the backbone got ${pixelWords(c)}. ` +
          `Its first BatchNorm layer (${c.probe.layer}) learned the statistics of its input on ImageNet: ` +
          `with this run's preprocessing that input lies ${used.toFixed(1)} from them, ${near.map((k) => `with ${k} preprocessing ${c.probe!.distance[k]!.toFixed(1)}`).join(', ')} ` +
          `(median over channels of the mean's shift in standard deviations plus the log of the spread's ratio; right preprocessing gives under 1).`,
        epochs: [],
        figures: {
          distanceUsed: used,
          distanceNearest: best.distance,
          pixelMin: Math.min(...c.pixels.min),
          pixelMax: Math.max(...c.pixels.max),
        },
      },
      action:
        `The features this run trained on are far from anything the weights learned. Check the weights behind ${backbone}: ` +
        `if you imported a file, import the one made for this backbone (Backbones page), or choose a backbone whose preprocessing is ${near.join(' or ')}; then run again.`,
    },
  ];
}
