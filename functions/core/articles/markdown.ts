/**
 * Markdown bodies to plain text. marked (zero dependencies, ~40 KB, CommonMark + GFM) renders the body
 * to HTML, and the HTML extractor reduces that to paragraphs, so emphasis, links (their text), images
 * (dropped), inline HTML and `<script>` are handled by one real parser each instead of by regexes.
 * Code blocks stay as text: they are part of what the author wrote.
 */
import { Marked, type Token } from 'marked';
import { htmlParagraphs, parseHtml, elementText } from './html.js';

// One private instance, so no other module's marked.use() can change how articles are read.
const markdown = new Marked({ gfm: true, async: false });

/** A Markdown body as paragraphs, plus the text of a leading `# Heading` (removed from the body). */
export interface MarkdownText {
  paragraphs: string[];
  heading?: string;
}

/** Reads a Markdown body (front matter already removed). */
export function markdownText(body: string): MarkdownText {
  const tokens = markdown.lexer(body);
  const first = tokens.find((token: Token) => token.type !== 'space');
  let heading: string | undefined;
  if (first && first.type === 'heading' && first.depth === 1) {
    heading = elementText(parseHtml(markdown.parser([first]))) || undefined;
    tokens.splice(tokens.indexOf(first), 1);
  }
  const html = markdown.parser(tokens);
  const result: MarkdownText = { paragraphs: htmlParagraphs(parseHtml(html)) };
  if (heading) result.heading = heading;
  return result;
}
