/**
 * One behavioural contract for every subscriber store (memory, JSON file, DynamoDB), so the local and
 * the deployed adapters cannot drift: the same conditional rules, the same answers.
 */
import { describe, expect, it } from 'vitest';
import type { SubscriberStore } from '../../functions/core/publish/ports.js';
import { legacySubscriberIdFor, storedSubscriberId, subscriberIdFor } from '../../functions/core/subscriptions/address.js';
import { ID_KEY } from './subscriptions-helpers.js';
import type { FeedbackLedger, RateLimiter, RollingCounter, SubscriptionStore } from '../../functions/core/subscriptions/ports.js';

/** A fresh, empty store (and its companions) for one test. */
export interface StoreFixture {
  store: SubscriptionStore & SubscriberStore;
  ledger: FeedbackLedger;
  limiter: RateLimiter;
  counter: RollingCounter;
}

const T0 = new Date('2025-03-01T09:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const DAY = 24 * 60 * 60 * 1000;

/** Registers the contract tests for one adapter. */
export function describeSubscriptionStore(name: string, fresh: () => Promise<StoreFixture>): void {
  describe(`${name}: subscriber store contract`, () => {
    const ann = 'ann@example.org';
    const id = subscriberIdFor(ann, ID_KEY);

    it('reserves a confirmation once per cooldown window, creating the pending record', async () => {
      const { store } = await fresh();
      expect(await store.reserveConfirmation(id, ann, T0, at(-DAY))).toBe(true);
      expect(await store.get(id)).toMatchObject({
        id,
        email: ann,
        status: 'pending',
        lastConfirmationAt: T0.toISOString(),
        createdAt: T0.toISOString(),
        source: 'form',
      });
      expect(await store.reserveConfirmation(id, ann, at(1000), at(1000 - DAY))).toBe(false);
      expect(await store.reserveConfirmation(id, ann, at(DAY + 1), at(1))).toBe(true);
    });

    it('lets exactly one of many concurrent reservations win', async () => {
      const { store } = await fresh();
      const results = await Promise.all(Array.from({ length: 12 }, () => store.reserveConfirmation(id, ann, T0, at(-DAY))));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('releases only its own reservation', async () => {
      const { store } = await fresh();
      await store.reserveConfirmation(id, ann, T0, at(-DAY));
      await store.releaseConfirmation(id, at(5));
      expect((await store.get(id))?.lastConfirmationAt).toBe(T0.toISOString());
      await store.releaseConfirmation(id, T0);
      expect((await store.get(id))?.lastConfirmationAt).toBeUndefined();
      expect(await store.reserveConfirmation(id, ann, at(10), at(10 - DAY))).toBe(true);
    });

    it('transitions only from the allowed statuses and reports what happened', async () => {
      const { store } = await fresh();
      expect(await store.transition(id, ['pending'], 'confirmed', T0)).toEqual({ outcome: 'missing' });
      await store.reserveConfirmation(id, ann, T0, at(-DAY));
      const confirmed = await store.transition(id, ['pending'], 'confirmed', at(1000), { stampConfirmedAt: true });
      expect(confirmed).toMatchObject({
        outcome: 'changed',
        record: { status: 'confirmed', confirmedAt: at(1000).toISOString(), updatedAt: at(1000).toISOString() },
      });
      expect(await store.transition(id, ['pending'], 'confirmed', at(2000))).toMatchObject({
        outcome: 'unchanged',
        record: { status: 'confirmed' },
      });
      expect(await store.reserveConfirmation(id, ann, at(3 * DAY), at(2 * DAY))).toBe(false);
      expect(await store.listConfirmed()).toEqual([{ id, email: ann, status: 'confirmed', confirmedAt: at(1000).toISOString() }]);
      await store.transition(id, ['confirmed'], 'bounced', at(3000), { reason: 'bounce: Permanent/General' });
      expect(await store.get(id)).toMatchObject({ status: 'bounced', statusReason: 'bounce: Permanent/General' });
      expect(await store.listConfirmed()).toEqual([]);
    });

    it('stores the cadence chosen on the form with the reservation, and never on a confirmed reader', async () => {
      const { store } = await fresh();
      expect(await store.reserveConfirmation(id, ann, T0, at(-DAY), 'weekly')).toBe(true);
      expect((await store.get(id))?.cadence).toBe('weekly');
      await store.transition(id, ['pending'], 'confirmed', at(1000), { stampConfirmedAt: true });
      expect(await store.reserveConfirmation(id, ann, at(3 * DAY), at(2 * DAY), 'daily')).toBe(false);
      expect((await store.listConfirmed())[0]?.cadence).toBe('weekly');
    });

    it('moves a cursor forward only, and lists it with the subscriber', async () => {
      const { store } = await fresh();
      await store.transition(id, [], 'confirmed', T0, { createWith: { email: ann, source: 'operator' } });
      await store.advanceCursor(id, at(2000).toISOString());
      await store.advanceCursor(id, at(1000).toISOString());
      expect((await store.listConfirmed())[0]?.cursor).toBe(at(2000).toISOString());
      await store.advanceCursor(id, at(3000).toISOString());
      expect((await store.get(id))?.cursor).toBe(at(3000).toISOString());
      // An unknown id creates nothing.
      await store.advanceCursor(subscriberIdFor('nobody@example.org', ID_KEY), at(3000).toISOString());
      expect(await store.listAll()).toHaveLength(1);
    });

    it('stores a cadence choice and keeps the cursor, so a switch neither loses nor repeats', async () => {
      const { store } = await fresh();
      expect(await store.setPreference(id, { cadence: 'daily', timeZone: 'Europe/London', hour: 7, weekday: 1 }, T0)).toBeUndefined();
      await store.transition(id, [], 'confirmed', T0, { createWith: { email: ann, source: 'form' }, stampConfirmedAt: true });
      await store.advanceCursor(id, at(500).toISOString());
      const changed = await store.setPreference(id, { cadence: 'weekly', timeZone: 'Asia/Tokyo', hour: 9, weekday: 5 }, at(1000));
      expect(changed).toMatchObject({ cadence: 'weekly', timeZone: 'Asia/Tokyo', hour: 9, weekday: 5, updatedAt: at(1000).toISOString() });
      expect(await store.listConfirmed()).toEqual([
        {
          id,
          email: ann,
          status: 'confirmed',
          cadence: 'weekly',
          timeZone: 'Asia/Tokyo',
          hour: 9,
          weekday: 5,
          cursor: at(500).toISOString(),
          confirmedAt: T0.toISOString(),
        },
      ]);
    });

    it('creates with createWith and keeps the creation fields on later changes', async () => {
      const { store } = await fresh();
      const created = await store.transition(id, ['pending'], 'confirmed', T0, {
        createWith: { email: ann, source: 'operator' },
        consentNote: 'consent: fair',
        stampConfirmedAt: true,
      });
      expect(created).toMatchObject({
        outcome: 'changed',
        record: { id, email: ann, status: 'confirmed', source: 'operator', consentNote: 'consent: fair', createdAt: T0.toISOString() },
      });
      await store.transition(id, ['confirmed'], 'unsubscribed', at(1000), { createWith: { email: 'other@example.org', source: 'import' } });
      expect(await store.get(id)).toMatchObject({ email: ann, source: 'operator', createdAt: T0.toISOString(), status: 'unsubscribed' });
    });

    it('lists in id order and removes', async () => {
      const { store } = await fresh();
      const emails = ['c@example.org', 'a@example.org', 'b@example.org', 'd@example.org'];
      for (const email of emails) {
        await store.transition(subscriberIdFor(email, ID_KEY), [], 'confirmed', T0, { createWith: { email, source: 'operator' } });
      }
      const ids = emails.map((email) => subscriberIdFor(email, ID_KEY)).sort();
      expect((await store.listAll()).map((record) => record.id)).toEqual(ids);
      expect((await store.listConfirmed()).map((record) => record.id)).toEqual(ids);
      expect(await store.remove(ids[0] as string)).toBe(true);
      expect(await store.remove(ids[0] as string)).toBe(false);
      expect(await store.listAll()).toHaveLength(3);
    });

    it('ids: a record stored under the old bare-hash id is found by its address and keeps that id; a new address gets the keyed id', async () => {
      const { store } = await fresh();
      const legacy = legacySubscriberIdFor(ann);
      await store.transition(legacy, [], 'confirmed', T0, { createWith: { email: ann, source: 'form' } });
      expect(await storedSubscriberId(store, ann, ID_KEY)).toBe(legacy);
      expect(await storedSubscriberId(store, 'new@example.org', ID_KEY)).toBe(subscriberIdFor('new@example.org', ID_KEY));
      expect(subscriberIdFor(ann, ID_KEY)).not.toBe(legacy);
      // Once a keyed record exists it wins (it is the one every new link names).
      await store.transition(subscriberIdFor(ann, ID_KEY), [], 'pending', T0, { createWith: { email: ann, source: 'form' } });
      expect(await storedSubscriberId(store, ann, ID_KEY)).toBe(subscriberIdFor(ann, ID_KEY));
    });

    it('feedback ledger: a key is done only once marked done, and until its expiry', async () => {
      const { ledger } = await fresh();
      expect(await ledger.isDone('fb-1', T0)).toBe(false);
      // Asking is not claiming: an invocation that dies before markDone leaves the key open for its retry.
      expect(await ledger.isDone('fb-1', at(1000))).toBe(false);
      await ledger.markDone('fb-1', at(2000), at(DAY));
      expect(await ledger.isDone('fb-1', at(3000))).toBe(true);
      expect(await ledger.isDone('fb-2', at(3000))).toBe(false);
      expect(await ledger.isDone('fb-1', at(DAY + 1000))).toBe(false);
    });

    it('rolling counter: at most `limit` in any window, per key, and room again as hours leave it', async () => {
      const { counter } = await fresh();
      const takes = [];
      for (let i = 0; i < 4; i += 1) takes.push(await counter.take('confirmations', at(i * 60_000), DAY, 3));
      expect(takes).toEqual([true, true, true, false]);
      expect(await counter.take('other', at(5 * 60_000), DAY, 3)).toBe(true);
      // 23 hours on, the first hour is still inside the 24-hour window; a day and an hour on, it has left.
      expect(await counter.take('confirmations', at(23 * 3_600_000), DAY, 3)).toBe(false);
      expect(await counter.take('confirmations', at(DAY + 3_600_000), DAY, 3)).toBe(true);
    });

    it('rolling counter: concurrent takes never count past the limit together', async () => {
      const { counter } = await fresh();
      const results = await Promise.all(Array.from({ length: 12 }, () => counter.take('burst', T0, DAY, 5)));
      expect(results.filter(Boolean)).toHaveLength(5);
    });

    it('rate limiter: counts per key and window', async () => {
      const { limiter } = await fresh();
      const hits = [];
      for (let i = 0; i < 4; i += 1) hits.push(await limiter.hit('ip#a', at(i), 60_000, 3));
      expect(hits).toEqual([true, true, true, false]);
      expect(await limiter.hit('ip#b', at(5), 60_000, 3)).toBe(true);
      expect(await limiter.hit('ip#a', at(60_000), 60_000, 3)).toBe(true);
    });
  });
}
