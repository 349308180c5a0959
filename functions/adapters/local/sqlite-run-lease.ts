/**
 * The publisher's run lease in the local state database, so two `npm start` runs do not publish and
 * mail at once. The row records the holder's pid and host: a lease whose holder process is gone (kill -9,
 * a crash) is free at once instead of blocking every run until it expires. Taking it is one
 * `BEGIN IMMEDIATE` transaction, so of two processes racing for a free lease exactly one wins.
 */
import { hostname } from 'node:os';
import type { RunLease } from '../../core/publish/ports.js';
import type { LocalState } from './local-state.js';

/** True unless the process `pid` certainly does not exist (EPERM means it exists under another user). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

interface LeaseRow {
  owner: string;
  expires_at: string;
  pid: number | null;
  host: string | null;
}

/** The `RunLease` port over the `leases` table (row `publish`). */
export class SqliteRunLease implements RunLease {
  constructor(
    private readonly state: LocalState,
    /** This process, as recorded in the lease. */
    private readonly holder: { pid: number; host: string } = { pid: process.pid, host: hostname() },
    private readonly isAlive: (pid: number) => boolean = processIsAlive,
  ) {}

  /** Takes the lease unless another owner holds an unexpired one whose process is alive. */
  async acquire(owner: string, now: Date, ttlMs: number): Promise<boolean> {
    const read = this.state.db.prepare<[], LeaseRow>("SELECT owner, expires_at, pid, host FROM leases WHERE name = 'publish'");
    const write = this.state.db.prepare(
      "INSERT OR REPLACE INTO leases (name, owner, expires_at, pid, host) VALUES ('publish', ?, ?, ?, ?)",
    );
    return this.state.immediate(() => {
      const held = read.get();
      if (held && held.owner !== owner && Date.parse(held.expires_at) > now.getTime() && !this.holderIsGone(held)) return false;
      write.run(owner, new Date(now.getTime() + ttlMs).toISOString(), this.holder.pid, this.holder.host);
      return true;
    });
  }

  /** Gives the lease back if `owner` still holds it. */
  async release(owner: string): Promise<void> {
    this.releaseNow(owner);
  }

  /** `release`, synchronously: for signal handlers, which cannot wait for a promise. */
  releaseNow(owner: string): void {
    if (!this.state.db.open) return;
    const remove = this.state.db.prepare("DELETE FROM leases WHERE name = 'publish' AND owner = ?");
    this.state.immediate(() => remove.run(owner));
  }

  /** A holder on this host whose pid no longer exists; a lease from another host (or without a pid) waits for expiry. */
  private holderIsGone(held: LeaseRow): boolean {
    return held.pid !== null && held.host === this.holder.host && !this.isAlive(held.pid);
  }
}
