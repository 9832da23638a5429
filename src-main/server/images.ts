// Thumbnails and full-size images for the viewer: the same bytes Electron's studio://
// protocol sends, made in one place (services/media/viewable.ts), never a raw file.
import type { ServerResponse } from 'node:http';
import type { Project } from '../services/project/project';
import { viewableImage } from '../services/media/viewable';

export async function sendViewableImage(
  res: ServerResponse,
  project: Project | null,
  kind: string,
  hash: string,
): Promise<void> {
  const image = await viewableImage(project, kind, hash);
  if (!image.ok) {
    res.writeHead(image.status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
    res.end(image.message);
    return;
  }
  res.writeHead(200, {
    'content-type': image.type,
    'cache-control': image.cacheControl,
    'x-content-type-options': 'nosniff',
  });
  res.end(image.body);
}
