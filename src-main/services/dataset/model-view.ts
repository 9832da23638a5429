// "As the model sees it": an image decoded by the engine's own decode (oriented, composited
// onto the background, stretched to the backbone's input size), encoded as a lossless PNG,
// so the viewer shows byte for byte the pixels the network gets before preprocessing.
import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { StudioError } from '../../../src-shared/errors';
import { decodeRgb } from '../../../src-node-shared/data/images';
import type { Database } from '../../store/db';
import { imagePaths } from '../../store/repos/images';

export interface ModelView {
  /** Base64 PNG, RGB. */
  png: string;
  width: number;
  height: number;
}

export async function modelView(db: Database, imageId: number, inputSize: number): Promise<ModelView> {
  const paths = imagePaths(db, imageId);
  if (paths.length === 0)
    throw new StudioError(
      'not-found',
      `There is no image ${imageId} in this project; it may have been removed. Refresh the view.`,
    );
  const path = paths.find((p) => existsSync(p));
  if (!path)
    throw new StudioError(
      'not-found',
      `Image ${imageId} is no longer on disk (last seen at ${paths[0]}). Import its folder again to find it.`,
    );
  // A file changed on disk since the import fails here with a message naming it.
  const { data, width, height } = await decodeRgb(path, inputSize);
  const png = await sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
  return { png: png.toString('base64'), width, height };
}
