/**
 * The search index (search-index.ts): a block that holds a term is always a candidate, whatever
 * the hash collisions; a term that is nowhere rules out (nearly) every block; and a snapshot's
 * search through it finds exactly what a plain substring test of every entry finds.
 */
import { describe, expect, test } from "bun:test";
import { buildSearchIndex, candidateBlocks, MAX_BLOCKS, nextBlock } from "../../src/registry/search-index.ts";
import { Snapshot } from "../../src/registry/snapshot.ts";
import { rng as random } from "../support/random.ts";
import { build, server } from "../support/registry-docs.ts";

const encoder = new TextEncoder();

const WORDS = [
	"weather",
	"github",
	"server",
	"mcp",
	"tool",
	"data",
	"ü-lat",
	"日本語",
	"sql",
	"git",
	"a",
	"zz",
];

function corpus(count: number, seed: number): { texts: string[]; blob: Uint8Array; offsets: Uint32Array } {
	const rnd = random(seed);
	const texts = Array.from({ length: count }, (_, i) => {
		const words = Array.from(
			{ length: 1 + Math.floor(rnd() * 6) },
			() => WORDS[Math.floor(rnd() * WORDS.length)],
		);
		return `io.github.u${i}/s${Math.floor(rnd() * 1000)}\u0000${words.join(" ")}\u0001`;
	});
	const parts = texts.map((t) => encoder.encode(t));
	const offsets = new Uint32Array(count + 1);
	let at = 0;
	parts.forEach((p, i) => {
		offsets[i] = at;
		at += p.byteLength;
	});
	offsets[count] = at;
	const blob = new Uint8Array(at);
	parts.forEach((p, i) => {
		blob.set(p, offsets[i] as number);
	});
	return { texts, blob, offsets };
}

describe("candidateBlocks", () => {
	for (const count of [1, 7, 1000, 5000]) {
		test(`${count} entries: every block holding a term is a candidate`, () => {
			const { texts, blob, offsets } = corpus(count, count);
			const index = buildSearchIndex(blob, offsets, count);
			expect(Math.ceil(count / index.blockSize)).toBeLessThanOrEqual(MAX_BLOCKS);
			const rnd = random(99);
			for (let k = 0; k < 300; k++) {
				const text = texts[Math.floor(rnd() * count)] as string;
				const from = Math.floor(rnd() * (text.length - 1));
				const term = text.slice(from, from + 3 + Math.floor(rnd() * 8)).split(/[^\P{Cc}]/u)[0] as string;
				if (term.length === 0) continue;
				const blocks = candidateBlocks(index, encoder.encode(term));
				for (let i = 0; i < count; i++) {
					if (!(texts[i] as string).includes(term)) continue;
					const b = Math.floor(i / index.blockSize);
					expect(blocks === undefined || nextBlock(blocks, b) === b).toBe(true);
				}
			}
		});
	}

	test("a term that is nowhere rules out nearly every block", () => {
		const { blob, offsets } = corpus(5000, 3);
		const index = buildSearchIndex(blob, offsets, 5000);
		let candidates = 0;
		for (let k = 0; k < 200; k++) {
			const blocks = candidateBlocks(index, encoder.encode(`zq${k}x`)) as Uint32Array;
			for (let b = nextBlock(blocks, 0); b >= 0; b = nextBlock(blocks, b + 1)) candidates++;
		}
		// Out of 200 × 1000 blocks; a full scan would be every one.
		expect(candidates).toBeLessThan(200);
	});

	test("under three bytes the index cannot tell: every block may hold it", () => {
		const { blob, offsets } = corpus(100, 1);
		const index = buildSearchIndex(blob, offsets, 100);
		expect(candidateBlocks(index, encoder.encode("zz"))).toBeUndefined();
		expect(candidateBlocks(index, encoder.encode("ü"))).toBeUndefined();
	});

	test("nextBlock finds set bits across words and says -1 past the end", () => {
		const bits = new Uint32Array(3);
		bits[0] = 1 << 31;
		bits[2] = 1 << 4;
		expect(nextBlock(bits, 0)).toBe(31);
		expect(nextBlock(bits, 31)).toBe(31);
		expect(nextBlock(bits, 32)).toBe(68);
		expect(nextBlock(bits, 69)).toBe(-1);
		expect(nextBlock(bits, 500)).toBe(-1);
	});
});

describe("Snapshot search through the index", () => {
	test("finds exactly what a substring test of every entry finds, in order, over pages", () => {
		const rnd = random(7);
		const docs = Array.from({ length: 3000 }, (_, i) => {
			const words = Array.from(
				{ length: 1 + Math.floor(rnd() * 5) },
				() => WORDS[Math.floor(rnd() * WORDS.length)],
			);
			return server(`io.github.n${i % 997}/s${i}`, `1.${i % 5}.0`, { description: words.join(" ") });
		});
		const snapshot = new Snapshot(build(docs));
		const { names, count } = snapshot.index;
		const texts = Array.from({ length: count }, (_, i) => {
			const doc = docs.find((d) => d.name === names[i]) as { name: string; description: string };
			return `${doc.name}\u0000${doc.description}`.toLowerCase();
		});
		// The blob's separators (U+0000 between name and description, U+0001 after each entry) are in
		// no text: a term holding one matches nothing, never every entry nor two entries at once.
		for (const term of ["\u0000", "\u0001", "s\u0001i", "\u0000weather", "1\u0001io.github"]) {
			expect(snapshot.list({ limit: 100, search: term, includeDeleted: true }).items).toEqual([]);
		}
		for (const term of ["weather", "n12/", "日本語", "sql g", "a", "zz", "zq1x", "s29", "ü-l"]) {
			const want = texts.flatMap((t, i) => (t.includes(term) ? [i] : []));
			const got: number[] = [];
			let after: { name: string; version: string } | undefined;
			for (;;) {
				const r = snapshot.list({ limit: 37, search: term, includeDeleted: true, after });
				got.push(...r.items);
				if (!r.more) break;
				const last = r.items[r.items.length - 1] as number;
				after = { name: names[last] as string, version: snapshot.index.versions[last] as string };
			}
			expect({ term, got }).toEqual({ term, got: want });
		}
	});
});
