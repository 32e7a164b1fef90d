/**
 * Per-Snapshot response cache: finished replies (bytes, ETag, compressed variants) by
 * normalised query, least recently used out first, bounded in bytes. Ad-hoc queries (search,
 * updated_since) get their own smaller budget so a stream of unique terms cannot evict the
 * hot pages.
 */
import type { Reply } from "./respond.ts";

class Lru {
	private readonly map = new Map<string, Reply>();
	private bytes = 0;

	constructor(private readonly budget: number) {}

	get(key: string): Reply | undefined {
		const r = this.map.get(key);
		if (r) {
			this.map.delete(key);
			this.map.set(key, r);
		}
		return r;
	}

	set(key: string, r: Reply): void {
		const size = (r.body?.byteLength ?? 0) * 2 + key.length;
		if (size > this.budget / 4) return;
		const old = this.map.get(key);
		if (old) this.bytes -= (old.body?.byteLength ?? 0) * 2 + key.length;
		this.map.set(key, r);
		this.bytes += size;
		for (const [k, v] of this.map) {
			if (this.bytes <= this.budget) break;
			this.map.delete(k);
			this.bytes -= (v.body?.byteLength ?? 0) * 2 + k.length;
		}
	}

	get size(): number {
		return this.map.size;
	}
}

export interface CacheStats {
	hits: number;
	misses: number;
}

export class ResponseCache {
	private readonly hot: Lru;
	private readonly adhoc: Lru;

	constructor(
		readonly stats: CacheStats,
		budgetBytes = 48 * 1024 * 1024,
	) {
		this.hot = new Lru(Math.floor(budgetBytes * 0.75));
		this.adhoc = new Lru(Math.floor(budgetBytes * 0.25));
	}

	/** The cached reply for `key`, or the one `make` builds (cached when it is a 200). */
	get(key: string, adhoc: boolean, make: () => Reply): Reply {
		const lru = adhoc ? this.adhoc : this.hot;
		const hit = lru.get(key);
		if (hit) {
			this.stats.hits++;
			return hit;
		}
		this.stats.misses++;
		const r = make();
		if (r.status === 200) lru.set(key, r);
		return r;
	}

	get entries(): number {
		return this.hot.size + this.adhoc.size;
	}
}
