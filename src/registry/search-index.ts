/**
 * Which parts of the search blob can hold a term: the entries in blocks (at most MAX_BLOCKS of
 * them, in list order), and for each hashed trigram of the blob's bytes, a bitset of the blocks
 * that contain it. A term of three bytes or more can only be in a block that has every one of
 * its trigrams, so a search ANDs a few bitsets and byte-searches those blocks alone: a term
 * that is nowhere (a typo, a new word per request) costs microseconds, not a pass over the blob.
 *
 * Hash collisions only add blocks to search (never hide one), and the byte search decides. The
 * bitsets take BUCKETS × MAX_BLOCKS / 8 bytes at most (4 MiB from 32,768 entries on), fewer for
 * small registries.
 */

export const MAX_BLOCKS = 1024;
const MAX_BUCKET_BITS = 15;

export interface SearchIndex {
	/** Entries per block. */
	blockSize: number;
	/** log2 of the number of hash buckets. */
	bucketBits: number;
	/** 32-bit words per bucket's bitset. */
	words: number;
	/** bucket b's bitset is bits[b·words, (b+1)·words). */
	bits: Uint32Array;
}

/** The bucket of a trigram (three bytes, a·2¹⁶ + b·2⁸ + c). */
const bucketOf = (trigram: number, bucketBits: number): number =>
	Math.imul(trigram, 0x9e3779b1) >>> (32 - bucketBits);

/**
 * The index of `blob`, whose entry i's text is [offsets[i], offsets[i+1]). Bytes 0 and 1 are
 * separators, never part of a term: trigrams holding one are left out.
 */
export function buildSearchIndex(blob: Uint8Array, offsets: Uint32Array, count: number): SearchIndex {
	const blockSize = Math.max(1, Math.ceil(count / MAX_BLOCKS));
	const blocks = Math.max(1, Math.ceil(count / blockSize));
	const words = Math.ceil(blocks / 32);
	// About two buckets per entry for small registries, up to 2^15.
	const bucketBits = Math.max(8, Math.min(MAX_BUCKET_BITS, Math.ceil(Math.log2(Math.max(1, count) * 2))));
	const bits = new Uint32Array((1 << bucketBits) * words);
	for (let block = 0; block < blocks; block++) {
		const word = block >>> 5;
		const bit = 1 << (block & 31);
		const end = offsets[Math.min(count, (block + 1) * blockSize)] as number;
		let trigram = 0;
		let run = 0;
		for (let p = offsets[block * blockSize] as number; p < end; p++) {
			const byte = blob[p] as number;
			if (byte < 2) {
				run = 0;
				continue;
			}
			trigram = ((trigram << 8) | byte) & 0xffffff;
			if (++run >= 3) {
				const at = bucketOf(trigram, bucketBits) * words + word;
				bits[at] = (bits[at] as number) | bit;
			}
		}
	}
	return { blockSize, bucketBits, words, bits };
}

/**
 * The blocks that may hold `term` (its UTF-8 bytes), as a bitset of `words` words; undefined when
 * the index cannot tell (a term under three bytes): every block may.
 */
export function candidateBlocks(index: SearchIndex, term: Uint8Array): Uint32Array | undefined {
	if (term.byteLength < 3) return undefined;
	const { words, bits, bucketBits } = index;
	const out = new Uint32Array(words).fill(0xffffffff);
	let trigram = (((term[0] as number) << 8) | (term[1] as number)) & 0xffff;
	for (let p = 2; p < term.byteLength; p++) {
		trigram = ((trigram << 8) | (term[p] as number)) & 0xffffff;
		const at = bucketOf(trigram, bucketBits) * words;
		let any = 0;
		for (let w = 0; w < words; w++) {
			const v = (out[w] as number) & (bits[at + w] as number);
			out[w] = v;
			any |= v;
		}
		if (any === 0) break;
	}
	return out;
}

/** The first block at or after `from` that is set in `blocks`, or -1. */
export function nextBlock(blocks: Uint32Array, from: number): number {
	let w = from >>> 5;
	if (w >= blocks.length) return -1;
	let v = (blocks[w] as number) & (0xffffffff << (from & 31));
	for (;;) {
		if (v !== 0) return (w << 5) + (31 - Math.clz32(v & -v));
		if (++w >= blocks.length) return -1;
		v = blocks[w] as number;
	}
}
