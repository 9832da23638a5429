// Many small, different PNG files for the benches that need real files on disk: a
// per-image gradient and a square whose place and colour follow the class (i % classes).
import { join } from 'node:path';
import sharp from 'sharp';

export async function writeClassImages(dir: string, n: number, px: number, classes: number): Promise<string[]> {
  const paths: string[] = [];
  for (let at = 0; at < n; at += 64) {
    const chunk = Array.from({ length: Math.min(64, n - at) }, (_, k) => at + k);
    await Promise.all(
      chunk.map((i) => {
        const buf = Buffer.alloc(px * px * 3);
        const k = i % classes;
        for (let y = 0; y < px; y++) {
          for (let x = 0; x < px; x++) {
            const sq = x >= k * 6 && x < k * 6 + 10 && y >= 8 && y < 18;
            buf.set(
              sq ? [250, 240 - k * 40, 20] : [(x * 7 + i) % 256, (y * 7 + (i >> 8)) % 256, (i * 13) % 256],
              (y * px + x) * 3,
            );
          }
        }
        paths[i] = join(dir, `${String(i).padStart(6, '0')}.png`);
        return sharp(buf, { raw: { width: px, height: px, channels: 3 } })
          .png()
          .toFile(paths[i]!);
      }),
    );
  }
  return paths;
}
