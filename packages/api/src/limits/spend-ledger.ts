import { and, eq, sql } from "drizzle-orm";

import type { Database } from "@leadline/db/client";
import { siteSpend } from "@leadline/db/schema";
import { createFlushTimer } from "@leadline/pipeline/flush-timer";

import { reserveSpend, type BudgetLimits, type Reservation } from "./budget";

/** Logging the ledger needs. */
type LedgerLog = { warn(obj: object, msg?: string): void };

/**
 * A site's budget held by this process for one UTC day: reserved on the
 * site's day row in the database (so every instance's holds add up there,
 * exactly), handed out to messages here without a round trip. Amounts are in
 * units of 1e-8 USD, the column's precision, so sums are exact.
 */
type Lease = {
  id: number;
  siteId: string;
  organizationId: string;
  day: string;
  /** The budgets it was reserved under: a lease stops serving once they change. */
  dailyBudgetUsd: number;
  monthlyBudgetUsd: number;
  /** Reserved in the database and not yet handed to a message. */
  available: number;
  /** Spent by settled messages, still counted as reserved in the database. */
  spent: number;
  /** Given back here, still counted as reserved in the database. */
  released: number;
  inFlight: number;
  lastUsedAt: number;
  retired: boolean;
  refill: Promise<void> | null;
};

/** A lease holds this many worst cases; under LOW_WATER of them it is topped up in the background. */
const LEASE_MESSAGES = 50;
const LOW_WATER_MESSAGES = 20;
/** How often what was spent reaches the database while messages settle. */
const FLUSH_MS = 1_000;
/** A lease no message used for this long goes back to the site's budget. */
const IDLE_RELEASE_MS = 15 * 60_000;

const UNITS = 1e8;
const toUnits = (usd: number | string) => Math.round(Number(usd) * UNITS);
const toUsd = (units: number) => (units / UNITS).toFixed(8);
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export type SpendLedger = {
  /** Holds a message's worst case; null when the site's day or month cannot afford it. */
  reserve(limits: BudgetLimits, worstCaseUsd: number): Promise<Reservation | null>;
  /** Replaces a hold by what the model cost (null: unknown, the hold counts as spent). */
  settle(reservation: Reservation, actualUsd: string | null): void;
  /** Writes what was spent and given back; with release, every unused lease goes back to its site's budget. */
  flush(options?: { release?: boolean }): Promise<void>;
  /** Flushes and releases, then stops its timer. */
  stop(): Promise<void>;
};

/**
 * The site budgets of this process, held in leases so that a message's
 * reservation costs no database round trip: the first message of a site and
 * day reserves a lease of LEASE_MESSAGES worst cases in one statement (the
 * same locked upsert as before, so the day's budget is never passed), later
 * ones take from it, and a background top-up keeps it ahead of them. Near
 * the end of a budget a lease no longer fits and each message reserves
 * exactly its own worst case, so the last messages a budget allows are still
 * answered on some instance — less what other instances hold unused (at most
 * one lease each). Settled costs reach the day row in one update per lease
 * every FLUSH_MS. A process that dies keeps its lease counted as reserved for
 * that day only.
 */
