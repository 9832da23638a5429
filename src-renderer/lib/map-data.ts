// The map's pages of base64 typed arrays, joined into one array per field.
import type { MapLayers, MapPoints } from '../../src-shared/map';

export interface MapPointSet {
  version: number;
  count: number;
  ids: Int32Array;
  xy: Float32Array;
  /** Image id -> point index. */
  indexOf: Map<number, number>;
}

export interface PointLayers {
  classId: Int32Array;
  split: Uint8Array;
  excluded: Uint8Array;
  suggestion: Int32Array;
  confidence: Float32Array;
  cluster: Uint8Array | null;
}

function bytes(b64: string): Uint8Array {
  const text = atob(b64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** Joins the pages' bytes of one field, then views them as the field's type. */
function joined<T>(parts: string[], make: (buffer: ArrayBuffer) => T): T {
  const chunks = parts.map(bytes);
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return make(all.buffer);
}

export function decodePoints(pages: MapPoints[]): MapPointSet {
  const ids = joined(
    pages.map((p) => p.ids),
    (b) => new Int32Array(b),
  );
  const xy = joined(
    pages.map((p) => p.xy),
    (b) => new Float32Array(b),
  );
  return {
    version: pages[0]?.version ?? 0,
    count: ids.length,
    ids,
    xy,
    indexOf: new Map(Array.from(ids, (id, i) => [id, i])),
  };
}

export function decodeLayers(pages: MapLayers[], count: number): PointLayers {
  const field = <K extends keyof MapLayers>(k: K) => pages.map((p) => p[k] as string);
  const cluster = pages.every((p) => p.cluster !== null) ? joined(field('cluster'), (b) => new Uint8Array(b)) : null;
  const layers = {
    classId: joined(field('classId'), (b) => new Int32Array(b)),
    split: joined(field('split'), (b) => new Uint8Array(b)),
    excluded: joined(field('excluded'), (b) => new Uint8Array(b)),
    suggestion: joined(field('suggestion'), (b) => new Int32Array(b)),
    confidence: joined(field('confidence'), (b) => new Float32Array(b)),
    cluster,
  };
  if (layers.classId.length !== count) throw new Error(`map layers cover ${layers.classId.length} of ${count} points`);
  return layers;
}
