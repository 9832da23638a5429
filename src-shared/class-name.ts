// The one rule for class names, used by every way a name gets in: the class editor (RPC),
// folder import (a folder's name) and labels CSV import. A name is NFC-normalised, so "é"
// typed as one code point and "e" + a combining accent are the same class, and trimmed, so a
// name that differs from another only by spaces at its ends cannot exist. Control characters
// (NUL, tab, line breaks, C1 controls) are refused: they are invisible in the UI and break
// the files other tools read. So are bidirectional controls (the right-to-left override and
// its kin): they make a name display as something other than what it is.

/** The longest class name, in UTF-16 code units after normalising (what zod's `.max` counts). */
export const CLASS_NAME_MAX = 200;

// \p{Cc}: C0 and C1 controls and DEL; \u2028/\u2029 break lines like \n does.
const CONTROL = /[\p{Cc}\u2028\u2029]/u;
// Embeddings and overrides (U+202A-202E), isolates (U+2066-2069), the LRM/RLM marks and the Arabic letter mark.
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/u;
// Half a surrogate pair is not text: SQLite stores it as U+FFFD, so two such names would differ
// here and collide in the store.
const LONE_SURROGATE = /\p{Cs}/u;

export type ClassNameCheck = { ok: true; name: string } | { ok: false; message: string };

/** The key two names are compared by: what the name would be once normalised, even for names stored before this rule. */
export function classNameKey(name: string): string {
  return name.normalize('NFC').trim();
}

function describeControl(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The normalised name, or why it cannot be a class name (for a person to act on). */
export function checkClassName(raw: string): ClassNameCheck {
  const name = classNameKey(raw);
  if (!name) return { ok: false, message: 'A class needs a name: type one, then press Enter.' };
  const control = CONTROL.exec(name);
  if (control) {
    return {
      ok: false,
      message: `A class name cannot contain control characters (it has ${describeControl(control[0])} at character ${control.index + 1}). Remove it and try again.`,
    };
  }
  const bidi = BIDI.exec(name);
  if (bidi) {
    return {
      ok: false,
      message: `A class name cannot contain bidirectional control characters (it has ${describeControl(bidi[0])} at character ${bidi.index + 1}), which make it display differently from what it is. Remove it and try again.`,
    };
  }
  const lone = LONE_SURROGATE.exec(name);
  if (lone) {
    return {
      ok: false,
      message: `A class name must be valid text; it has half of a character pair (${describeControl(lone[0])}) at character ${lone.index + 1}. Retype the name.`,
    };
  }
  if (name.length > CLASS_NAME_MAX) {
    return {
      ok: false,
      message: `A class name can be at most ${CLASS_NAME_MAX} characters; this one has ${name.length}. Choose a shorter name.`,
    };
  }
  return { ok: true, name };
}

/** The normalised name; throws an Error whose message says what is wrong. */
export function normaliseClassName(raw: string): string {
  const checked = checkClassName(raw);
  if (!checked.ok) throw new Error(checked.message);
  return checked.name;
}
