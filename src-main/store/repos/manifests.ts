// Frozen split manifests, one row per digest: the split a run trained on (or a person froze
// on the Health page), kept so a run can be traced and repeated. Written only here.
import type { Database } from '../db';
import { sql } from '../statements';

/** Stores the manifest unless its digest is there already; the same split twice is one row. */
export function storeManifest(
  db: Database,
  digest: string,
  body: string,
  now: number,
): { id: number; created: boolean } {
  const info = sql(
    db,
    'INSERT INTO manifests (digest, body, created_at) VALUES (?, ?, ?) ON CONFLICT(digest) DO NOTHING',
  ).run(digest, body, now);
  const { id } = sql(db, 'SELECT id FROM manifests WHERE digest = ?').get(digest) as { id: number };
  return { id, created: info.changes === 1 };
}

export function getManifest(db: Database, id: number): { digest: string; body: string } | null {
  return (
    (sql(db, 'SELECT digest, body FROM manifests WHERE id = ?').get(id) as
      { digest: string; body: string } | undefined) ?? null
  );
}

/** The digest alone: a run's page names its manifest without reading a body of a few megabytes. */
export function getManifestDigest(db: Database, id: number): string | null {
  return (
    (sql(db, 'SELECT digest FROM manifests WHERE id = ?').get(id) as { digest: string } | undefined)?.digest ?? null
  );
}
