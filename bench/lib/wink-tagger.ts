/**
 * The part-of-speech tagger Gazette used before its own (functions/core/summarize/tagger.ts): winkNLP's
 * English lite model. Kept in the bench only: it labels the train part that the lexicon is built from
 * (bench/build-lexicon.ts) and is the reference the new tagger is compared against (bench/tagger.ts).
 */
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import type { TaggedToken, Tagger } from '../../functions/core/summarize/tagger.js';

let nlp: ReturnType<typeof winkNLP> | undefined;

/** Tags each sentence with wink (one document, a line each: one pass over the text). */
export const winkTagger: Tagger = (sentences) => {
  nlp ??= winkNLP(model, ['sbd', 'pos']);
  const its = nlp.its;
  const found = nlp.readDoc(sentences.join('\n')).sentences();
  const tagged: TaggedToken[][] = [];
  for (let k = 0; k < found.length(); k++) {
    const tokens = found.itemAt(k).tokens();
    const tags = tokens.out(its.pos) as string[];
    const spaces = tokens.out(its.precedingSpaces) as string[];
    const list: TaggedToken[] = [];
    tokens.out().forEach((text, index) => {
      const pos = tags[index] ?? 'X';
      if (pos !== 'SPACE') list.push({ text, pos, spaceBefore: (spaces[index] ?? '').length > 0 });
    });
    if (list.length > 0) tagged.push(list);
  }
  return tagged;
};

/** wink's tags on our tokens: each of our tokens gets the tag of the wink token that starts where it does. */
export function winkTagsFor(sentence: string, tokens: readonly { text: string }[]): string[] {
  const starts = new Map<number, string>();
  let at = 0;
  for (const token of winkTagger([sentence]).flat()) {
    const found = sentence.indexOf(token.text, at);
    if (found < 0) continue;
    starts.set(found, token.pos);
    at = found + token.text.length;
  }
  const tags: string[] = [];
  at = 0;
  for (const token of tokens) {
    const found = sentence.indexOf(token.text, at);
    tags.push(starts.get(found) ?? 'X');
    at = found < 0 ? at : found + token.text.length;
  }
  return tags;
}
