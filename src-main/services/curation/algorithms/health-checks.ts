// Dataset health: pure checks over what the importer records per image, each returning a
// finding a person can act on (what is wrong, which images, what to do), or nothing.
//
// The importer must record per image: width and height (after EXIF orientation), its class,
// and `grayscale` from `isGrayscalePixels` on the decoded thumbnail pixels. The channel count
// in the file is not enough: many grayscale photos are stored as RGB JPEGs with R = G = B.
import { formatPercent } from '../../../../src-shared/format';
import type { Severity } from '../../../../src-shared/schemas';
import type { ImageId } from './splits';

export interface DatasetFinding {
  kind: 'class-imbalance' | 'empty-class' | 'tiny-images' | 'extreme-aspect' | 'mixed-colour';
  severity: Exclude<Severity, 'info'>;
  message: string;
  /** The images concerned; empty for findings about classes. */
  ids: ImageId[];
}

export interface ImageFacts {
  id: ImageId;
  width: number;
  height: number;
  label?: string | null;
  grayscale?: boolean;
}

export interface ClassCount {
  name: string;
  count: number;
}

export interface ClassBalance {
  total: number;
  largest: ClassCount | null;
  smallest: ClassCount | null;
  /** largest / smallest among classes with images; null with fewer than two such classes. */
  ratio: number | null;
  findings: DatasetFinding[];
}

/** Counts per class, the imbalance ratio, and a warning from 3x (a problem from 10x). */
export function classBalance(counts: readonly ClassCount[], warnAt = 3, problemAt = 10): ClassBalance {
  const total = counts.reduce((s, c) => s + c.count, 0);
  const present = counts.filter((c) => c.count > 0).sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
  const findings: DatasetFinding[] = [];
  const empty = counts.filter((c) => c.count === 0).map((c) => c.name);
  if (empty.length) {
    findings.push({
      kind: 'empty-class',
      severity: 'problem',
      ids: [],
      message: `No images in ${empty.join(', ')}: a class without images cannot be learnt; label some or delete it.`,
    });
  }
  const [largest, smallest] = [present[0] ?? null, present[present.length - 1] ?? null];
  const ratio = present.length >= 2 ? largest.count / smallest.count : null;
  if (ratio !== null && ratio >= warnAt) {
    findings.push({
      kind: 'class-imbalance',
      severity: ratio >= problemAt ? 'problem' : 'warning',
      ids: [],
      message:
        `${largest.name} has ${ratio.toFixed(1)}x as many images as ${smallest.name} (${largest.count} vs ${smallest.count}). ` +
        `A model that always answers ${largest.name} is already ${formatPercent(largest.count / total, 0)} accurate, so accuracy alone will flatter it: ` +
        `train with class weights and judge per-class recall, or add ${smallest.name} images.`,
    });
  }
  return { total, largest, smallest, ratio, findings };
}

/** Images whose short side is below `minSide` pixels: upscaled to the backbone's input, they are mostly blur. */
export function tinyImages(images: readonly ImageFacts[], minSide = 32): DatasetFinding | null {
  const ids = images.filter((i) => Math.min(i.width, i.height) < minSide).map((i) => i.id);
  if (!ids.length) return null;
  return {
    kind: 'tiny-images',
    severity: 'warning',
    ids,
    message: `${ids.length} image${ids.length === 1 ? ' is' : 's are'} smaller than ${minSide} px on the short side; they will be scaled up several times and carry little detail. Check they are not icons or thumbnails by mistake.`,
  };
}

/** Images more than `maxRatio` times wider than tall (or taller than wide): resizing to a square squashes them. */
export function extremeAspect(images: readonly ImageFacts[], maxRatio = 3): DatasetFinding | null {
  const ids = images
    .filter((i) => Math.max(i.width, i.height) / Math.max(1, Math.min(i.width, i.height)) > maxRatio)
    .map((i) => i.id);
  if (!ids.length) return null;
  return {
    kind: 'extreme-aspect',
    severity: 'warning',
    ids,
    message: `${ids.length} image${ids.length === 1 ? ' has' : 's have'} a side more than ${maxRatio}x the other (panoramas, strips, scans of several items). Squashed to a square they distort; crop them or check they belong.`,
  };
}

/**
 * Grayscale mixed with colour. Worse than a mix is a mix that follows the classes: a model then
 * learns "grey means class X" instead of the objects. Images without `grayscale` are skipped.
 */
export function colourMix(images: readonly ImageFacts[], skewAt = 0.5): DatasetFinding | null {
  const known = images.filter((i) => i.grayscale !== undefined);
  const grey = known.filter((i) => i.grayscale);
  if (grey.length === 0 || grey.length === known.length) return null;
  const minority = grey.length * 2 <= known.length ? grey : known.filter((i) => !i.grayscale);
  const share = new Map<string, { grey: number; all: number }>();
  for (const i of known) {
    if (i.label == null) continue;
    const s = share.get(i.label) ?? { grey: 0, all: 0 };
    s.all++;
    if (i.grayscale) s.grey++;
    share.set(i.label, s);
  }
  const byClass = [...share].map(([name, s]) => ({ name, share: s.grey / s.all })).sort((a, b) => b.share - a.share);
  const skewed = byClass.length >= 2 && byClass[0].share - byClass[byClass.length - 1].share >= skewAt;
  const kind = minority === grey ? 'grayscale' : 'colour';
  const base = `${minority.length} of ${known.length} images are ${kind}, the rest ${kind === 'grayscale' ? 'colour' : 'grayscale'}.`;
  const skew = skewed
    ? ` They are not spread evenly: ${formatPercent(byClass[0].share, 0)} of ${byClass[0].name} is grayscale against ${formatPercent(byClass[byClass.length - 1].share, 0)} of ${byClass[byClass.length - 1].name}, so a model can tell these classes apart by colour alone. Convert all images to grayscale, or collect colour images for the grey-heavy class.`
    : ' Models cope, but check the odd ones out are not from a different source.';
  return {
    kind: 'mixed-colour',
    severity: skewed ? 'problem' : 'warning',
    ids: minority.map((i) => i.id),
    message: base + skew,
  };
}

/**
 * Whether decoded pixels are grey: at most `maxColoured` of the pixels (0.5 %) may have
 * channels differing by more than `tolerance`, which JPEG's chroma noise on a grey picture
 * stays within. 1- and 2-channel pixels are grey by construction.
 */
export function isGrayscalePixels(pixels: Uint8Array, channels: number, tolerance = 8, maxColoured = 0.005): boolean {
  if (channels < 3) return true;
  const count = Math.floor(pixels.length / channels);
  let coloured = 0;
  for (let p = 0; p < pixels.length; p += channels) {
    const [r, g, b] = [pixels[p], pixels[p + 1], pixels[p + 2]];
    if (Math.max(r, g, b) - Math.min(r, g, b) > tolerance) coloured++;
  }
  return coloured <= count * maxColoured;
}

export interface HealthOptions {
  minSide?: number;
  maxAspect?: number;
}

/** Every check at once, problems first. */
export function healthReport(images: readonly ImageFacts[], options: HealthOptions = {}): DatasetFinding[] {
  const counts = new Map<string, number>();
  for (const i of images) if (i.label != null) counts.set(i.label, (counts.get(i.label) ?? 0) + 1);
  const findings = [
    ...classBalance([...counts].map(([name, count]) => ({ name, count }))).findings,
    tinyImages(images, options.minSide),
    extremeAspect(images, options.maxAspect),
    colourMix(images),
  ].filter((f): f is DatasetFinding => f !== null);
  return findings.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'problem' ? -1 : 1));
}
