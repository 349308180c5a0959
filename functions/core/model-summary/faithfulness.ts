/**
 * The faithfulness check of model-written text: every number, proper name and quotation a claim makes
 * must be found in the evidence it cites (a key point's numbered sentences; the whole article for the
 * headline and the summary). It cannot prove a claim true, but it catches the failures that matter most
 * in a digest — an invented figure, a wrong name, a made-up quote — without a second model. It is
 * deliberately strict: "ten" in the article and "10" in the claim is a rejection, and the cost of a
 * rejection is only that the extractive summariser writes that digest instead.
 *
 * Pure: no I/O.
 */

/** One thing a claim says that its evidence does not contain. */
export interface UnsupportedClaim {
  kind: 'number' | 'name' | 'quote';
  /** The number, name or quotation as the claim wrote it. */
  value: string;
}

/** Lower-case runs of letters and digits: "U.S." gives "u", "s"; "Smith’s" gives "smith", "s". */
function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
}

/** Digit groups as numbers are compared: thousands separators dropped ("1,200" is "1200"), decimals kept. */
function numbersOf(text: string): string[] {
  const found = text.match(/\d+(?:[.,]\d+)*/g) ?? [];
  return found.map((number) => (/^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(number) ? number.replace(/,/g, '') : number));
}

/** Text as quotations are compared: lower-case words joined by single spaces (punctuation ignored). */
function flattened(text: string): string {
  return wordsOf(text).join(' ');
}

/**
 * Capitalised words that are not just the first word of a sentence: names, places, organisations. An
 * all-capitals word (an acronym) counts even at the start. A possessive ending is dropped.
 */
function namesOf(text: string): string[] {
  const names: string[] = [];
  const pattern = /[\p{L}\p{M}\p{N}][\p{L}\p{M}\p{N}'’.-]*/gu;
  for (const match of text.matchAll(pattern)) {
    const word = match[0].replace(/[.'’-]+$/u, '').replace(/['’]s$/u, '');
    if (!/^\p{Lu}/u.test(word)) continue;
    const before = text.slice(0, match.index).trimEnd();
    // A colon is no sentence start here: "Officials named the winner: Gonzalez" must be checked.
    const startsSentence = before === '' || /[.!?"“‘(\[]$/u.test(before);
    const acronym = /^\p{Lu}{2,}/u.test(word.replace(/\./g, ''));
    if (startsSentence && !acronym) continue;
    names.push(word);
  }
  return names;
}

/** Quoted passages: between double quotes (straight or curly, or guillemets) and curly single quotes. */
function quotesOf(text: string): string[] {
  const quotes: string[] = [];
  const pattern = /"([^"]+)"|“([^”]+)”|«([^»]+)»|(?:^|[\s(])‘([^’]+(?:’\p{L}[^’]*)*)’(?!\p{L})/gu;
  for (const match of text.matchAll(pattern)) {
    const quoted = match[1] ?? match[2] ?? match[3] ?? match[4];
    if (quoted && wordsOf(quoted).length > 0) quotes.push(quoted.trim());
  }
  return quotes;
}

/**
 * What `claim` says that `evidence` does not contain: numbers (compared as digit strings), names (every
 * word of a name must be a word of the evidence, case aside) and quotations (their words must appear in
 * the evidence in the same order). Empty when the claim is supported.
 */
export function unsupportedClaims(claim: string, evidence: string): UnsupportedClaim[] {
  const problems: UnsupportedClaim[] = [];
  const evidenceNumbers = new Set(numbersOf(evidence));
  for (const number of numbersOf(claim)) {
    if (!evidenceNumbers.has(number)) problems.push({ kind: 'number', value: number });
  }
  const evidenceWords = new Set(wordsOf(evidence));
  for (const name of namesOf(claim)) {
    if (!wordsOf(name).every((word) => evidenceWords.has(word))) problems.push({ kind: 'name', value: name });
  }
  const evidenceText = ` ${flattened(evidence)} `;
  for (const quote of quotesOf(claim)) {
    if (!evidenceText.includes(` ${flattened(quote)} `)) problems.push({ kind: 'quote', value: quote });
  }
  return problems;
}
