// `npx tsx scripts/app-icons.ts`: renders resources/icons/icon.svg into the PNG sizes the
// packages use. Linux takes the folder (NxN.png by name); electron-builder converts the
// 512 px PNG into an .icns / .ico itself when it packages for macOS or Windows.
import sharp from 'sharp';
import { join } from 'node:path';

export const ICON_DIR = 'resources/icons';
export const ICON_SIZES = [512, 256] as const;

export async function renderIcons(dir = ICON_DIR): Promise<string[]> {
  const svg = join(dir, 'icon.svg');
  const out: string[] = [];
  for (const size of ICON_SIZES) {
    const file = join(dir, `${size}x${size}.png`);
    await sharp(svg, { density: (72 * size) / 512 })
      .resize(size, size)
      .png({ compressionLevel: 9 })
      .toFile(file);
    out.push(file);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(`wrote ${(await renderIcons()).join(', ')}`);
