/**
 * The site mark (see `SiteMark` in ./ports.ts) as the publishers store it: one small JSON document. A
 * document that is not a mark (a hand edit, a half-written file) reads as no mark, which only costs a
 * whole-site render.
 */
import type { SiteMark } from './ports.js';

/** The stored form of `mark`. */
export function serializeSiteMark(mark: SiteMark): string {
  return `${JSON.stringify({ renderedWith: mark.renderedWith, published: mark.published })}\n`;
}

/** The mark in `text`, or undefined when it holds none. */
export function parseSiteMark(text: string): SiteMark | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const { renderedWith, published } = (value ?? {}) as Partial<Record<keyof SiteMark, unknown>>;
  if (typeof renderedWith !== 'string' || typeof published !== 'number' || !Number.isInteger(published) || published < 0) return undefined;
  return { renderedWith, published };
}
