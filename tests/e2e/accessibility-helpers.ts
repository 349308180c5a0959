/**
 * Browser-side checks for tests/e2e/accessibility.test.ts: axe-core injected into a page, the
 * document's horizontal overflow, the requests a page makes, and WCAG contrast computed from the
 * browser's own computed styles. In-page code is passed as strings because this project is typed for
 * Node only (no DOM lib), as in subscription-journey.test.ts.
 */
import axe from 'axe-core';
import type { AxeResults, Result as AxeViolation } from 'axe-core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { CHROMIUM_PATH } from './global-setup.js';

/** Debian chromium flags (TOOLCHAIN.md): no sandbox (container), no GPU, no background traffic. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Debian's chromium headless; throws (never skips) when it is missing. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS });
}

/** The axe tags that make up WCAG 2.1 levels A and AA, plus axe's best practices (headings, landmarks). */
export const WCAG21_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] as const;

/**
 * Runs axe-core in `page` on the whole document with the WCAG 2.1 A/AA rules and best practices,
 * minus `disabledRules` (each one must be justified by the caller). Returns the violations.
 */
export async function axeViolations(page: Page, disabledRules: readonly string[] = []): Promise<AxeViolation[]> {
  // Injected as a script element, not fetched: the page must make no request for it.
  if (!(await page.evaluate(`typeof window.axe === 'object'`))) await page.addScriptTag({ content: axe.source });
  const options = {
    runOnly: { type: 'tag', values: [...WCAG21_AA_TAGS] },
    rules: Object.fromEntries(disabledRules.map((id) => [id, { enabled: false }])),
    resultTypes: ['violations'],
  };
  const results = (await page.evaluate(`window.axe.run(document, ${JSON.stringify(options)})`)) as AxeResults;
  return results.violations;
}

/** One line per violated node: rule id, impact, the element's selector and axe's suggested fix. */
export function describeViolations(violations: readonly AxeViolation[]): string {
  return violations
    .flatMap((violation) =>
      violation.nodes.map(
        (node) =>
          `${violation.id} (${violation.impact ?? 'n/a'}) at ${node.target.join(' ')}: ${node.failureSummary?.replace(/\s+/g, ' ') ?? violation.help}`,
      ),
    )
    .join('\n');
}

/** `scrollWidth` and `clientWidth` of the root element: more scroll width means horizontal scrolling. */
export async function documentWidths(page: Page): Promise<{ scrollWidth: number; clientWidth: number }> {
  return (await page.evaluate(
    `({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })`,
  )) as { scrollWidth: number; clientWidth: number };
}

/**
 * Records every request `page` makes and lets through only those to `allowedOrigin`; anything else is
 * aborted before it leaves the machine (and stays in the list, so the test can fail on it).
 */
export async function recordRequests(page: Page, allowedOrigin: string | undefined): Promise<string[]> {
  const urls: string[] = [];
  page.on('request', (request) => urls.push(request.url()));
  await page.route('**/*', (route) =>
    allowedOrigin !== undefined && new URL(route.request().url()).origin === allowedOrigin ? route.continue() : route.abort(),
  );
  return urls;
}

/** An sRGB colour with alpha, as the browser computes it. */
export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** Parses a computed `rgb(…)`/`rgba(…)` value (what Chromium reports for hex and named colours). */
export function parseComputedColor(value: string): Rgba {
  const match = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+))?\s*\)$/.exec(value.trim());
  if (!match) throw new Error(`not a computed rgb() colour: ${value}`);
  return { r: Number(match[1]), g: Number(match[2]), b: Number(match[3]), a: match[4] === undefined ? 1 : Number(match[4]) };
}

/** `top` painted over the opaque `bottom` (source-over). */
function over(top: Rgba, bottom: Rgba): Rgba {
  const mix = (front: number, back: number): number => front * top.a + back * (1 - top.a);
  return { r: mix(top.r, bottom.r), g: mix(top.g, bottom.g), b: mix(top.b, bottom.b), a: 1 };
}

/** WCAG 2.x relative luminance of an opaque sRGB colour. */
export function relativeLuminance({ r, g, b }: Rgba): number {
  const linear = (channel: number): number => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** WCAG 2.x contrast ratio of two opaque colours, 1 to 21. */
export function contrastRatio(a: Rgba, b: Rgba): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** A rendered piece of text with its colour and the stack of backgrounds behind it (innermost first). */
export interface TextSample {
  element: string;
  text: string;
  color: string;
  backgrounds: string[];
}

/** The text, colour and backgrounds of every visible element that holds text directly. */
export async function textSamples(page: Page): Promise<TextSample[]> {
  return (await page.evaluate(`(() => {
    const samples = [];
    for (const element of document.body.querySelectorAll('*')) {
      const text = Array.from(element.childNodes)
        .filter((node) => node.nodeType === Node.TEXT_NODE)
        .map((node) => node.textContent)
        .join('')
        .trim();
      if (!text || element.getClientRects().length === 0) continue;
      const style = getComputedStyle(element);
      if (style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
      const backgrounds = [];
      for (let node = element; node; node = node.parentElement) backgrounds.push(getComputedStyle(node).backgroundColor);
      samples.push({ element: element.tagName.toLowerCase() + (element.className ? '.' + element.className : ''), text: text.slice(0, 60), color: style.color, backgrounds });
    }
    return samples;
  })()`)) as TextSample[];
}

/** The opaque colour behind a sample: its backgrounds composed from the canvas (`canvas`) upward. */
export function effectiveBackground(sample: TextSample, canvas: Rgba): Rgba {
  return sample.backgrounds
    .map(parseComputedColor)
    .reverse()
    .reduce((below, layer) => (layer.a === 0 ? below : over(layer, below)), canvas);
}

/** Contrast of a sample's text (its colour composed over its background) against that background. */
export function sampleContrast(sample: TextSample, canvas: Rgba): number {
  const background = effectiveBackground(sample, canvas);
  return contrastRatio(over(parseComputedColor(sample.color), background), background);
}
