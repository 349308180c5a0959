/**
 * Guards the NLP against runs of characters no word is made of. The tagger Gazette used to have (wink)
 * was quadratic in the length of one token: 80 KB of hex between two sentences took 62 s and 1 MiB would
 * have taken hours, so one pasted blob, key or data URI could hold every run past the Lambda timeout.
 * The guard stays for every stage after it (segmenter, tagger, ranker), none of which should have to
 * prove it is linear on such input. The longest English words are under 50 letters; a run of more than
 * {@link LONGEST_RUN} characters without a space is not prose a summary could quote, so it is dropped
 * before any NLP sees the text.
 *
 * Scripts written without spaces (Chinese, Japanese, Korean, Thai) are not runs in this sense: their
 * characters break the run, so such text is kept whole.
 */

/** The longest run of non-space characters the summariser reads; longer runs are dropped. */
export const LONGEST_RUN = 64;

/**
 * A run of more than LONGEST_RUN characters that are neither white space nor from a script written
 * without spaces. One character class with a bounded minimum scans in linear time.
 */
const OVERLONG_RUN = new RegExp(
  `[^\\s\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}\\p{Script=Thai}\\p{Script=Lao}\\p{Script=Khmer}\\p{Script=Myanmar}]{${LONGEST_RUN + 1},}`,
  'gu',
);

/** True when some run of non-space characters is longer than LONGEST_RUN (any script). */
function hasLongRun(text: string): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // ASCII white space and the common Unicode spaces end a run; anything else extends it.
    if (code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || (code >= 0x2000 && code <= 0x200a) || code === 0x3000) run = 0;
    else if (++run > LONGEST_RUN) return true;
  }
  return false;
}

/** The text with every overlong run replaced by one space, so the words either side stay apart. */
export function dropOverlongRuns(text: string): string {
  // Prose almost never has such a run: a plain scan spares it the Unicode-script regex.
  return hasLongRun(text) ? text.replace(OVERLONG_RUN, ' ') : text;
}
