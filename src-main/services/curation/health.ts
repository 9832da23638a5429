// The Health page's report over the store: class balance and the pure checks
// (algorithms/health-checks.ts), plus duplicates, leakage and import problems, each as a
// finding that says what to do.
import type { DuplicatesReport, HealthFinding, HealthReport } from '../../../src-shared/curation';
import type { Database } from '../../store/db';
import { listClassRows } from '../../store/repos/classes';
import { curationRows, trainingRows } from '../../store/repos/images';
import { countProblems } from '../../store/repos/problems';
import { plural } from '../../../src-shared/plural';
import { classBalance, healthReport, type DatasetFinding } from './algorithms/health-checks';

const MAX_IDS = 200;

function fromPure(f: DatasetFinding): Omit<HealthFinding, 'hashes'> {
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
