// What the map reads from the other services of the project: the assistant's suggestions
// and the near-duplicate clusters, each only when it is already there (the map never
// starts a training or waits for a scan to colour its points).
import type { AssistService } from '../assist/assist-service';
import type { CurationService } from '../curation/curation-service';
import type { MapDeps } from './map-service';

export interface MapWiring extends Omit<MapDeps, 'suggestions' | 'clusters'> {
  assist: AssistService;
  curation: CurationService;
}

export function mapDeps({ assist, curation, ...rest }: MapWiring): MapDeps {
  return {
    ...rest,
    suggestions: async () => {
      const out = await assist.suggestions({ which: 'all', sort: 'image', offset: 0, limit: 200_000 });
      return new Map(out.items.map((s) => [s.imageId, { classId: s.classId, probability: s.probability }]));
    },
    clusters: async () => {
      if (curation.pending() > 0) return null;
      const report = await curation.duplicates();
      const out = new Map<number, 1 | 2>();
      for (const c of report.clusters) for (const m of c.members) out.set(m.id, c.leaking ? 2 : 1);
      return out;
    },
  };
}
