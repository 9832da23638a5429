// Group keys and folds join the edit history: a split assigns them together with train/val/
// test, so undoing a split must put them back too (a k-fold run after an undo would otherwise
// use the undone split's folds). Changes recorded before this migration get the values the
// images hold now on both sides, which is what sequential undo needs: every later edit that
// changes them is undone first, and leaves them as they are now.
import type { Migration } from './index';

export const m0005EditGroups: Migration = {
  version: 5,
  name: 'edit-groups',
  up(db) {
    db.exec(`
      ALTER TABLE edit_changes ADD COLUMN before_group TEXT;
      ALTER TABLE edit_changes ADD COLUMN after_group TEXT;
      ALTER TABLE edit_changes ADD COLUMN before_fold INTEGER;
      ALTER TABLE edit_changes ADD COLUMN after_fold INTEGER;
      UPDATE edit_changes SET
        before_group = (SELECT group_key FROM images WHERE id = image_id),
        after_group = (SELECT group_key FROM images WHERE id = image_id),
        before_fold = (SELECT fold FROM images WHERE id = image_id),
        after_fold = (SELECT fold FROM images WHERE id = image_id);
    `);
  },
};
