/**
 * Text hygiene shared by every renderer: stripping characters no output format may carry, making
 * one-line values, HTML escaping through a tagged template, and URL vetting.
 */
import escapeHtml from 'escape-html';
import { GazetteError } from '../errors.js';
import { stripBidiControls } from '../articles/text.js';

/** A render input that cannot be rendered safely (bad slug, bad date, unsafe header value). */
export class RenderError extends GazetteError {
  override name = 'RenderError';
}

/**
 * Characters outside the XML 1.0 `Char` production (C0 controls other than TAB/LF/CR, U+FFFE/U+FFFF,
 * unpaired surrogates) plus DEL and the C1 controls, which XML allows but the W3C validator and mail
 * clients treat as garbage. Article text can carry any of them (binary junk, bad copy-paste).
 */
const CONTROL_CHARACTERS =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Removes control characters (see above); keeps TAB, LF, CR and every printable character. */
export function cleanText(value: string): string {
  return value.replace(CONTROL_CHARACTERS, '');
}

/**
 * A single-line value for titles, subjects and names: control characters removed, every line break
 * (with the blanks around it) folded into one space, bidi overrides dropped, ends trimmed. A CR/LF in
 * a headline must never reach a mail header or split a feed title.
 */
export function oneLine(value: string): string {
  return stripBidiControls(cleanText(value))
    .replace(/[ \t]*[\r\n]+[ \t]*/g, ' ')
    .trim();
}

/** HTML that is already escaped or trusted (our own markup); anything else interpolated is escaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What may be interpolated into {@link html}: text (escaped), trusted HTML, lists, or nothing. */
export type HtmlValue = SafeHtml | string | number | readonly HtmlValue[] | null | undefined | false;

function renderValue(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(renderValue).join('');
  // escape-html (the pillarjs escaper Express uses) covers & < > " ', which makes the result safe both
  // as element text and inside quoted attribute values, the only two places templates put data.
  return escapeHtml(cleanText(String(value)));
}

/**
 * Tagged template for HTML: every interpolated string is control-stripped and escaped, so data can
 * only ever become text. Nest `html` results (or arrays of them) to compose trusted markup.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += renderValue(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Marks a constant (our CSS, our script) as trusted HTML. Never pass data to it. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** Escapes one piece of text for HTML (same rules as {@link html}). */
export function escapeText(value: string): string {
  return renderValue(value);
}

/** Characters RFC 3986 allows after the authority, plus `%` when it starts a `%XX` escape. */
const NOT_URI_CHARACTER = /%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]/g;

function percentEncode(part: string): string {
  return part.replace(NOT_URI_CHARACTER, (character) => (character === '%' ? '%25' : encodeURIComponent(character)));
}

/**
 * `url.href` as an RFC 3986 URI. The WHATWG serialiser leaves `{ } | ^ [ ] \`, a stray `%` and a second
 * `#` in paths, queries and fragments; JSON Feed's `uri` format, Atom's IRIs and the W3C validator
 * reject them, so they are percent-encoded (which names the same resource).
 */
function uriString(url: URL): string {
  const href = url.href;
  // http(s) URLs always have a path starting with `/`; the authority before it is already encoded.
  const pathStart = href.indexOf('/', url.protocol.length + 2);
  if (pathStart < 0) return href;
  const rest = href.slice(pathStart);
  const hash = rest.indexOf('#');
  if (hash < 0) return href.slice(0, pathStart) + percentEncode(rest);
  return `${href.slice(0, pathStart)}${percentEncode(rest.slice(0, hash))}#${percentEncode(rest.slice(hash + 1)).replace(/#/g, '%23')}`;
}

/**
 * The normalised `http:`/`https:` URL, or `undefined` for anything else: an article's `url` may be
 * `javascript:…` or garbage, and such a value must never become a link.
 */
export function safeHttpUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(cleanText(value).trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? uriString(url) : undefined;
  } catch {
    return undefined;
  }
}

/** Parses an ISO 8601 timestamp from the model; a malformed one is a bug upstream, so it throws. */
export function parseInstant(iso: string, what: string): Date {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new RenderError(`${what} is not a valid date: ${JSON.stringify(iso)}`);
  return date;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * "8 May 2025" in UTC. Formatted by hand rather than with Intl so the bytes do not depend on the
 * ICU data of the Node build (golden files must match on every machine).
 */
export function displayDate(date: Date): string {
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

/** Day names by `Date.getUTCDay()` index (0 Sunday … 6 Saturday), as the subscriber store keeps weekdays. */
export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** "07:00" for hour 7: a daily or weekly edition's local time. */
export function clockHour(hour: number): string {
  return `${String(hour).padStart(2, '0')}:00`;
}

/** A calendar day, as written (no time zone arithmetic). */
export interface CalendarDay {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
}

/**
 * The calendar day written at the start of an ISO 8601 timestamp: `2025-12-01T07:00:00+09:00` is
 * 1 December, whatever day it is in UTC. An edition's date is written in its readers' offset, so the
 * day it names is theirs. Throws `RenderError` for anything that is not a valid timestamp.
 */
export function calendarDay(iso: string, what: string): CalendarDay {
  parseInstant(iso, what);
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!match) throw new RenderError(`${what} does not start with a YYYY-MM-DD date: ${JSON.stringify(iso)}`);
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}

/** "1 Dec" (subjects: short enough to leave room for the headline). */
export function shortDay({ month, day }: CalendarDay): string {
  return `${day} ${MONTHS[month - 1]!.slice(0, 3)}`;
}

/** "Monday, 1 December 2025". */
export function longDay({ year, month, day }: CalendarDay): string {
  const weekday = WEEKDAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()]!;
  return `${weekday}, ${day} ${MONTHS[month - 1]} ${year}`;
}

/** "December 2025" (archive group headings). */
export function monthHeading(date: Date): string {
  return `${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}
