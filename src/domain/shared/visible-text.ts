/**
 * Characters that do not show, or change how the rest shows: control characters, zero-width and other
 * format characters (byte-order mark, direction overrides), lone surrogates, private-use characters and
 * line or paragraph separators. Names people read (enterprises, signatures) may not hold them: they are a
 * look-alike's tools.
 */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}]/u;

/** Whether `text` holds a character that does not show (see HIDDEN). */
export function hasHiddenCharacters(text: string): boolean {
  return HIDDEN.test(text);
}
