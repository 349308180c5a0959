/**
 * `gazette summarize`: the summariser from the command line.
 *
 *   gazette summarize FILE…          the digest of each article (.txt, .md, .html) as readable text
 *   gazette summarize --json FILE…   one JSON object a line, {"source","title","summary","keyPoints",
 *                                    "keywords", reading times}: the same key names as --jsonl
 *   gazette summarize --jsonl        JSON Lines on stdin, {"id","article"[,"title","tags"]} a line; one
 *                                    {"id","title","summary","keyPoints","keywords"} a line on stdout;
 *                                    a bad line gets an {"id","line","error"} line on stderr, the rest go on
 *
 * Exit codes: 0 success, 3 some articles (or lines) were refused and named on stderr, the rest were
 * summarised, 2 usage error; 1 only for the unexpected.
 */
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import * as z from '../../core/zod.js';
import { GazetteError } from '../../core/errors.js';
import type { ReadingTime, Summary } from '../../core/model.js';
import { readingTime } from '../../core/reading-time.js';
import { parseArticleFile } from '../../adapters/article-files.js';
import { summarize } from '../../core/summarize/index.js';
import { EXIT_CODES, terminalSafe } from '../cli-errors.js';

/** The streams a command talks to; the real process's in production, in-memory ones in tests. */
export interface CommandIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const USAGE = `usage: gazette summarize [--json] FILE…
       gazette summarize --jsonl < articles.jsonl
`;

/** Exit code when some inputs were refused and the rest summarised (the code every command uses). */
const PARTIAL = EXIT_CODES.partial;

/** The digest words under the key names --json and --jsonl share. */
function digestFields(summary: Summary): { title: string; summary: string[]; keyPoints: string[]; keywords: string[] } {
  return { title: summary.headline, summary: summary.sentences, keyPoints: summary.keyPoints, keywords: summary.keywords };
}

/** One input line of --jsonl mode. Extra fields are ignored. */
const JsonlArticle = z.object({
  id: z.union([z.string(), z.number()]),
  article: z.string(),
  title: z.optional(z.string()),
  tags: z.optional(z.array(z.string())),
});

/** Writes and waits when the stream's buffer is full, so a large batch does not pile up in memory. */
async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/** The digest as a person reads it in a terminal. */
export function formatSummaryText(summary: Summary & ReadingTime): string {
  const lines = [summary.headline, '', 'Summary'];
  for (const sentence of summary.sentences) lines.push(`  ${sentence}`);
  if (summary.keyPoints.length > 0) {
    lines.push('', 'Key points');
    for (const point of summary.keyPoints) lines.push(`  - ${point}`);
  }
  lines.push(
    '',
    `Keywords: ${summary.keywords.join(', ')}`,
    `Reading time: article ${summary.articleReadingMinutes} min (${summary.articleWords} words), digest ${summary.digestReadingMinutes} min`,
  );
  return `${lines.join('\n')}\n`;
}

function message(error: unknown): string {
  if (error instanceof GazetteError) return error.message;
  if (error instanceof SyntaxError) return `not valid JSON (${error.message})`;
  if (error instanceof z.$ZodError) {
    return error.issues.map((issue) => `${issue.path.join('.') || 'line'}: ${issue.message}`).join('; ');
  }
  throw error;
}

async function summarizeFile(path: string, json: boolean, io: CommandIo): Promise<number> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    await write(io.stderr, `gazette summarize: ${terminalSafe(path)}: cannot read the file (${code})\n`);
    return PARTIAL;
  }
  try {
    const article = parseArticleFile(path, bytes);
    const words = summarize({ text: article.text, title: article.title, tags: article.tags, source: article.source });
    const times = readingTime(article.text, words);
    await write(
      io.stdout,
      json
        ? `${JSON.stringify({ source: article.source, ...digestFields(words), ...times })}\n`
        : formatSummaryText({ ...words, ...times }),
    );
    return 0;
  } catch (error) {
    await write(io.stderr, `gazette summarize: ${terminalSafe(message(error))}\n`);
    return PARTIAL;
  }
}

async function summarizeJsonLines(io: CommandIo): Promise<number> {
  let failures = 0;
  let lineNumber = 0;
  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    let id: string | number | null = null;
    try {
      const raw: unknown = JSON.parse(line);
      // Keep the id for the error line even when the rest of the object is wrong.
      if (typeof raw === 'object' && raw !== null && 'id' in raw && (typeof raw.id === 'string' || typeof raw.id === 'number')) id = raw.id;
      const input = z.parse(JsonlArticle, raw);
      const summary = summarize({ text: input.article, title: input.title, tags: input.tags, source: `id ${String(input.id)}` });
      await write(io.stdout, `${JSON.stringify({ id: input.id, ...digestFields(summary) })}\n`);
    } catch (error) {
      failures++;
      await write(io.stderr, `${JSON.stringify({ id, line: lineNumber, error: message(error) })}\n`);
    }
  }
  return failures > 0 ? PARTIAL : 0;
}

/**
 * Runs `gazette summarize` with the arguments after the command name and returns the exit code.
 * Never throws for bad input; a bug still throws.
 */
export async function summarizeCommand(args: string[], io: CommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, jsonl: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    await write(io.stderr, `gazette summarize: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    await write(io.stdout, USAGE);
    return 0;
  }
  if (values.jsonl) {
    if (positionals.length > 0 || values.json) {
      await write(io.stderr, `gazette summarize: --jsonl reads standard input and takes no FILE or --json\n${USAGE}`);
      return 2;
    }
    return summarizeJsonLines(io);
  }
  if (positionals.length === 0) {
    await write(io.stderr, `gazette summarize: expected at least one FILE\n${USAGE}`);
    return 2;
  }
  let refused = 0;
  for (const [index, path] of positionals.entries()) {
    // Plain text: a blank line between digests, as between paragraphs.
    if (index > 0 && values.json !== true) await write(io.stdout, '\n');
    if ((await summarizeFile(path, values.json === true, io)) !== 0) refused += 1;
  }
  return refused > 0 ? PARTIAL : 0;
}
