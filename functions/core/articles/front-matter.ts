/**
 * YAML front matter of Markdown articles: the block between a first line `---` and the next line `---`,
 * as Jekyll and Hugo write it, parsed by js-yaml. Finding the block is two regular expressions, so no
 * front-matter package is needed; any block that names another language (`---js`, `---toml`) is refused.
 */
import { FAILSAFE_SCHEMA, load, Type } from 'js-yaml';
import { normaliseInline } from './text.js';

/** Validated front-matter fields; anything else in the block is ignored. */
export interface FrontMatter {
  id?: string;
  title?: string;
  url?: string;
  author?: string;
  published?: Date;
  tags?: string[];
}

/** A front-matter problem; the caller turns it into an `ArticleError` naming the file. */
export class FrontMatterError extends Error {
  override name = 'FrontMatterError';
}

const MAX_ID_LENGTH = 256;

/**
 * Every scalar stays the string it was written as, except an empty or `null` value: no field of an
 * article is a number or a date to YAML, so `id: 0012` or `title: 1.10` must not become 12 or 1.1 (a
 * changed id would publish a second digest) and dates are strings we validate ourselves. js-yaml shares
 * an aliased node instead of copying it, so an alias bomb costs no memory.
 */
const NULL_SCALAR = new Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  // YAML 1.2's core-schema spellings of null.
  resolve: (data: string | null) => data === null || ['', '~', 'null', 'Null', 'NULL'].includes(data),
  construct: () => null,
});
const FRONT_MATTER_SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: [NULL_SCALAR] });

function parseFrontMatterYaml(source: string): object {
  return (load(source, { schema: FRONT_MATTER_SCHEMA }) as object | null | undefined) ?? {};
}

/** The first line of a front-matter block, and the line that ends it. */
const OPENING_FENCE = /^---[ \t]*(?:\r?\n|$)/u;
const CLOSING_FENCE = /^---[ \t]*(?:\r?\n|$)/mu;

/**
 * Splits `source` into front matter and body. No front matter gives `{}` and the whole text. Throws
 * `FrontMatterError` for malformed YAML, a block that is not a mapping, or fields of the wrong type.
 */
export function splitFrontMatter(source: string): { data: FrontMatter; body: string } {
  const opening = OPENING_FENCE.exec(source);
  if (!opening) {
    if (/^---[A-Za-z]/u.test(source)) throw new FrontMatterError('only YAML front matter is supported');
    return { data: {}, body: source };
  }
  const rest = source.slice(opening[0].length);
  // No closing line: the whole file is front matter, and the body is empty.
  const closing = CLOSING_FENCE.exec(rest);
  const body = closing ? rest.slice(closing.index + closing[0].length) : '';
  let raw: unknown;
  try {
    raw = parseFrontMatterYaml(closing ? rest.slice(0, closing.index) : rest);
  } catch (error) {
    const first = (String((error as Error).message ?? error).split('\n')[0] ?? '').replace(/:\s*$/u, '');
    throw new FrontMatterError(`malformed front matter: ${first}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new FrontMatterError('malformed front matter: expected key: value pairs');
  }
  return { data: validate(raw as Record<string, unknown>), body };
}

function validate(raw: Record<string, unknown>): FrontMatter {
  const data: FrontMatter = {};
  const id = oneLine(raw, 'id');
  if (id !== undefined) {
    if (id.length > MAX_ID_LENGTH) throw new FrontMatterError(`id is longer than ${MAX_ID_LENGTH} characters`);
    data.id = id;
  }
  const title = oneLine(raw, 'title');
  if (title) data.title = title;
  const author = oneLine(raw, 'author');
  if (author) data.author = author;
  const url = oneLine(raw, 'url');
  if (url !== undefined) data.url = httpUrl(url);
  // `date` is what Jekyll and Hugo call it; `published` wins when both are given.
  const publishedKey = raw['published'] !== undefined && raw['published'] !== null ? 'published' : 'date';
  const published = oneLine(raw, publishedKey);
  if (published !== undefined) data.published = parseIsoDate(published, publishedKey);
  if (raw['tags'] !== undefined && raw['tags'] !== null) data.tags = tagList(raw['tags']);
  return data;
}

/** A scalar field as one clean line; numbers are accepted (a YAML `title: 1984`), objects are not. */
function oneLine(raw: Record<string, unknown>, key: string): string | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new FrontMatterError(`${key} must be a single line of text`);
  }
  const clean = normaliseInline(String(value));
  if (key === 'id' && !clean) throw new FrontMatterError('id is empty');
  return clean || undefined;
}

function httpUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new FrontMatterError(`url is not an absolute URL: "${value}"`);
  }
  // Anything else (javascript:, data:) would end up as a link in pages, feeds and mail.
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FrontMatterError(`url must start with http:// or https://: "${value}"`);
  }
  return url.href;
}

function tagList(value: unknown): string[] {
  if (!Array.isArray(value)) throw new FrontMatterError('tags must be a list, e.g. [politics, trade]');
  const tags: string[] = [];
  const seen = new Set<string>();
  for (const item of value) {
    if (typeof item !== 'string' && !(typeof item === 'number' && Number.isFinite(item))) {
      throw new FrontMatterError('tags must be a list of words or short phrases');
    }
    const tag = normaliseInline(String(item));
    const key = tag.toLowerCase();
    if (tag && !seen.has(key)) {
      seen.add(key);
      tags.push(tag);
    }
  }
  return tags;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/iu;

/**
 * Parses an ISO 8601 date (`2025-05-09`) or date-time (`2025-05-09T10:00:00+02:00`). A date-time
 * without an offset is taken as UTC so the result never depends on the machine's time zone.
 * Impossible dates (2025-02-30) are refused rather than rolled over.
 */
export function parseIsoDate(value: string, field = 'published'): Date {
  const match = ISO_DATE.exec(value);
  const fail = (): never => {
    throw new FrontMatterError(`${field} is not a valid date: "${value}" (use ISO 8601, e.g. 2025-05-09 or 2025-05-09T10:00:00Z)`);
  };
  if (!match) return fail();
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone = 'Z'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCFullYear() !== year || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) {
    return fail();
  }
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return fail();
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2}):?(\d{2})$/u, '$1:$2');
  const millis = fraction ? fraction.slice(0, 4).padEnd(4, '0') : '';
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${millis}${offset}`);
  if (Number.isNaN(date.getTime())) return fail();
  return date;
}
