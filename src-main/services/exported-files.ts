// The files this studio has exported (models, their manifests, label CSVs), so that the
// server can offer each one as a download to a browser, which cannot reach the server's
// disk. Only what is listed here is ever served: a path is looked up exactly, after
// resolving links, so "..", another spelling or a link swapped in later serves nothing.
import { lstatSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ONNX_EXPORT_FORMAT, type ExportManifest } from '../../src-shared/engine-export';
import { projectFileOf, realPath } from './folders/access';

/** The most files remembered; the oldest are forgotten first (a long session exporting often). */
const LIMIT = 1000;

export class ExportedFiles {
  readonly #files = new Set<string>();

  /** Remembers files the studio has just written. */
  add(files: string[]): void {
    for (const f of files) {
      const real = realPath(f);
      this.#files.delete(real);
      this.#files.add(real);
    }
    for (const old of this.#files) {
      if (this.#files.size <= LIMIT) break;
      this.#files.delete(old);
    }
  }

  /**
   * The file to send for a requested path, or null: only a regular file (no link, no
   * folder) this studio exported, and never a project's database, lock, thumbnails or
   * cache, whatever else allowed it.
   */
  servable(path: string): string | null {
    if (!path.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(path)) return null;
    const real = realPath(path);
    if (!this.#files.has(real)) return null;
    try {
      if (!lstatSync(real).isFile()) return null;
    } catch {
      return null;
    }
    const own = projectFileOf(real);
    // A model exported into the project's default place (runs/<id>/export) is the one project file allowed.
    if (own && !/[\\/]runs[\\/]\d+[\\/]export(-onnx)?[\\/][^\\/]+$/.test(real)) return null;
    return real;
  }
}

/** What a model export wrote into `dir`: the manifest, the model file and, for tfjs, its weight shards. */
export function modelExportFiles(dir: string, manifest: ExportManifest): string[] {
  const files = [join(dir, 'manifest.json'), join(dir, manifest.model)];
  if (manifest.format === ONNX_EXPORT_FORMAT) return files;
  const model = JSON.parse(readFileSync(join(dir, manifest.model), 'utf8')) as {
    weightsManifest?: Array<{ paths?: string[] }>;
  };
  for (const group of model.weightsManifest ?? [])
    for (const p of group.paths ?? []) if (basename(p) === p) files.push(join(dir, p));
  return files;
}
