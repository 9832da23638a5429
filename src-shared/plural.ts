// Counts in messages: "1 image", "3 images". Every door (CLI lines, service messages, the
// renderer) words counts the same way through this one function.

/** The count and the word, with an "s" unless the count is exactly one. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
