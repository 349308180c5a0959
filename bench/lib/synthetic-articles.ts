/**
 * Synthetic articles for the benchmarks, built in memory from a seeded pseudo-random generator: the
 * same seed gives the same bytes on every machine, and no real article (or the dev data) is copied.
 * The prose is made of ordinary English words in sentences and paragraphs of realistic length, so the
 * parsers and the summariser do the work they do on real text.
 */

/** Article file formats, by the extension `parseArticleFile` maps to a format. */
export type ArticleFormat = 'txt' | 'md' | 'html';

const WORDS = (
  'the of and to in a is that for it as was with be by on not he this are or his from at which but have an they ' +
  'you were her she there been one all we their has would when if more no out so said what up its about into than ' +
  'them can only other new some could time these two may then do first any my now such like our over man me even ' +
  'most made after also did many before must through back years where much your way well down should because each ' +
  'just those people how too little state good very make world still own see men work long get here between both ' +
  'life being under never day same another know while last might us great old year off come since against go came ' +
  'right used take three council minister market energy report trade government policy budget talks city school ' +
  'river research company season water health court election network transport museum harvest climate village'
).split(' ');

const NAMES = ['Amara', 'Bruno', 'Chen', 'Dalia', 'Emil', 'Farah', 'Goran', 'Hana', 'Ivo', 'Jonas', 'Kaito', 'Lena'];

/** Mulberry32: a tiny, fast, seedable generator (deterministic benchmark input, not cryptography). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Generates prose: words → sentences → paragraphs, from one seed. */
export class ProseGenerator {
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  /** A whole number in [min, max]. */
  between(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  /** One sentence of 8–24 words, capitalised, sometimes naming a person, ending in a full stop. */
  sentence(): string {
    const words: string[] = [];
    const length = this.between(8, 24);
    for (let index = 0; index < length; index += 1) words.push(this.random() < 0.06 ? this.pick(NAMES) : this.pick(WORDS));
    const text = words.join(' ');
    return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
  }

  /** A paragraph of 3–6 sentences, as a list of sentences. */
  paragraph(): string[] {
    const sentences: string[] = [];
    const count = this.between(3, 6);
    for (let index = 0; index < count; index += 1) sentences.push(this.sentence());
    return sentences;
  }

  /** A headline of 5–10 words. */
  headline(): string {
    return this.sentence().split(' ').slice(0, this.between(5, 10)).join(' ').replace(/\.$/u, '');
  }
}

function wordCount(sentences: readonly string[]): number {
  return sentences.reduce((sum, sentence) => sum + sentence.split(' ').length, 0);
}

/** Markdown for one paragraph: some emphasis, a link now and then. */
function markdownParagraph(sentences: string[], prose: ProseGenerator): string {
  return sentences
    .map((sentence) => {
      const roll = prose.between(0, 9);
      if (roll === 0) return `*${sentence}*`;
      if (roll === 1) return sentence.replace(/^(\S+ \S+)/u, '**$1**');
      if (roll === 2) return `${sentence} See [the report](https://example.org/report/${prose.between(1, 999)}).`;
      return sentence;
    })
    .join(' ');
}

/** HTML-escapes generated text (it contains none of these characters, but the format calls for it). */
function escapeHtml(text: string): string {
  return text.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;');
}

/**
 * One synthetic article in `format`: a headline, then paragraphs until it reaches `targetWords` words
 * or `maxBytes` bytes of UTF-8, whichever comes first. Markdown carries front matter, headings, emphasis
 * and links; HTML is a full page with meta tags, an `<article>`, navigation and a script to skip.
 */
export function syntheticArticle(
  format: ArticleFormat,
  options: { seed: number; targetWords?: number; maxBytes?: number; title?: string },
): Uint8Array {
  const prose = new ProseGenerator(options.seed);
  const title = options.title ?? prose.headline();
  const targetWords = options.targetWords ?? Number.POSITIVE_INFINITY;
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  const encoder = new TextEncoder();

  const head =
    format === 'txt'
      ? `${title}\n\n`
      : format === 'md'
        ? `---\ntitle: "${title}"\nauthor: ${prose.between(0, 1) ? 'Hana Ivo' : 'Emil Chen'}\ntags: [news, synthetic]\n---\n\n`
        : `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
          `<meta name="author" content="Lena Kaito"><script>window.analytics = 1;</script></head>\n` +
          `<body><nav><a href="/">Home</a> <a href="/world">World</a></nav><article><h1>${escapeHtml(title)}</h1>\n`;
  const tail = format === 'html' ? '</article><footer>© Example Press</footer></body></html>\n' : '';
  let bytes = encoder.encode(head).length + encoder.encode(tail).length;
  const blocks: string[] = [head];
  let words = 0;
  let paragraphIndex = 0;
  while (words < targetWords) {
    const sentences = prose.paragraph();
    let block: string;
    if (format === 'txt') block = `${sentences.join(' ')}\n\n`;
    else if (format === 'md') {
      const heading = paragraphIndex > 0 && paragraphIndex % 8 === 0 ? `## ${prose.headline()}\n\n` : '';
      block = `${heading}${markdownParagraph(sentences, prose)}\n\n`;
    } else {
      const heading = paragraphIndex > 0 && paragraphIndex % 8 === 0 ? `<h2>${escapeHtml(prose.headline())}</h2>\n` : '';
      block = `${heading}<p>${sentences.map((sentence, index) => (index === 1 ? `<em>${escapeHtml(sentence)}</em>` : escapeHtml(sentence))).join(' ')}</p>\n`;
    }
    const size = encoder.encode(block).length;
    if (bytes + size > maxBytes) break;
    blocks.push(block);
    bytes += size;
    words += wordCount(sentences);
    paragraphIndex += 1;
  }
  blocks.push(tail);
  return encoder.encode(blocks.join(''));
}
