// `npx tsx scripts/backbone-manifest.ts`: writes resources/backbones.json, the listing of
// the backbone registry that ships with the package: ids, labels, sizes, preprocessing,
// and for the Keras ones the weight files (name, URL, Keras' hash) the model cache takes.
// test/package/backbone-manifest.test.ts checks the committed file equals this output.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { KerasWeights } from '../src-node-shared/backbones/arch';
import { kerasSourceOf, weightFilesFor } from '../src-node-shared/backbones/keras-weights';
import { builtinBackbones } from '../src-node-shared/backbones/registry';
import type { BackboneEntry } from '../src-node-shared/backbones/registry';

export const MANIFEST_PATH = 'resources/backbones.json';

export interface ManifestEntry {
  id: string;
  label: string;
  source: BackboneEntry['source']['kind'];
  tuning: BackboneEntry['tuning'];
  inputSize: number;
  allowedInputSizes: number[];
  minInputSize: number | null;
  preprocessing: BackboneEntry['preprocessing'];
  params: number | null;
  imagenetTop1: number | null;
  blocks: string[];
  /** Keras' ImageNet files for the offered sizes (none for bundled weights). */
  weights: KerasWeights[];
  /** The nsfwjs model folder, for the weights the package bundles. */
  bundledModel: string | null;
}

function kerasFiles(entry: BackboneEntry, sizes: number[]): KerasWeights[] {
  const src = kerasSourceOf(entry);
  if (!src) return [];
  const byFile = new Map<string, KerasWeights>();
  for (const size of sizes)
    for (const w of weightFilesFor(src, size))
      byFile.set(w.file, { file: w.file, url: w.url, ...(w.fileHash ? { fileHash: w.fileHash } : {}) });
  return [...byFile.values()];
}

export function manifestEntry(entry: BackboneEntry): ManifestEntry {
  const sizes = entry.allowedInputSizes ?? [entry.inputSize];
  return {
    id: entry.id,
    label: entry.label,
    source: entry.source.kind,
    tuning: entry.tuning,
    inputSize: entry.inputSize,
    allowedInputSizes: sizes,
    minInputSize: entry.minInputSize ?? null,
    preprocessing: entry.preprocessing,
    params: entry.params ?? null,
    imagenetTop1: entry.imagenetTop1 ?? null,
    blocks: entry.blocks.map((b) => b.name),
    weights: kerasFiles(entry, sizes),
    bundledModel: entry.source.kind === 'nsfwjs' ? entry.source.model : null,
  };
}

/** The file's text: stable key order and a final newline, so a diff shows real changes only. */
export function backboneManifestJson(entries: readonly BackboneEntry[] = builtinBackbones): string {
  return `${JSON.stringify({ backbones: entries.map(manifestEntry) }, null, 2)}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(MANIFEST_PATH, backboneManifestJson());
  console.log(`wrote ${MANIFEST_PATH} (${builtinBackbones.length} backbones)`);
}
