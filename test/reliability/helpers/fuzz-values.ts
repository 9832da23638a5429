// Adversarial values for the contract fuzzer, and the two ways they travel: as JSON text (the
// WebSocket) and as JavaScript values (the in-memory door). Deep nesting and huge arrays are
// markers until then, so fast-check can generate and shrink them cheaply and JSON.stringify
// (which overflows past about 8,000 levels) never has to write them.
import fc from 'fast-check';

/** Arrays nested `depth` levels. */
export class Deep {
  constructor(readonly depth: number) {}
}

/** An array of `length` zeros. */
export class Huge {
  constructor(readonly length: number) {}
}

const own = (target: Record<string, unknown>, key: string, value: unknown) =>
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });

/** JSON text; a key such as `__proto__` stays an own key, as JSON.parse makes it. */
export function render(value: unknown): string {
  if (value instanceof Deep) return '['.repeat(value.depth) + ']'.repeat(value.depth);
  if (value instanceof Huge) return `[${'0,'.repeat(Math.max(0, value.length - 1))}${value.length ? '0' : ''}]`;
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : render(v))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const fields = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${render(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The value itself, nesting built without recursion. */
export function materialise(value: unknown): unknown {
  if (value instanceof Deep) {
    let out: unknown = [];
    for (let i = 1; i < value.depth; i++) out = [out];
    return out;
  }
  if (value instanceof Huge) return new Array(value.length).fill(0);
  if (Array.isArray(value)) return value.map(materialise);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) own(out, k, materialise(v));
    return out;
  }
  return value;
}

/** How deep the value nests (a scalar is 0). */
export function depthOf(value: unknown): number {
  if (value instanceof Deep) return value.depth;
  if (value instanceof Huge) return 1;
  if (typeof value !== 'object' || value === null) return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

/** The value as the far end of a JSON wire sees it; deep ones come back as what they are. */
export function overJson(value: unknown): unknown {
  return depthOf(value) > 200 ? materialise(value) : JSON.parse(render(value));
}

export const TRICKY_STRINGS = [
  '',
  ' ',
  '\uD800',
  '\uDC00',
  'a\uD83Db',
  '\u202E\u202Dtxt.exe',
  '\u0000',
  'x\u0000y',
  '\uFEFF',
  '\u2028\u2029',
  '\u0085',
  '𝕏🧪👩‍👩‍👧',
  'e\u0301',
  'NaN',
  '__proto__',
  'constructor',
  'toString',
  '../../../etc/passwd',
  '/etc/passwd',
  '/',
  '.',
  '%00',
  '#1f77b4',
  '#zzzzzz',
  'all',
  'train',
  'none',
  '(a+)+$',
  '[',
  '\\',
  '"',
  "'; DROP TABLE images; --",
];
export const TRICKY_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'then',
  'path',
  'id',
  'name',
  'input',
];

export const strings = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...TRICKY_STRINGS) },
    { weight: 4, arbitrary: fc.string() },
    { weight: 4, arbitrary: fc.string({ unit: 'binary' }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
    { weight: 2, arbitrary: fc.constantFrom(65, 101, 201, 4097).map((n) => 'x'.repeat(n)) },
    { weight: 1, arbitrary: fc.constant('\u202E'.repeat(70_000)) },
  );

export const numbers = (): fc.Arbitrary<number> =>
  fc.oneof(
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        0,
        -0,
        1,
        -1,
        2,
        3,
        0.5,
        2 ** 31,
        2 ** 53,
        2 ** 53 + 2,
        -(2 ** 53),
        1e308,
        5e-324,
        Number.NaN,
        Infinity,
        -Infinity,
      ),
    },
    fc.integer(),
    fc.integer({ min: -5, max: 50 }),
    fc.double(),
  );

const scalars = (): fc.Arbitrary<unknown> =>
  fc.oneof(strings(), numbers(), fc.boolean(), fc.constant(null), fc.constant(undefined));

/** Depths around the limit (64), the issue's 5,000, and far past what JSON.stringify can write. */
export const deep = (): fc.Arbitrary<Deep> =>
  fc.constantFrom(2, 30, 62, 63, 64, 65, 100, 1000, 5000, 20_000).map((d) => new Deep(d));
export const huge = (): fc.Arbitrary<Huge> =>
  fc.oneof({ weight: 8, arbitrary: fc.constantFrom(2001, 20_000) }, fc.constant(200_001)).map((n) => new Huge(n));
export const keys = (): fc.Arbitrary<string> =>
  fc.oneof(fc.constantFrom(...TRICKY_KEYS), fc.string({ maxLength: 10 }), strings());

/** Anything JSON can hold and much that it cannot, a few levels deep, with poisoned keys. */
export const wild = (): fc.Arbitrary<unknown> =>
  fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', maxDepth: 3 },
      { weight: 24, arbitrary: scalars() },
      { weight: 4, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
      {
        weight: 4,
        arbitrary: fc
          .array(fc.tuple(keys(), tie('value')), { maxLength: 4 })
          .map((entries) => entries.reduce((o, [k, v]) => own(o, k, v), {} as Record<string, unknown>)),
      },
      { weight: 1, arbitrary: deep() },
      { weight: 1, arbitrary: huge() },
    ),
  })).value;

/** A value like `seed` (same type) but at its edges, or anything at all. */
export function like(seed: unknown): fc.Arbitrary<unknown> {
  if (typeof seed === 'number') return fc.oneof({ weight: 3, arbitrary: numbers() }, wild());
  if (typeof seed === 'string') return fc.oneof({ weight: 3, arbitrary: strings() }, wild());
  if (Array.isArray(seed))
    return fc.oneof(fc.array(seed.length ? like(seed[0]) : wild(), { maxLength: 6 }), huge(), wild());
  if (typeof seed === 'object' && seed !== null) return fc.oneof(mutated(seed as Record<string, unknown>), wild());
  return wild();
}

/** The seed with one field at its edges, one removed, or one more (perhaps `__proto__`). */
export function mutated(seed: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const names = Object.keys(seed);
  const extra = fc.tuple(keys(), wild()).map(([k, v]) => own({ ...seed }, k, v));
  if (names.length === 0) return extra;
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...names).chain((k) => like(seed[k]).map((v) => own({ ...seed }, k, v))) },
    fc.constantFrom(...names).map((k) => Object.fromEntries(Object.entries(seed).filter(([n]) => n !== k))),
    extra,
  );
}
