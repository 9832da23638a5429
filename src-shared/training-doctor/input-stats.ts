// Preprocessing and input: features far from what the backbone's weights saw on ordinary
// photographs (every input nearly black, a wrong rescale), and images with transparency
// (composited onto the thumbnails' background before they reach the backbone).
import { formatPercent } from '../format';
import type { DoctorInput, Finding } from './finding';

/** Share of nearly black or nearly white images that is a finding. */
export const EXTREME_SHARE = 0.2;
/** Pooled features whose mean or spread differ from the reference by this factor. */
export const FEATURE_FACTOR = 3;

function extremes(input: DoctorInput): Finding[] {
  const s = input.inputs;
  if (!s || s.images <= 0) return [];
  const black = s.nearlyBlack ?? 0;
  const white = s.nearlyWhite ?? 0;
  const share = (black + white) / s.images;
  if (share < EXTREME_SHARE) return [];
  return [
    {
      id: 'input/extremes',
      severity: share > 0.5 ? 'problem' : 'warning',
      title: `${formatPercent(share)} of the images are nearly black or nearly white`,
      evidence: {
        text: `${black} nearly black and ${white} nearly white of ${s.images} training images.`,
        epochs: [],
        figures: { nearlyBlack: black, nearlyWhite: white, images: s.images, share },
      },
      action:
        'Look at these images in the dataset view: they may be exported wrongly (16-bit, an alpha mask) or carry no content.',
    },
  ];
}

function features(input: DoctorInput): Finding[] {
  const s = input.inputs;
  if (
    !s ||
    s.featureMean === undefined ||
    s.referenceMean === undefined ||
    s.featureStd === undefined ||
    s.referenceStd === undefined
  )
    return [];
  const ratio = (a: number, b: number) => (Math.min(a, b) <= 0 ? Infinity : Math.max(a, b) / Math.min(a, b));
  const meanRatio = ratio(Math.abs(s.featureMean), Math.abs(s.referenceMean));
  const stdRatio = ratio(s.featureStd, s.referenceStd);
  if (meanRatio < FEATURE_FACTOR && stdRatio < FEATURE_FACTOR) return [];
  return [
    {
      id: 'input/features',
      severity: 'warning',
      title: "The backbone's features are far from what its weights saw",
      evidence: {
        text: `Pooled features of the training images: mean ${s.featureMean.toFixed(3)}, spread ${s.featureStd.toFixed(3)}; on ordinary photographs the backbone gives mean ${s.referenceMean.toFixed(3)}, spread ${s.referenceStd.toFixed(3)}.`,
        epochs: [],
        figures: {
          featureMean: s.featureMean,
          featureStd: s.featureStd,
          referenceMean: s.referenceMean,
          referenceStd: s.referenceStd,
        },
      },
      action:
        'Check that the images look right in the dataset view (not nearly black, not inverted); a backbone trained on photographs may suit these images poorly: try another.',
    },
  ];
}

function transparency(input: DoctorInput): Finding[] {
  const s = input.inputs;
  if (!s || s.transparent === undefined) return [];
  if (s.transparent === null) {
    return [
      {
        id: 'input/transparency-unknown',
        severity: 'info',
        title: 'Transparency not checked',
        evidence: { text: 'The import did not record which images have an alpha channel.', epochs: [], figures: {} },
        action: 'Re-import the folder to record it, if some images may be transparent.',
      },
    ];
  }
  if (s.transparent === 0) return [];
  return [
    {
      id: 'input/transparency',
      severity: 'info',
      title: `${s.transparent} image${s.transparent > 1 ? 's have' : ' has'} transparency`,
      evidence: {
        text: `${s.transparent} of ${s.images} images have an alpha channel; they are composited onto the thumbnails' background before training.`,
        epochs: [],
        figures: { transparent: s.transparent, images: s.images },
      },
      action:
        'Check in the dataset view that the background they get is the one the images will have when the model is used.',
    },
  ];
}

export function inputStats(input: DoctorInput): Finding[] {
  return [...extremes(input), ...features(input), ...transparency(input)];
}
