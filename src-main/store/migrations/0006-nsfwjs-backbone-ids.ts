// The Keras ImageNet backbones take the plain names (`mobilenet_v2`, `inception_v3`); the
// nsfwjs copies, the only weights runs could use before, become `nsfwjs_*`. Runs stored
// before keep training, resuming and exporting with the weights they were trained on.
import type { Migration } from './index';

const RENAMED: ReadonlyArray<[string, string]> = [
  ['mobilenet_v2', 'nsfwjs_mobilenet_v2'],
  ['inception_v3', 'nsfwjs_inception_v3'],
];

export const m0006NsfwjsBackboneIds: Migration = {
  version: 6,
  name: 'nsfwjs-backbone-ids',
  up(db) {
    const rename = db.prepare(
      `UPDATE runs SET backbone_id = ?, config = json_set(config, '$.backboneId', ?) WHERE backbone_id = ?`,
    );
    for (const [from, to] of RENAMED) rename.run(to, to, from);
  },
};
