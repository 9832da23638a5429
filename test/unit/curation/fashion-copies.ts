// Real images for the curation tests: Fashion-MNIST's test set (Debian's dataset-fashion-mnist)
// and copies of them made with sharp, as a user's near-duplicates would be.
import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { FASHION_MNIST_DIR } from '../../../scripts/fashion-mnist';

export const haveFashionMnist = existsSync(`${FASHION_MNIST_DIR}/t10k-images-idx3-ubyte.gz`);
export const skipWithoutData = haveFashionMnist ? false : `needs ${FASHION_MNIST_DIR} (apt-get install dataset-fashion-mnist)`;

const gray = (d: Buffer, w = 28, h = 28) => sharp(d, { raw: { width: w, height: h, channels: 1 } });

/** The kinds of copy the issue names, each from a 28x28 grey image to encoded bytes. */
export const COPIES: Record<string, (px: Buffer) => Promise<Buffer>> = {
  'resized to 40 px': (px) => gray(px).resize(40, 40).png().toBuffer(),
  'JPEG quality 70': (px) => gray(px).jpeg({ quality: 70 }).toBuffer(),
  'brightened 10 %': (px) => gray(px).linear(1.1, 0).png().toBuffer(),
  'cropped 5 %': (px) => gray(px).extract({ left: 1, top: 0, width: 27, height: 27 }).png().toBuffer(),
};
