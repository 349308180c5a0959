/**
 * Part-of-speech tags from winkNLP's English lite model, for the two places that still need them: the
 * keywords (names and nouns apart from verbs) and the key points (a statement has a finite verb).
 * Sentences no longer come from wink (see segment.ts), so the model is loaded lazily, by a dynamic
 * import on the first article that is actually summarised: a run with nothing new never pays its
 * ~80 ms of import and ~100 ms of start-up.
 */

/** One word of a tagged text: its surface form, its part of speech and whether a space precedes it. */
export interface TaggedToken {
  text: string;
  /** Universal POS tag from wink's lite model: NOUN, PROPN, ADJ, VERB, PUNCT, … */
  pos: string;
  spaceBefore: boolean;
}

/** Tags the words of each given sentence; one token list per sentence found. */
export type Tagger = (sentences: readonly string[]) => TaggedToken[][];

let loaded: Tagger | undefined;
let loading: Promise<Tagger> | undefined;

/** Builds the tagger from wink's modules, once they are imported. */
function makeTagger(winkNLP: typeof import('wink-nlp').default, model: typeof import('wink-eng-lite-web-model').default): Tagger {
  const nlp = winkNLP(model, ['sbd', 'pos']);
  const its = nlp.its;
  return (sentences) => {
    // One document for all sentences, a line each: one pass over the text, not one per sentence.
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
}

/** Imports wink and its model on first call (once, however many callers wait); later calls are free. */
export async function loadTagger(): Promise<Tagger> {
  if (loaded) return loaded;
  loading ??= Promise.all([import('wink-nlp'), import('wink-eng-lite-web-model')]).then(([wink, model]) => {
    loaded = makeTagger(wink.default, model.default);
    return loaded;
  });
  return loading;
}

/** True once {@link loadTagger} has finished; for the benchmark that checks a no-change run skips it. */
export function isTaggerLoaded(): boolean {
  return loaded !== undefined;
}

/**
 * The loaded tagger. The summariser's synchronous core calls this; its async entry points await
 * {@link loadTagger} first, so reaching here unloaded is a programming error, named as such.
 */
export function tagger(): Tagger {
  if (!loaded) throw new Error('the part-of-speech tagger is not loaded: await loadTagger() before summarize()');
  return loaded;
}

/** Tags the given sentences with the loaded tagger (see {@link tagger}). */
export function tagSentences(sentences: readonly string[]): TaggedToken[][] {
  return tagger()(sentences);
}
