// Near-duplicate clusters as split groups. A split that scatters a cluster's copies makes the
// leakage the Health page then reports, so by default a split treats each cluster as a group:
// its images go to one split (and one fold). A cluster that touches images of two of the
// user's groups (two patients whose photos share a re-shot picture) joins those groups, since
// keeping both rules at once means keeping all of them together.

/** Marks a key made for a cluster: no group name from a folder, pattern or CSV starts with it. */
const CLUSTER_PREFIX = '\u0000near:';

/** A group's name for a person: a cluster's made-up key is not one. */
export function groupName(key: string): string {
  return key.startsWith(CLUSTER_PREFIX) ? 'a near-duplicate cluster' : `group ${key}`;
}

class UnionFind {
  readonly #parent = new Map<number, number>();
  find(x: number): number {
    let root = x;
    while (this.#parent.has(root) && this.#parent.get(root) !== root) root = this.#parent.get(root)!;
    this.#parent.set(x, root);
    return root;
  }
  union(a: number, b: number): void {
    const [ra, rb] = [this.find(a), this.find(b)];
    if (ra !== rb) this.#parent.set(rb, ra);
  }
}

export interface GroupedImage {
  id: number;
  /** Content hash: names a cluster's group by content, so import order cannot change a split. */
  hash: string;
  /** The user's group (folder, pattern, CSV), null when none. */
  group: string | null;
}

/**
 * Each image's group once clusters join it: the user's group when its images share no cluster
 * with others, the smallest of the joined user groups' names when a cluster spans several,
 * and a key from the cluster's smallest hash for a cluster outside every user group. Images
 * in no cluster and no group stay null (a unit of their own). Clusters name image ids; ids not
 * among `images` (excluded images, say) are ignored.
 */
export function groupsWithClusters(
  images: readonly GroupedImage[],
  clusters: ReadonlyArray<readonly number[]>,
): Map<number, string | null> {
  const byId = new Map(images.map((i) => [i.id, i]));
  const sets = new UnionFind();
  const firstOfGroup = new Map<string, number>();
  for (const img of images) {
    if (img.group === null) continue;
    const first = firstOfGroup.get(img.group);
    if (first === undefined) firstOfGroup.set(img.group, img.id);
    else sets.union(first, img.id);
  }
  const clustered = new Set<number>();
  for (const cluster of clusters) {
    const present = cluster.filter((id) => byId.has(id));
    if (present.length < 2) continue;
    for (const id of present) {
      clustered.add(id);
      sets.union(present[0], id);
    }
  }
  const keys = new Map<number, { group: string | null; hash: string }>();
  for (const img of images) {
    if (img.group === null && !clustered.has(img.id)) continue;
    const root = sets.find(img.id);
    const key = keys.get(root) ?? { group: null, hash: img.hash };
    if (img.group !== null && (key.group === null || img.group < key.group)) key.group = img.group;
    if (img.hash < key.hash) key.hash = img.hash;
    keys.set(root, key);
  }
  return new Map(
    images.map((img) => {
      if (img.group === null && !clustered.has(img.id)) return [img.id, null];
      const key = keys.get(sets.find(img.id))!;
      return [img.id, key.group ?? `${CLUSTER_PREFIX}${key.hash}`];
    }),
  );
}
