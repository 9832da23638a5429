// Where Keras' ImageNet weight files are fetched from. A mirror (an offline machine's
// file server, a company proxy) replaces Keras' storage bucket through one environment
// variable, read at call time so a test or a long-running server can change it.
import type { KerasWeights } from './types';

export const WEIGHTS_BASE_ENV = 'STUDIO_WEIGHTS_BASE_URL';

/** Every Keras Applications file lives under a folder of this name (in two buckets). */
const KERAS_FOLDER = 'keras-applications/';

/**
 * Keras' own URL, or `${base}/${path after keras-applications/}` when
 * STUDIO_WEIGHTS_BASE_URL is set, so a mirror keeps Keras' folder layout.
 */
export function weightsUrl(kerasUrl: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env[WEIGHTS_BASE_ENV]?.trim();
  if (!base) return kerasUrl;
  const at = kerasUrl.indexOf(KERAS_FOLDER);
  if (at < 0)
    throw new Error(
      `weights URL ${kerasUrl} is not under ${KERAS_FOLDER}; cannot map it onto ${WEIGHTS_BASE_ENV}=${base}`,
    );
  return `${base.replace(/\/+$/, '')}/${kerasUrl.slice(at + KERAS_FOLDER.length)}`;
}

/** The KerasWeights record for one of Keras' URLs; the cached file name is the URL's last segment. */
export function kerasWeights(kerasUrl: string, fileHash?: string): KerasWeights {
  const file = kerasUrl.slice(kerasUrl.lastIndexOf('/') + 1);
  return fileHash ? { file, url: weightsUrl(kerasUrl), fileHash } : { file, url: weightsUrl(kerasUrl) };
}
