// Dataset health: pure checks over what the importer records per image, each returning a
// finding a person can act on (what is wrong, which images, what to do), or nothing.
//
// The importer must record per image: width and height (after EXIF orientation), its class,
// and `grayscale` from `isGrayscalePixels` on the decoded thumbnail pixels. The channel count
// in the file is not enough: many grayscale photos are stored as RGB JPEGs with R = G = B.
import type { ImageId } from './splits';
import type { DuplicatesReport, HealthFinding, HealthReport } from '../../../src-shared/curation';
import type { Database } from '../../store/db';
import { listClassRows } from '../../store/repos/classes';
import { curationRows, trainingRows } from '../../store/repos/images';
import { countProblems } from '../../store/repos/problems';
import { plural } from '../../../src-shared/plural';

export type Severity = 'warning' | 'problem';

export interface Finding {
  kind: 'class-imbalance' | 'empty-class' | 'tiny-images' | 'extreme-aspect' | 'mixed-colour';
  severity: Severity;
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
  findings: Finding[];
}

const pct = (x: number) => `${Math.round(x * 100)} %`;

/** Counts per class, the imbalance ratio, and a warning from 3x (a problem from 10x). */
export function classBalance(counts: readonly ClassCount[], warnAt = 3, problemAt = 10): ClassBalance {
  const total = counts.reduce((s, c) => s + c.count, 0);
  const present = counts.filter((c) => c.count > 0).sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
  const findings: Finding[] = [];
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
        `A model that always answers ${largest.name} is already ${pct(largest.count / total)} accurate, so accuracy alone will flatter it: ` +
        `train with class weights and judge per-class recall, or add ${smallest.name} images.`,
    });
  }
  return { total, largest, smallest, ratio, findings };
}

/** Images whose short side is below `minSide` pixels: upscaled to the backbone's input, they are mostly blur. */
export function tinyImages(images: readonly ImageFacts[], minSide = 32): Finding | null {
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
export function extremeAspect(images: readonly ImageFacts[], maxRatio = 3): Finding | null {
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
export function colourMix(images: readonly ImageFacts[], skewAt = 0.5): Finding | null {
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
    ? ` They are not spread evenly: ${pct(byClass[0].share)} of ${byClass[0].name} is grayscale against ${pct(byClass[byClass.length - 1].share)} of ${byClass[byClass.length - 1].name}, so a model can tell these classes apart by colour alone. Convert all images to grayscale, or collect colour images for the grey-heavy class.`
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
export function healthReport(images: readonly ImageFacts[], options: HealthOptions = {}): Finding[] {
  const counts = new Map<string, number>();
  for (const i of images) if (i.label != null) counts.set(i.label, (counts.get(i.label) ?? 0) + 1);
  const findings = [
    ...classBalance([...counts].map(([name, count]) => ({ name, count }))).findings,
    tinyImages(images, options.minSide),
    extremeAspect(images, options.maxAspect),
    colourMix(images),
  ].filter((f): f is Finding => f !== null);
  return findings.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'problem' ? -1 : 1));
}

// The Health page's report over the store: class balance and the checks above, plus
// duplicates, leakage and import problems, each as a finding that says what to do.

const MAX_IDS = 200;

function fromPure(f: Finding): Omit<HealthFinding, 'hashes'> {
  const ids = f.ids.map(Number);
  return { kind: f.kind, severity: f.severity, message: f.message, count: ids.length, ids: ids.slice(0, MAX_IDS) };
}

function duplicateFindings(d: DuplicatesReport, problems: number): Omit<HealthFinding, 'hashes'>[] {
  const out: Omit<HealthFinding, 'hashes'>[] = [];
  const leaking = d.clusters.filter((c) => c.leaking);
  if (leaking.length) {
    out.push({
      kind: 'leakage',
      severity: 'problem',
      count: leaking.length,
      ids: leaking.flatMap((c) => c.members.map((m) => m.id)).slice(0, MAX_IDS),
      message: `${leaking.length} near-duplicate cluster${leaking.length === 1 ? ' spans' : 's span'} more than one split: a model that trained on one copy recognises the other, so validation and test scores come out too high. Keep each cluster in one split (Fix, or Fix all), or exclude the copies you do not want from training (Exclude copies).`,
    });
  }
  const near = d.clusters.length - leaking.length;
  if (near) {
    const ids = d.clusters
      .filter((c) => !c.leaking)
      .flatMap((c) => c.members.map((m) => m.id))
      .slice(0, MAX_IDS);
    out.push({
      kind: 'near-duplicates',
      severity: 'warning',
      count: near,
      ids,
      message: `${plural(near, 'cluster')} of near-duplicate images within one split: they weigh those pictures more in training. Look through them and exclude the copies you do not want (Exclude copies; the files stay).`,
    });
  }
  if (d.exact.length) {
    out.push({
      kind: 'exact-duplicates',
      severity: 'warning',
      count: d.exact.length,
      ids: d.exact.map((e) => e.imageId).slice(0, MAX_IDS),
      message: `${d.exact.length} image${d.exact.length === 1 ? ' was' : 's were'} found at several paths (byte-identical copies); each is kept once, with one label and split.`,
    });
  }
  if (d.conflicts) {
    out.push({
      kind: 'copy-conflicts',
      severity: 'problem',
      count: d.conflicts,
      ids: [],
      message: `${d.conflicts} exact cop${d.conflicts === 1 ? 'y has' : 'ies have'} a different label or split than the first copy: see Problems and decide which label is right.`,
    });
  }
  if (problems) {
    out.push({
      kind: 'import-problems',
      severity: 'warning',
      count: problems,
      ids: [],
      message: `${plural(problems, 'file')} could not be imported cleanly (corrupt, empty, conflicting): see the Problems page.`,
    });
  }
  return out;
}

export function healthOf(db: Database, dupes: DuplicatesReport, pending: number): HealthReport {
  const rows = trainingRows(db);
  const classes = listClassRows(db)
    .sort((a, b) => a.id - b.id)
    .map(({ name, color, count }) => ({ name, color, count }));
  const balance = classBalance(classes);
  const facts = rows.map((r) => ({
    id: r.id,
    width: r.width,
    height: r.height,
    label: r.label,
    grayscale: r.grayscale ?? undefined,
  }));
  const problems = countProblems(db);
  // healthReport counts classes from the images, so only classBalance sees empty classes.
  const empty = balance.findings.filter((f) => f.kind === 'empty-class');
  const hashOf = new Map(curationRows(db).map((r) => [r.id, r.hash]));
  const findings = [...empty, ...healthReport(facts)]
    .map(fromPure)
    .concat(duplicateFindings(dupes, problems))
    .map((f) => ({ ...f, hashes: f.ids.map((id) => hashOf.get(id) ?? '') }));
  if (pending) {
    findings.push({
      kind: 'pending',
      severity: 'info',
      count: pending,
      ids: [],
      hashes: [],
      message: `${pending} image${pending === 1 ? ' is' : 's are'} still being scanned; duplicate and colour checks will include them when the scan ends.`,
    });
  }
  return {
    classes,
    unlabeled: rows.filter((r) => r.classId === null).length,
    ratio: balance.ratio,
    exactDuplicates: dupes.exact.length,
    nearClusters: dupes.clusters.length,
    leaking: dupes.leaking,
    problems,
    findings,
  };
}
