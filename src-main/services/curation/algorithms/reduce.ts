// The perceptual reduction: an image boiled down to 32x32 grey levels (1,024 bytes). Every
// near-duplicate signal (the hashes and the detail descriptor) is computed from it, so it is
// the one thing the importer has to store per image; the rest can be recomputed from it in
// milliseconds, and a later change of hashing scheme needs no re-import.
//
// The importer calls `reducePixels` on the raw pixels it already decodes for the thumbnail
// (orientation applied, any size, 1-4 channels), so no second decode is needed:
//   const { data, info } = await sharp(file).rotate().resize(256, 256, { fit: 'inside' })
//     .raw().toBuffer({ resolveWithObject: true });
//   const reduction = reducePixels(data, info.width, info.height, info.channels);
// `reduceImage(pathOrBytes)` does the same decode itself (CLI, tests, benches). Use one of
// the two for every image of a project: a reduction taken from a re-encoded thumbnail
// differs slightly from one taken from the original.
import sharp from 'sharp';

export const SIDE = 32;

/** For each output cell along one axis, the source pixels it covers and their weights. */
function axisWeights(srcLen: number, dstLen: number): Array<Array<[number, number]>> {
  const scale = srcLen / dstLen;
  const out: Array<Array<[number, number]>> = [];
  for (let o = 0; o < dstLen; o++) {
    const start = o * scale;
    const end = start + scale;
    const cell: Array<[number, number]> = [];
    for (let s = Math.floor(start); s < Math.min(Math.ceil(end), srcLen); s++) {
      const w = Math.min(end, s + 1) - Math.max(start, s);
      if (w > 1e-9) cell.push([s, w / scale]);
    }
    out.push(cell);
  }
  return out;
}

/** Luma (Rec. 601) per pixel; alpha, when present, darkens towards black as if composited on it. */
function toLuma(pixels: Uint8Array, count: number, channels: number): Float64Array {
  const luma = new Float64Array(count);
  const colour = channels >= 3;
  const alpha = channels === 2 || channels === 4;
  for (let i = 0, p = 0; i < count; i++, p += channels) {
    const y = colour ? 0.299 * pixels[p] + 0.587 * pixels[p + 1] + 0.114 * pixels[p + 2] : pixels[p];
    luma[i] = alpha ? (y * pixels[p + channels - 1]) / 255 : y;
  }
  return luma;
}

/**
 * Area-averages any image to 32x32 grey levels. Area averaging (not point sampling) is what
 * makes the result nearly independent of the source size, so resized copies reduce alike.
 */
export function reducePixels(pixels: Uint8Array, width: number, height: number, channels = 1): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`reduction: bad size ${width}x${height}`);
  }
  if (channels < 1 || channels > 4 || pixels.length !== width * height * channels) {
    throw new Error(
      `reduction: expected ${width}x${height}x${channels} = ${width * height * channels} bytes, got ${pixels.length}`,
    );
  }
  const luma = toLuma(pixels, width * height, channels);
  const wx = axisWeights(width, SIDE);
  const wy = axisWeights(height, SIDE);
  const rows = new Float64Array(height * SIDE);
  for (let y = 0; y < height; y++) {
    for (let ox = 0; ox < SIDE; ox++) {
      let acc = 0;
      for (const [sx, w] of wx[ox]) acc += luma[y * width + sx] * w;
      rows[y * SIDE + ox] = acc;
    }
  }
  const out = new Uint8Array(SIDE * SIDE);
  for (let oy = 0; oy < SIDE; oy++) {
    for (let x = 0; x < SIDE; x++) {
      let acc = 0;
      for (const [sy, w] of wy[oy]) acc += rows[sy * SIDE + x] * w;
      out[oy * SIDE + x] = Math.round(acc);
    }
  }
  return out;
}

/** Decodes a file or bytes with sharp (EXIF orientation applied) and reduces it. */
export async function reduceImage(input: string | Buffer): Promise<Uint8Array> {
  const { data, info } = await sharp(input)
    .rotate()
    .resize(256, 256, { fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return reducePixels(data, info.width, info.height, info.channels);
}
