// The labelling shortcuts. Keys 1-9 then 0 pick the first ten classes; the same digits are
// shown beside the classes, so this is the one place that maps between them.
export const CLASS_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'];

type Keys = Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>;

export type LabelShortcut =
  { kind: 'label'; position: number } | { kind: 'unlabel' } | { kind: 'select-all' } | { kind: 'clear' };

/** The key shown for the class at `position` in the list, or null past the tenth. */
export function classKey(position: number): string | null {
  return CLASS_KEYS[position] ?? null;
}

function digit(e: Keys): string | null {
  if (/^[0-9]$/.test(e.key)) return e.key;
  // By physical key too, so layouts that put digits on Shift (AZERTY) still work.
  const m = /^(?:Digit|Numpad)([0-9])$/.exec(e.code);
  return m ? m[1] : null;
}

export function labelShortcut(e: Keys): LabelShortcut | null {
  const command = e.ctrlKey || e.metaKey;
  if (command && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'a') return { kind: 'select-all' };
  if (command || e.altKey) return null;
  if (e.key === 'Escape') return { kind: 'clear' };
  if (e.key === 'Backspace' || e.key === 'Delete') return { kind: 'unlabel' };
  const d = digit(e);
  return d === null ? null : { kind: 'label', position: CLASS_KEYS.indexOf(d) };
}

/** Ctrl/Cmd+Z undoes; Ctrl/Cmd+Shift+Z and Ctrl+Y redo. */
export function editShortcut(e: Keys): 'undo' | 'redo' | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  const key = e.key.toLowerCase();
  if (key === 'z') return e.shiftKey ? 'redo' : 'undo';
  if (key === 'y' && e.ctrlKey && !e.shiftKey) return 'redo';
  return null;
}

/** Keys typed into a field, a dialog or a menu belong to it, not to the grid's shortcuts. */
export function ownsKeys(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  if (target.closest('dialog, [popover]')) return true;
  if (target instanceof HTMLElement && target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'color'].includes(target.type);
  return false;
}
