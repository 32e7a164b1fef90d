/**
 * Per-Snapshot response cache: finished replies (bytes, ETag, compressed variants) by
 * normalised query, least recently used out first, bounded by an estimate of the memory they
 * take. What may enter is the caller's call (app.ts admits only what can be a hot page, never an
 * empty result); here, two tiers with budgets of their own, so a stream of unique ad-hoc queries
 * (searches, exact versions, updated_since) evicts its own kind, never the hot pages.
 *
 * The estimate is real memory, not body bytes: a fixed overhead per entry (the Map entry, the
 * Reply, the body's view and buffer, the ETag string, the closure that reports variants), the key
 * (two bytes a character), the body, and every compressed variant as it is made. Eviction is O(1)
 * per insert: a Map iterates in insertion order and a hit re-inserts, so the oldest is the first key.
 * A reply sent again from the front (front.ts) is not a hit here; it is marked `used`, and the
 * oldest key, when marked, gets a second chance (moved to the end, the mark cleared) before any
 * is evicted: the hot pages served from the front stay.
 */
import type { Reply } from "./respond.ts";

/**
 * Bytes an entry costs beside its key, body and ETag characters: the Map entry, the slot, the
 * Reply, the body's view and buffer, the closure. Measured with Bun 1.4.5 on Linux x64: 200,000
 * small replies took ~490 bytes of heap and ~670 of RSS each, ~90 of them key, body and ETag;
 * rounded up, so that the estimate of a cache of real pages comes out a little above its heap.
 */
export const ENTRY_OVERHEAD = 640;
/** Bytes a compressed variant costs beside its bytes: its Buffer, view and slot (measured ~400–600). */
export const VARIANT_OVERHEAD = 512;
/** The default budget of a snapshot's cache. */
export const DEFAULT_CACHE_BYTES = 48 * 1024 * 1024;

interface Slot {
	reply: Reply;
	size: number;
}

/** The estimated cost of keeping `r` under `key`, without compressed variants. */
export function entryCost(key: string, r: Reply): number {
	return ENTRY_OVERHEAD + key.length * 2 + (r.body?.byteLength ?? 0) + (r.etag?.length ?? 0) * 2;
}

class Lru {
	private readonly map = new Map<string, Slot>();
	bytes = 0;

	constructor(readonly budget: number) {}

	get size(): number {
		return this.map.size;
	}

	get(key: string): Reply | undefined {
		const slot = this.map.get(key);
		if (!slot) return undefined;
		this.map.delete(key);
		this.map.set(key, slot);
		return slot.reply;
	}

	set(key: string, r: Reply): void {
		const slot: Slot = { reply: r, size: entryCost(key, r) };
		// One entry never takes more than a quarter of the budget.
		if (slot.size > this.budget / 4) return;
		this.remove(key);
		this.map.set(key, slot);
		this.bytes += slot.size;
		r.shared = true;
		// Variants made later (compression on first use) are counted when they are made.
		r.onEncoded = (bytes) => {
			if (this.map.get(key) !== slot) return;
			slot.size += bytes + VARIANT_OVERHEAD;
			this.bytes += bytes + VARIANT_OVERHEAD;
			this.evict();
		};
		this.evict();
	}

	private remove(key: string): void {
		const slot = this.map.get(key);
		if (!slot) return;
		this.map.delete(key);
		this.bytes -= slot.size;
		slot.reply.dropped = true;
	}

	/**
	 * Oldest out until within budget: the first key, O(1) each, but a key used since it was last
	 * looked at goes to the end instead, once (each mark is cleared as it is passed over).
	 */
	private evict(): void {
		while (this.bytes > this.budget) {
			const oldest = this.map.entries().next();
			if (oldest.done) return;
			const [key, slot] = oldest.value;
			if (slot.reply.used) {
				slot.reply.used = false;
				this.map.delete(key);
				this.map.set(key, slot);
				continue;
			}
			this.remove(key);
		}
	}
}

export interface CacheStats {
	hits: number;
	misses: number;
}

/** Where a reply may be kept: with the hot pages, or with the ad-hoc queries. */
export type Tier = "hot" | "adhoc";

/** What a cache miss makes: the reply, and whether it may be kept (a 200 is still needed). */
export interface Made {
	reply: Reply;
	/** False for what is worth nothing again: an empty result, a position that names no entry. */
	keep: boolean;
}

export class ResponseCache {
	private readonly hot: Lru;
	private readonly adhoc: Lru;

	constructor(
		readonly stats: CacheStats,
		readonly budget = DEFAULT_CACHE_BYTES,
	) {
		this.hot = new Lru(Math.floor(budget * 0.75));
		this.adhoc = new Lru(budget - Math.floor(budget * 0.75));
	}

	/** The cached reply for `key`, or the one `make` builds (kept when it is a 200 worth keeping). */
	get(key: string, tier: Tier, make: () => Made): Reply {
		const lru = tier === "hot" ? this.hot : this.adhoc;
		const hit = lru.get(key);
		if (hit) {
			this.stats.hits++;
			return hit;
		}
		this.stats.misses++;
		const { reply, keep } = make();
		if (keep && reply.status === 200) lru.set(key, reply);
		return reply;
	}

	get entries(): number {
		return this.hot.size + this.adhoc.size;
	}

	/** The estimated memory the entries take. */
	get bytes(): number {
		return this.hot.bytes + this.adhoc.bytes;
	}
}
