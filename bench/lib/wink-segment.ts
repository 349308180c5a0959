/**
 * The sentence splitter Gazette used before `Intl.Segmenter`: winkNLP's boundary detector plus a merge
 * of splits before a lower-case word. Kept in the bench only, as the reference the new splitter's Lead-3
 * is checked against (its Lead-3 on v1 was within 0.05 of the dataset README's figures).
 */
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

let nlp: ReturnType<typeof winkNLP> | undefined;

function splitParagraph(text: string): string[] {
  nlp ??= winkNLP(model, ['sbd']);
  return nlp.readDoc(text).sentences().out();
}

const tidy = (text: string): string => text.replace(/[ \t\u00a0\u2000-\u200b\u202f\u3000]+/g, ' ').trim();

/** A full stop followed by a lower-case word is almost never a sentence end in news text. */
function mergeLowerCaseContinuations(parts: readonly string[]): string[] {
  const groups: string[][] = [];
  for (const part of parts) {
    const group = groups[groups.length - 1];
    const lastPart = group?.[group.length - 1];
    if (group !== undefined && lastPart !== undefined && /^\p{Ll}/u.test(part) && /\.["”’']?$/u.test(lastPart)) group.push(part);
    else groups.push([part]);
  }
  return groups.map((group) => group.join(' '));
}

/** The reference splitter: paragraphs at line breaks, then wink's sentences, merged as above. */
export function winkSplitSentences(text: string): string[] {
  const sentences: string[] = [];
  for (const paragraph of text.replace(/\r\n?/g, '\n').split(/\n+/)) {
    const clean = tidy(paragraph);
    if (clean.length === 0) continue;
    sentences.push(
      ...mergeLowerCaseContinuations(
        splitParagraph(clean)
          .map(tidy)
          .filter((part) => part.length > 0),
      ),
    );
  }
  return sentences;
}
