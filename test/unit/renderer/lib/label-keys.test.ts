import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classKey, editShortcut, labelShortcut } from '../../../../src-renderer/lib/label-keys';

const key = (
  k: string,
  mods: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey', boolean>> = {},
  code = '',
) => ({
  key: k,
  code,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

describe('labelling keys', () => {
  it('numbers the first ten classes 1-9 then 0', () => {
    assert.equal(classKey(0), '1');
    assert.equal(classKey(8), '9');
    assert.equal(classKey(9), '0');
    assert.equal(classKey(10), null);
  });

  it('maps digits to class positions, by key or by physical key', () => {
    assert.deepEqual(labelShortcut(key('1')), { kind: 'label', position: 0 });
    assert.deepEqual(labelShortcut(key('0')), { kind: 'label', position: 9 });
    assert.deepEqual(labelShortcut(key('&', { shiftKey: false }, 'Digit1')), { kind: 'label', position: 0 }, 'AZERTY');
    assert.deepEqual(labelShortcut(key('3', {}, 'Numpad3')), { kind: 'label', position: 2 });
    assert.equal(labelShortcut(key('1', { ctrlKey: true })), null, 'Ctrl+1 is not a label');
  });

  it('unlabels, selects all and clears', () => {
    assert.deepEqual(labelShortcut(key('Backspace')), { kind: 'unlabel' });
    assert.deepEqual(labelShortcut(key('Delete')), { kind: 'unlabel' });
    assert.deepEqual(labelShortcut(key('a', { ctrlKey: true })), { kind: 'select-all' });
    assert.deepEqual(labelShortcut(key('a', { metaKey: true })), { kind: 'select-all' });
    assert.deepEqual(labelShortcut(key('Escape')), { kind: 'clear' });
    assert.equal(labelShortcut(key('a')), null);
  });

  it('undoes with Ctrl/Cmd+Z and redoes with Ctrl/Cmd+Shift+Z or Ctrl+Y', () => {
    assert.equal(editShortcut(key('z', { ctrlKey: true })), 'undo');
    assert.equal(editShortcut(key('z', { metaKey: true })), 'undo');
    assert.equal(editShortcut(key('Z', { ctrlKey: true, shiftKey: true })), 'redo');
    assert.equal(editShortcut(key('Z', { metaKey: true, shiftKey: true })), 'redo');
    assert.equal(editShortcut(key('y', { ctrlKey: true })), 'redo');
    assert.equal(editShortcut(key('z')), null);
    assert.equal(editShortcut(key('z', { ctrlKey: true, altKey: true })), null);
  });
});
