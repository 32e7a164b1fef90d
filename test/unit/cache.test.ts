import { describe, expect, test } from "bun:test";
import {
	type CacheStats,
	ENTRY_OVERHEAD,
	entryCost,
	type Made,
	ResponseCache,
	VARIANT_OVERHEAD,
} from "../../src/http/cache.ts";
import { compressed } from "../../src/http/compression.ts";
import { problemReply, type Reply, reply } from "../../src/http/respond.ts";

/** A JSON body of `n` bytes (n ≥ 9). */
const body = (n: number, fill = "x") => `{"a":"${fill.repeat(n - 9)}"}\n`;
const page = (n: number, fill?: string): Reply =>
	reply(200, body(n, fill), "application/json", "public, max-age=10");
const kept =
	(r: Reply): (() => Made) =>
	() => ({ reply: r, keep: true });

function setUp(budget: number) {
	const stats: CacheStats = { hits: 0, misses: 0 };
	return { stats, cache: new ResponseCache(stats, budget) };
}

describe("entryCost: real memory, not body bytes", () => {
	test("a fixed overhead, the key's and ETag's characters (two bytes each) and the body", () => {
		const r = page(100);
		expect(r.etag).toHaveLength(27);
		expect(entryCost("k".repeat(40), r)).toBe(ENTRY_OVERHEAD + 80 + 100 + 54);
		// An empty page still costs its overhead: a flood of them is never free.
		expect(entryCost("k", page(10))).toBeGreaterThan(ENTRY_OVERHEAD);
	});
});

