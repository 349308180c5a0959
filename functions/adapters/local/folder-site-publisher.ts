/**
 * The site and feeds in a local folder (`out/site/`). Files whose bytes are already there are left
 * alone, so a re-run changes nothing on disk; the rest are written atomically, stage by stage as the
 * output registry orders them (pages before feeds).
 */
import { join, posix } from 'node:path';
import type { SiteFile } from '../../core/model.js';
import type { PublishResult, SiteMark, SitePublisher } from '../../core/publish/ports.js';
import { parseSiteMark, serializeSiteMark } from '../../core/publish/site-mark.js';
import { rm } from 'node:fs/promises';
import { isSitePath, publishStages } from '../../core/render/outputs.js';
import { readIfExists, writeFileAtomic } from './atomic-file.js';

/**
 * Checks that a site path stays inside the site folder: relative, forward slashes, no `..`, `.` or
 * empty segments, no NUL. A renderer bug must not become a write outside `out/site/`.
 */
export function assertSafeSitePath(path: string): void {
  const segments = path.split('/');
  const bad =
    path.length === 0 ||
    path.includes('\\') ||
    path.includes('\0') ||
    posix.isAbsolute(path) ||
    segments.some((segment) => segment === '' || segment === '.' || segment === '..');
  if (bad) throw new Error(`refusing to publish unsafe site path "${path}"`);
}

/**
 * The site mark's file in the site folder: hidden, and no path of the output registry, so the local
 * site server never serves it.
 */
export const SITE_MARK_FILE = '.gazette-site-mark.json';

/** The `SitePublisher` port over a folder. */
export class FolderSitePublisher implements SitePublisher {
  constructor(
    /** Folder that becomes the site root (`out/site`). */
    readonly rootDir: string,
  ) {}

  /** Writes changed files, one publish stage after the other, and reports which were written or unchanged. */
  async publish(files: SiteFile[]): Promise<PublishResult> {
    for (const file of files) assertSafeSitePath(file.path);
    const stages = publishStages(files);
    const result: PublishResult = { written: [], unchanged: [] };
    for (const file of stages.flat()) {
      const target = join(this.rootDir, ...file.path.split('/'));
      const existing = await readIfExists(target);
      if (existing && existing.equals(file.body)) {
        result.unchanged.push(file.path);
        continue;
      }
      await writeFileAtomic(target, file.body);
      result.written.push(file.path);
    }
    return result;
  }

  /** Deletes the files (only site paths of the registry; a missing one is fine). */
  async remove(paths: string[]): Promise<void> {
    for (const path of paths) {
      if (!isSitePath(path)) throw new Error(`refusing to remove "${path}": not a site path`);
      await rm(join(this.rootDir, ...path.split('/')), { force: true });
    }
  }

  /** The mark in {@link SITE_MARK_FILE} inside the site folder, so deleting the folder forgets it too. */
  async readMark(): Promise<SiteMark | undefined> {
    const bytes = await readIfExists(join(this.rootDir, SITE_MARK_FILE));
    return bytes ? parseSiteMark(bytes.toString('utf8')) : undefined;
  }

  /** Writes (atomically) or, for `undefined`, deletes the mark. */
  async writeMark(mark: SiteMark | undefined): Promise<void> {
    const path = join(this.rootDir, SITE_MARK_FILE);
    if (mark === undefined) await rm(path, { force: true });
    else await writeFileAtomic(path, Buffer.from(serializeSiteMark(mark), 'utf8'));
  }

  /** Local path of a site file (relative when `rootDir` is), for the CLI's summary. */
  pathOf(sitePath: string): string {
    return join(this.rootDir, ...sitePath.split('/'));
  }
}
