// Plain words for each kind of problem file; each row's reason carries the specifics.
import type { ProblemKind } from '../../src-shared/schemas';

const KIND_LABELS: Record<ProblemKind, string> = {
  empty: 'Empty file',
  corrupt: 'Corrupt or truncated',
  'not-an-image': 'Not an image',
  'too-large': 'Too many pixels',
  unreadable: 'Unreadable',
  'symlink-loop': 'Symlink loop',
  'link-outside': 'Link outside the folder',
  'label-conflict': 'Label conflict',
  'split-conflict': 'Copy in another split',
};

/** Falls back to the code itself for a kind a newer studio reports and this build does not know. */
export function problemKindLabel(kind: ProblemKind): string {
  return KIND_LABELS[kind] ?? kind;
}
