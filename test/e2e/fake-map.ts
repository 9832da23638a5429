// The fake studio's embedding map: a ready map of every fake image, in 10 clusters by class
// (unlabeled images scattered between them), served in pages as the real service does.
import type { Handlers } from '../../src-shared/contract';
import { MAP_PAGE_MAX, SPLIT_CODES, type MapState } from '../../src-shared/map';
import { seededRandom } from '../../src-shared/random';
import type { FakeImage } from './fake-studio';

const b64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

export function fakeMap(images: FakeImage[]): Handlers['map'] {
  const random = seededRandom(5);
  const g = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const xy = new Float32Array(images.length * 2);
  images.forEach((image, i) => {
    const k = image.classId ?? 0;
    const angle = (2 * Math.PI * k) / 11;
    xy[i * 2] = 10 * Math.cos(angle) + g();
    xy[i * 2 + 1] = 10 * Math.sin(angle) + g();
  });
  const ids = Int32Array.from(images, (i) => i.id);
  const state: MapState = {
    status: 'ready',
    message: `${images.length} images on the map.`,
    progress: null,
    backboneId: 'fake',
    inputSize: 96,
    count: images.length,
    fitted: Math.min(images.length, 5000),
    version: 1,
    stale: false,
    computedAt: 0,
    ms: 0,
  };
  const range = (offset: number, limit: number) => [
    offset,
    Math.min(images.length, offset + Math.min(limit, MAP_PAGE_MAX)),
  ];
  return {
    state: () => state,
    compute: () => state,
    cancel: () => state,
    points: ({ version, offset, limit }) => {
      const [from, to] = range(offset, limit);
      return {
        version,
        total: images.length,
        offset: from,
        ids: b64(ids.subarray(from, to)),
        xy: b64(xy.subarray(from * 2, to * 2)),
      };
    },
    layers: ({ version, offset, limit }) => {
      const [from, to] = range(offset, limit);
      const page = images.slice(from, to);
      return {
        version,
        offset: from,
        classId: b64(Int32Array.from(page, (i) => i.classId ?? -1)),
        split: b64(Uint8Array.from(page, (i) => SPLIT_CODES.indexOf(i.split))),
        excluded: b64(new Uint8Array(page.length)),
        suggestion: b64(new Int32Array(page.length).fill(-1)),
        confidence: b64(new Float32Array(page.length).fill(-1)),
        cluster: null,
      };
    },
  };
}
