/**
 * The publisher's run lease as a small JSON file (`out/state/lease.json`), so two `npm start` runs
 * started at once do not publish and mail twice. A new lease is created with an exclusive open, so of
 * two processes racing for a free lease only one wins; taking over an expired lease is best effort.
 */
import { mkdir, open, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RunLease } from '../../core/publish/ports.js';
import { readJsonFile, writeJsonFile } from './atomic-file.js';

interface LeaseFile {
  owner: string;
  expiresAt: string;
}

/** The `RunLease` port over a file. */
export class FileRunLease implements RunLease {
  constructor(
    /** Path of the lease file; it exists only while a run holds the lease. */
    readonly path: string,
  ) {}

  /** Takes the lease unless another owner holds an unexpired one. */
  async acquire(owner: string, now: Date, ttlMs: number): Promise<boolean> {
    const lease: LeaseFile = { owner, expiresAt: new Date(now.getTime() + ttlMs).toISOString() };
    await mkdir(dirname(this.path), { recursive: true });
    try {
      const handle = await open(this.path, 'wx');
      try {
        await handle.writeFile(`${JSON.stringify(lease, null, 2)}\n`);
      } finally {
        await handle.close();
      }
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const held = await this.read();
    if (held && held.owner !== owner && Date.parse(held.expiresAt) > now.getTime()) return false;
    await writeJsonFile(this.path, lease);
    return true;
  }

  /** Removes the lease file if `owner` still holds it. */
  async release(owner: string): Promise<void> {
    const held = await this.read();
    if (held?.owner === owner) await rm(this.path, { force: true });
  }

  private async read(): Promise<LeaseFile | undefined> {
    try {
      const lease = await readJsonFile<LeaseFile | undefined>(this.path, undefined);
      return lease && typeof lease.owner === 'string' && typeof lease.expiresAt === 'string' ? lease : undefined;
    } catch {
      // A half-written or garbled lease (a crash between open and write) holds nothing.
      return undefined;
    }
  }
}
