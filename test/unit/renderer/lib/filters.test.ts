import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classInView,
  classPickOf,
  isFiltered,
  sameClassPick,
  withClassPick,
  withSplit,
} from '../../../../src-renderer/lib/filters';

describe('grid filters', () => {
  it('keeps one class and unlabeled exclusive, and the split across class picks', () => {
    const byClass = withClassPick({ split: 'val' }, { kind: 'class', id: 3 });
    assert.deepEqual(byClass, { split: 'val', classId: 3 });
    const unlabeled = withClassPick(byClass, { kind: 'unlabeled' });
    assert.deepEqual(unlabeled, { split: 'val', unlabeled: true });
    assert.deepEqual(classPickOf(unlabeled), { kind: 'unlabeled' });
    assert.deepEqual(withClassPick(unlabeled, { kind: 'all' }), { split: 'val' });
  });

  it('maps the split control to the filter', () => {
    assert.equal(withSplit({ classId: 1 }, 'any').split, undefined);
    assert.equal(withSplit({ classId: 1 }, 'none').split, 'none');
    assert.equal(isFiltered(withSplit({}, 'any')), false);
    assert.equal(isFiltered({ split: 'train' }), true);
  });

  it('compares picks', () => {
    assert.ok(sameClassPick({ kind: 'class', id: 2 }, { kind: 'class', id: 2 }));
    assert.ok(!sameClassPick({ kind: 'class', id: 2 }, { kind: 'class', id: 5 }));
    assert.ok(!sameClassPick({ kind: 'all' }, { kind: 'unlabeled' }));
  });

  it('tells whether a newly labelled image stays in view', () => {
    assert.equal(classInView(3, {}), true);
    assert.equal(classInView(3, { split: 'val' }), true, 'labelling never changes the split');
    assert.equal(classInView(3, { unlabeled: true }), false);
    assert.equal(classInView(null, { unlabeled: true }), true);
    assert.equal(classInView(3, { classId: 3 }), true);
    assert.equal(classInView(4, { classId: 3 }), false);
    assert.equal(classInView(null, { classId: 3 }), false);
  });
});
