// Input: images nearly black or nearly white, and images with transparency
// (composited onto the thumbnails' background before they reach the backbone).
import { formatPercent } from '../format';
import type { DoctorInput, Finding } from './finding';

/** Share of nearly black or nearly white images that is a finding. */
export const EXTREME_SHARE = 0.2;

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
  return [...extremes(input), ...transparency(input)];
}
