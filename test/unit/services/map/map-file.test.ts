import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readMap, writeMap } from '../../../../src-main/services/map/map-file';

describe('stored map', () => {
  const header = {
    backboneId: 'mobilenet_v2/1.0',
    inputSize: 96,
    featureTag: 'mobilenet_v2-96-pool-avg-abc',
    imagesTag: 'f'.repeat(64),
    count: 3,
    fitted: 3,
    computedAt: 1,
    ms: 2,
  };

  it('reads back what it wrote, per backbone and size', () => {
    const dir = mkdtempSync(join(tmpdir(), 'map-file-'));
    try {
      writeMap(dir, { header, ids: Int32Array.of(4, 5, 9), xy: Float32Array.of(0, 1, 2, 3, 4.5, -5) });
      const back = readMap(dir, 'mobilenet_v2/1.0', 96)!;
      assert.deepEqual(back.header, header);
      assert.deepEqual([...back.ids], [4, 5, 9]);
      assert.deepEqual([...back.xy], [0, 1, 2, 3, 4.5, -5]);
      assert.equal(readMap(dir, 'mobilenet_v2/1.0', 128), null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('treats a file of the wrong length as no map', () => {
    const dir = mkdtempSync(join(tmpdir(), 'map-file-'));
    try {
      writeMap(dir, { header, ids: Int32Array.of(4, 5, 9), xy: Float32Array.of(0, 1, 2, 3, 4, 5) });
      writeFileSync(join(dir, 'mobilenet_v2_1.0-96.bin'), Buffer.alloc(7));
      assert.equal(readMap(dir, 'mobilenet_v2/1.0', 96), null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
