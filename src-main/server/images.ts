// Full-size images for the viewer: decoded by sharp (EXIF orientation applied) and sent
// as WebP, so TIFF and other formats a browser can't show still display.
import type { ServerResponse } from 'node:http';
import sharp from 'sharp';

const MAX_SIDE = 2048;

export async function sendViewableImage(res: ServerResponse, file: string): Promise<void> {
  try {
    const body = await sharp(file, { animated: false })
      .rotate()
      .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 90 })
      .toBuffer();
    res.writeHead(200, { 'content-type': 'image/webp', 'cache-control': 'no-cache' });
    res.end(body);
  } catch (err) {
    res.writeHead(422, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`Could not decode ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