describe("ResponseCache", () => {
	test("keeps a 200 worth keeping; a miss, then hits", () => {
		const { stats, cache } = setUp(1 << 20);
		const r = page(100);
		expect(cache.get("a", "hot", kept(r))).toBe(r);
		expect(cache.get("a", "hot", kept(page(100)))).toBe(r);
		expect(stats).toEqual({ hits: 1, misses: 1 });
		expect(cache.entries).toBe(1);
		expect(cache.bytes).toBe(entryCost("a", r));
	});

	test("never keeps what make says not to keep, nor a non-200", () => {
		const { stats, cache } = setUp(1 << 20);
		cache.get("empty", "hot", () => ({ reply: page(30), keep: false }));
		cache.get("empty", "hot", () => ({ reply: page(30), keep: false }));
		cache.get("404", "hot", () => ({ reply: problemReply({ status: 404, detail: "no" }), keep: true }));
		expect(cache.entries).toBe(0);
		expect(cache.bytes).toBe(0);
		expect(stats).toEqual({ hits: 0, misses: 3 });
	});

	test("every compressed variant is counted as it is made, with its overhead", () => {
		const { cache } = setUp(1 << 20);
		const r = page(5000, "abc");
		cache.get("a", "hot", kept(r));
		const base = cache.bytes;
		const gz = compressed(r, "gzip");
		expect(cache.bytes).toBe(base + gz.byteLength + VARIANT_OVERHEAD);
		const br = compressed(r, "br");
		expect(cache.bytes).toBe(base + gz.byteLength + br.byteLength + 2 * VARIANT_OVERHEAD);
		// Made once: asking again counts nothing.
		compressed(r, "gzip");
		expect(cache.bytes).toBe(base + gz.byteLength + br.byteLength + 2 * VARIANT_OVERHEAD);
	});

	test("least recently used out first; a hit makes an entry the newest", () => {
		const size = entryCost("a", page(1000));
		// Room for five entries in the hot tier (three quarters of the budget).
		const { cache } = setUp(Math.ceil(((5 * size + size / 2) * 4) / 3));
		for (const k of ["a", "b", "c", "d", "e"]) cache.get(k, "hot", kept(page(1000)));
		expect(cache.entries).toBe(5);
		cache.get("a", "hot", kept(page(1000)));
		cache.get("f", "hot", kept(page(1000)));
		expect(cache.entries).toBe(5);
		const made: string[] = [];
		for (const k of ["a", "c", "d", "e", "f", "b"]) {
			cache.get(k, "hot", () => {
				made.push(k);
				return { reply: page(1000), keep: false };
			});
		}
		expect(made).toEqual(["b"]);
	});

	test("within budget after every insert and every variant, however many come", () => {
		const budget = 256 * 1024;
		const { cache } = setUp(budget);
		let most = 0;
		for (let i = 0; i < 5000; i++) {
			const r = page(200 + ((i * 37) % 4000), String.fromCharCode(97 + (i % 26)));
			cache.get(`k${i}`, i % 2 === 0 ? "hot" : "adhoc", kept(r));
			if (i % 3 === 0) compressed(r, "gzip");
			most = Math.max(most, cache.bytes);
			expect(cache.bytes).toBeLessThanOrEqual(budget);
		}
		expect(most).toBeGreaterThan(budget / 2);
		expect(cache.entries).toBeLessThanOrEqual(Math.floor(budget / ENTRY_OVERHEAD));
	});

	test("a variant made after its entry was evicted is not counted", () => {
		const size = entryCost("a", page(1000));
		const { cache } = setUp(Math.ceil((size * 4.5 * 4) / 3));
		const first = page(1000);
		cache.get("a", "hot", kept(first));
		for (const k of ["b", "c", "d", "e"]) cache.get(k, "hot", kept(page(1000)));
		expect(cache.entries).toBe(4);
		const bytes = cache.bytes;
		compressed(first, "gzip");
		expect(cache.bytes).toBe(bytes);
	});

	test("one reply over a quarter of its tier's budget is answered, not kept", () => {
		const { cache } = setUp(40_000);
		cache.get("big", "hot", kept(page(8000)));
		expect(cache.entries).toBe(0);
		cache.get("small", "hot", kept(page(1000)));
		expect(cache.entries).toBe(1);
	});

	test("the ad-hoc tier has its own budget: filling it never evicts a hot page", () => {
		const { stats, cache } = setUp(256 * 1024);
		cache.get("hot", "hot", kept(page(2000)));
		for (let i = 0; i < 2000; i++) cache.get(`search${i}`, "adhoc", kept(page(2000)));
		expect(cache.bytes).toBeLessThanOrEqual(256 * 1024);
		const hits = stats.hits;
		cache.get("hot", "hot", kept(page(2000)));
		expect(stats.hits).toBe(hits + 1);
	});

	test("a kept reply is marked shared; an evicted one dropped", () => {
		const size = entryCost("a", page(1000));
		const { cache } = setUp(Math.ceil((size * 4.5 * 4) / 3));
		const first = page(1000);
		cache.get("a", "hot", kept(first));
		expect(first.shared).toBe(true);
		expect(first.dropped).toBeUndefined();
		for (const k of ["b", "c", "d", "e"]) cache.get(k, "hot", kept(page(1000)));
		expect(first.dropped).toBe(true);
		// Never kept: neither.
		const big = page(8000);
		setUp(40_000).cache.get("big", "hot", kept(big));
		expect(big.shared).toBeUndefined();
	});

	test("a reply used from the front gets a second chance before eviction (oldest unused out instead)", () => {
		const size = entryCost("a", page(1000));
		const { stats, cache } = setUp(Math.ceil((size * 4.5 * 4) / 3));
		const replies = ["a", "b", "c", "d"].map((k) => {
			const r = page(1000);
			cache.get(k, "hot", kept(r));
			return r;
		});
		// "a" is the oldest, but sent again from the front since; "b" was not.
		(replies[0] as Reply).used = true;
		const e = page(1000);
		cache.get("e", "hot", kept(e));
		expect(replies.map((r) => r.dropped === true)).toEqual([false, true, false, false]);
		expect((replies[0] as Reply).used).toBe(false);
		const hits = stats.hits;
		cache.get("a", "hot", kept(page(1000)));
		expect(stats.hits).toBe(hits + 1);
		// Now c, d, e, a: with "c" and "d" used, the unused "e" goes rather than them.
		(replies[2] as Reply).used = true;
		(replies[3] as Reply).used = true;
		cache.get("f", "hot", kept(page(1000)));
		expect(replies.map((r) => r.dropped === true)).toEqual([false, true, false, false]);
		expect(e.dropped).toBe(true);
	});
});
