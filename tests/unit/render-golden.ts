/**
 * Golden-file comparison for the renderer tests: exact bytes, rewritten only with UPDATE_GOLDEN=1
 * (review the diff before committing it).
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const GOLDEN_DIR = fileURLToPath(new URL('../fixtures/golden/', import.meta.url));

/** Asserts `actual` equals tests/fixtures/golden/`name` byte for byte (or writes it when UPDATE_GOLDEN=1). */
export function expectGolden(name: string, actual: Buffer): void {
  const path = `${GOLDEN_DIR}${name}`;
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`golden file ${name} is missing: run the test once with UPDATE_GOLDEN=1 and review it`);
  const expected = readFileSync(path);
  // Compare as text first for a readable diff, then as bytes (CRLF, encodings).
  expect(actual.toString('utf8')).toBe(expected.toString('utf8'));
  expect(Buffer.compare(actual, expected)).toBe(0);
}