export function createSpendLedger(db: Database, log: LedgerLog): SpendLedger {
  const leases = new Map<number, Lease>();
  /** The lease each site's messages take from now. */
  const serving = new Map<string, Lease>();
  let nextId = 1;
  let flushing: Promise<void> | null = null;

  function take(lease: Lease, units: number): Reservation {
    lease.available -= units;
    lease.inFlight += 1;
    lease.lastUsedAt = Date.now();
    return { siteId: lease.siteId, organizationId: lease.organizationId, day: lease.day, usd: toUsd(units), lease: lease.id };
  }

  /** Stops a lease serving (a new day, changed budgets, idle): what it holds unused goes back at the next flush. */
  function retire(lease: Lease) {
    lease.retired = true;
    if (serving.get(lease.siteId) === lease) serving.delete(lease.siteId);
    lease.released += lease.available;
    lease.available = 0;
    schedule();
  }

  function servingLease(limits: BudgetLimits): Lease | undefined {
    const lease = serving.get(limits.siteId);
    if (!lease) return undefined;
    if (lease.day === utcDay(Date.now()) && lease.dailyBudgetUsd === limits.dailyBudgetUsd && lease.monthlyBudgetUsd === limits.monthlyBudgetUsd) return lease;
    retire(lease);
    return undefined;
  }

  /** Reserves `units` more in the database, for the serving lease or a new one. */
  async function grow(limits: BudgetLimits, units: number): Promise<Lease | null> {
    const reserved = await reserveSpend(db, limits, units / UNITS);
    if (!reserved) return null;
    let lease = servingLease(limits);
    if (!lease || lease.day !== reserved.day) {
      if (lease) retire(lease);
      lease = {
        id: nextId++,
        siteId: limits.siteId,
        organizationId: limits.organizationId,
        day: reserved.day,
        dailyBudgetUsd: limits.dailyBudgetUsd,
        monthlyBudgetUsd: limits.monthlyBudgetUsd,
        available: 0,
        spent: 0,
        released: 0,
        inFlight: 0,
        lastUsedAt: Date.now(),
        retired: false,
        refill: null,
      };
      leases.set(lease.id, lease);
      serving.set(lease.siteId, lease);
    }
    lease.available += units;
    schedule();
    return lease;
  }

  function topUp(lease: Lease, limits: BudgetLimits, worstCase: number) {
    if (lease.refill) return;
    // On the next turn of the event loop: the message that asked has started its model call by then.
    lease.refill = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => grow(limits, LEASE_MESSAGES * worstCase))
      .then(
        () => undefined,
        (error: unknown) => log.warn({ err: error, siteId: lease.siteId }, "could not top up a budget lease; messages will reserve their own"),
      )
      .finally(() => {
        lease.refill = null;
      });
  }

  // Again after each flush while leases are held: an idle one is given back once IDLE_RELEASE_MS has passed.
  const timer = createFlushTimer(() => flush().finally(schedule), FLUSH_MS);
  function schedule() {
    if (leases.size > 0) timer.schedule();
  }

  /** One update: what was spent moves from reserved to spent, what was given back leaves reserved. */
  async function writeLease(lease: Lease) {
    const { spent, released } = lease;
    if (spent === 0 && released === 0) return;
    lease.spent = 0;
    lease.released = 0;
    try {
      await db
        .update(siteSpend)
        .set({
          reservedUsd: sql`greatest(${siteSpend.reservedUsd} - ${toUsd(spent + released)}::numeric, 0)`,
          spentUsd: sql`${siteSpend.spentUsd} + ${toUsd(spent)}::numeric`,
        })
        .where(and(eq(siteSpend.organizationId, lease.organizationId), eq(siteSpend.siteId, lease.siteId), eq(siteSpend.day, lease.day)));
    } catch (error) {
      // Kept for the next flush: until then the day row counts it as reserved, which refuses no more than it should.
      lease.spent += spent;
      lease.released += released;
      log.warn({ err: error, siteId: lease.siteId }, "could not record budget spend; retrying");
    }
  }

  async function flushOnce(release: boolean) {
    const now = Date.now();
    for (const lease of leases.values()) {
      if (!lease.retired && (release || lease.day !== utcDay(now) || now - lease.lastUsedAt > IDLE_RELEASE_MS)) retire(lease);
      await writeLease(lease);
      if (lease.retired && lease.inFlight === 0 && lease.spent === 0 && lease.released === 0) leases.delete(lease.id);
    }
  }

  function flush(options: { release?: boolean } = {}): Promise<void> {
    const run = (flushing ?? Promise.resolve()).then(() => flushOnce(options.release === true));
    flushing = run.finally(() => {
      if (flushing === run) flushing = null;
    });
    return run;
  }

  return {
    async reserve(limits, worstCaseUsd) {
      const units = Math.max(toUnits(worstCaseUsd), 1);
      const lease = servingLease(limits);
      if (lease?.refill && lease.available < units) await lease.refill;
      if (lease && !lease.retired && lease.available >= units) {
        const reservation = take(lease, units);
        if (lease.available < LOW_WATER_MESSAGES * units) topUp(lease, limits, units);
        return reservation;
      }
      // No lease, or it ran dry: a lease if the budget has room for one, else exactly this message.
      const grown = (await grow(limits, LEASE_MESSAGES * units)) ?? (await grow(limits, units));
      return grown && grown.available >= units ? take(grown, units) : null;
    },

    settle(reservation, actualUsd) {
      const lease = reservation.lease === undefined ? undefined : leases.get(reservation.lease);
      if (!lease) return;
      const held = toUnits(reservation.usd);
      const cost = actualUsd === null ? held : toUnits(actualUsd);
      lease.inFlight -= 1;
      lease.spent += cost;
      // What the worst case left over is the lease's again (or goes back, once it has stopped serving).
      if (lease.retired) lease.released += held - cost;
      else lease.available += held - cost;
      schedule();
    },

    flush,

    async stop() {
      timer.cancel();
      await flush({ release: true });
    },
  };
}
