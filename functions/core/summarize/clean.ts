/**
 * Removes boilerplate that news text drags along and that no summary should repeat: Daily-Mail-style
 * byline blocks ("By . Associated Press . PUBLISHED: . 14:11 EST, 25 October 2013 . | . UPDATED: . …",
 * "Last updated at 1:25 AM on 3rd August 2011 ."), wire datelines ("LONDON, England (CNN) -- "),
 * "scroll down for video" prompts and reporters' credit lines.
 */

/** Sentences that are byline or timestamp debris when they appear at the top of an article. */
const HEADER_JUNK: readonly RegExp[] = [
  /^by\s*\.?$/i,
  /^by\s+[^.]{1,60}\s\.$/i,
  /^(?:and\s+)?[\p{Lu}][\p{L}'’-]*(?:\s+[\p{Lu}][\p{L}'’-]*){0,3}\s\.$/u,
  /^(?:and\s+)?[\p{Lu}][\p{L}'’-]*(?:\s+[\p{Lu}][\p{L}'’-]*){0,3}\s+(?:for|in)\s+(?:the\s+)?[\p{Lu}][\p{L}\s'’-]{0,40}\s\.$/u,
  /^(?:published|updated|last updated|created|posted)\b[^.]{0,60}\.?$/i,
  /^last updated at .{0,60}$/i,
  // The splitter keeps "PUBLISHED: . 14:11 EST, 25 October 2013 ." whole (no break before a digit).
  /^(?:published|updated|last updated|created|posted)\s*:?\s*\.\s*\d{1,2}:\d{2}[^.]{0,50}\.?$/i,
  /^\d{1,2}:\d{2}(?:\s*[ap]m)?\s*(?:[A-Z]{2,4})?,?\s+.{0,30}\d{4}\s*\.?$/i,
  /^[|\s.]+$/,
];

/** Anywhere in the article: prompts and furniture, not news. */
const BOILERPLATE: readonly RegExp[] = [
  /scroll down for/i,
  /^click here\b/i,
  /^video\b.{0,20}scroll down/i,
  /^read more:/i,
  // Credit lines: "CNN's Laura Smith and Ana Ruiz contributed to this report.", "… contributed reporting."
  /^[^.!?]{1,120}\bcontributed (?:to (?:this|the) (?:report|story|article)|reporting)(?:\s+(?:from|in)\s+[^.!?,]{1,40})?\s*\.?$/i,
  // "CNN's Nick Paton Walsh reported this story from Beirut."
  /^(?:CNN|AP|Reuters|AFP)['’]s [^.!?]{1,80}\breported(?: this story| and wrote)?(?: (?:from|in) [^.!?]{1,80})?\s*\.?$/,
];

/** A wire dateline before the first words: "WASHINGTON (CNN) -- ", "(CNN)", "LONDON, England (Reuters) - ". */
const DATELINE = /^(?:[\p{Lu}][\p{Lu}\p{L} .,'’-]{0,60})?\((?:CNN|AP|Reuters|AFP|EW\.com|CNN Student News)\)\s*(?:--|—|–|-)?\s*/u;

/** How far into the article a byline block can reach, in sentences. */
const HEADER_REACH = 12;

/**
 * Drops byline and boilerplate sentences and strips wire datelines, keeping order. If nothing would be
 * left, the original sentences are returned: some text is better than none.
 */
export function cleanSentences(sentences: readonly string[]): string[] {
  const cleaned: string[] = [];
  let inHeader = true;
  sentences.forEach((sentence, index) => {
    if (inHeader && index < HEADER_REACH && HEADER_JUNK.some((pattern) => pattern.test(sentence))) return;
    inHeader = false;
    if (BOILERPLATE.some((pattern) => pattern.test(sentence))) return;
    const text = sentence.replace(DATELINE, '').trim();
    if (/[\p{L}\p{N}]/u.test(text)) cleaned.push(text);
  });
  return cleaned.length > 0 ? cleaned : [...sentences];
}

/** Photo references that mean nothing without the photo: "(pictured)", "(left)", "(pictured right, in 2010)". */
const PHOTO_REFERENCE =
  /\s*\((?:pictured|picture|photo|left|right|above|below|centre|center|inset|top|bottom|main|far left|far right|second left|second right|file)\b[^()]{0,40}\)/gi;

/**
 * Tidies a sentence for the digest: drops photo references and the space Daily Mail captions leave
 * before their full stop. The words that remain are the article's own.
 */
export function tidySentence(sentence: string): string {
  // Most sentences have no bracket; the photo pattern is not even tried on them (it is tried at every
  // position otherwise).
  return (sentence.includes('(') ? sentence.replace(PHOTO_REFERENCE, '') : sentence)
    .replace(/\s+([.,;:!?])$/u, '$1')
    .replace(/\s{2,}/g, ' ')
    .trim();
}
