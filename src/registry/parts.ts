/**
 * A load's entries checked on more than one thread: the file is split once, then every thread
 * takes blocks of entries from one shared counter until none is left, checks each entry and
 * writes the valid ones into an arena of its own. The outcomes are then told in file order to
 * one Tally (entries.ts), exactly as a load on one thread tells them as it goes: the same
 * report, the same duplicates refused, the same entries kept.
 *
 * What a helper thread found crosses to the one that merges as a few buffers and one string
 * (structured clone of 25,000 small objects costs more than checking them).
 */
import { collectGarbage } from "../runtime.ts";
import { ArenaWriter, type Kept } from "./arena.ts";
import { checkEntry, type Tally } from "./entries.ts";
import type { EntryProblem } from "./report.ts";
import type { FieldProblem } from "./schema.ts";
import type { ItemSource, Shape } from "./shapes.ts";
import { DOC_FIELDS, type EntrySink } from "./split.ts";
import type { Timestamp } from "./time.ts";

/** Entries a thread takes at a time. */
export const BLOCK = 256;

/** What one thread found of the entries it took. */
export interface Part {
	/** The valid entries, in the order checked, with the index of each in the file. */
	kept: Kept[];
	index: number[];
	/** Warnings of valid entries, by index in the file. */
	advice: Map<number, FieldProblem[]>;
	/** The problems of invalid entries, by index in the file. */
	invalid: Map<number, EntryProblem[]>;
	arena: Uint8Array[];
	search: Uint8Array[];
}

/** A young collection every this many bytes of entries parsed (see entries.ts). */
const GC_BYTES = 512 << 10;

/** The next block of entries to check, [from, to), or undefined when there are none left. */
export type Claim = () => { from: number; to: number } | undefined;

/**
 * Checks blocks of the source's entries, as `claim` hands them out, until there are none left;
 * `between` runs after each block (other work of the thread, a slice at a time). `expected`:
 * about how many arena bytes this thread writes.
 */
export function checkPart(
	source: ItemSource,
	claim: Claim,
	fallback: Timestamp,
	expected: number,
	between?: () => void,
): Part {
	const writer = new ArenaWriter(expected);
	const part: Part = { kept: [], index: [], advice: new Map(), invalid: new Map(), arena: [], search: [] };
	let parsed = 0;
	for (let block = claim(); block; block = claim()) {
		const { from, to } = block;
		between?.();
		for (let i = from; i < to; i++) {
			parsed += source.size?.(i) ?? 0;
			if (parsed >= GC_BYTES) {
				collectGarbage(false);
				parsed = 0;
			}
			const outcome = checkEntry(source, i, fallback, true);
			const { entry } = outcome;
			if (!entry) {
				part.invalid.set(i, outcome.problems);
				continue;
			}
			part.kept.push(writer.write(entry));
			part.index.push(i);
			if (entry.advice.length > 0) part.advice.set(i, entry.advice);
		}
	}
	const { arena, search } = writer.done();
	part.arena = arena;
	part.search = search;
	return part;
}

type NameVersion = { name: string; version: string };

/** List order: by name, then version. */
export const byNameVersion = (a: NameVersion, b: NameVersion): number =>
	a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : a.version > b.version ? 1 : 0;

/** Sorts a part's kept entries in list order (each thread its own, side by side). */
export function sortPart(part: Part): void {
	const { kept, index } = part;
	const order = kept.map((_, j) => j).sort((a, b) => byNameVersion(kept[a] as Kept, kept[b] as Kept));
	part.kept = order.map((j) => kept[j] as Kept);
	part.index = order.map((j) => index[j] as number);
}

/**
 * Tells every entry of `count` to `tally` in file order, from the parts that checked them
 * (each sorted: sortPart); the entries kept, in list order, their chunks numbered as in the
 * parts' arenas one after the other.
 */
export function mergeParts(
	parts: readonly Part[],
	count: number,
	tally: Tally,
): { kept: Kept[]; arena: Uint8Array[]; search: Uint8Array[] } {
	const owner = new Int8Array(count).fill(-1);
	const at = new Int32Array(count);
	const arena: Uint8Array[] = [];
	const search: Uint8Array[] = [];
	parts.forEach((p, k) => {
		const chunkBase = arena.length;
		const searchBase = search.length;
		arena.push(...p.arena);
		search.push(...p.search);
		for (let j = 0; j < p.index.length; j++) {
			const i = p.index[j] as number;
			owner[i] = k;
			at[i] = j;
			if (k > 0) {
				const e = p.kept[j] as Kept;
				e.chunk += chunkBase;
				e.searchChunk += searchBase;
			}
		}
	});
	// Told in file order; what the tally refuses (a second (name, version)) is left out.
	const refused = parts.map((p) => new Uint8Array(p.kept.length));
	const none: FieldProblem[] = [];
	for (let i = 0; i < count; i++) {
		const k = owner[i] as number;
		if (k < 0) {
			const problems = parts.find((p) => p.invalid.has(i))?.invalid.get(i);
			if (!problems) throw new Error(`entry ${i} was not checked`);
			tally.invalid(problems);
			continue;
		}
		const p = parts[k] as Part;
		const j = at[i] as number;
		const e = p.kept[j] as Kept;
		if (!tally.valid(i, e.name, e.version, p.advice.get(i) ?? none)) (refused[k] as Uint8Array)[j] = 1;
	}
	// The parts' sorted lists merged (no two kept entries are equal: the tally saw to it).
	const lists = parts.map((p, k) => p.kept.filter((_, j) => (refused[k] as Uint8Array)[j] === 0));
	let kept = lists[0] ?? [];
	for (let k = 1; k < lists.length; k++) kept = mergeSorted(kept, lists[k] as Kept[]);
	return { kept, arena, search };
}

function mergeSorted(a: Kept[], b: Kept[]): Kept[] {
	const out: Kept[] = new Array(a.length + b.length);
	let i = 0;
	let j = 0;
	let k = 0;
	while (i < a.length && j < b.length) {
		out[k++] = byNameVersion(a[i] as Kept, b[j] as Kept) <= 0 ? (a[i++] as Kept) : (b[j++] as Kept);
	}
	while (i < a.length) out[k++] = a[i++] as Kept;
	while (j < b.length) out[k++] = b[j++] as Kept;
	return out;
}

/** Numbers per kept entry in a PartMessage. */
const NUMS = 10;

/** A Part as it crosses from a Worker: buffers to transfer, one string, the few problems. */
export interface PartMessage {
	nums: Uint32Array;
	/** name, version, published, updated of each kept entry, as a JSON array. */
	text: string;
	advice: [number, FieldProblem[]][];
	invalid: [number, EntryProblem[]][];
	arena: Uint8Array[];
	search: Uint8Array[];
}

export function partMessage(part: Part): { message: PartMessage; transfer: ArrayBuffer[] } {
	const n = part.kept.length;
	const nums = new Uint32Array(NUMS * n);
	const strings: string[] = [];
	for (let j = 0; j < n; j++) {
		const e = part.kept[j] as Kept;
		const at = NUMS * j;
		nums[at] = part.index[j] as number;
		nums[at + 1] = e.status;
		nums[at + 2] = e.flaggedLatest === undefined ? 2 : e.flaggedLatest ? 1 : 0;
		nums[at + 3] = e.chunk;
		nums[at + 4] = e.start;
		nums[at + 5] = e.end;
		nums[at + 6] = e.latestAt;
		nums[at + 7] = e.searchChunk;
		nums[at + 8] = e.searchStart;
		nums[at + 9] = e.searchEnd;
		strings.push(e.name, e.version, e.published, e.updated);
	}
	const message: PartMessage = {
		nums,
		text: JSON.stringify(strings),
		advice: [...part.advice],
		invalid: [...part.invalid],
		arena: part.arena,
		search: part.search,
	};
	const transfer = [nums, ...part.arena, ...part.search].map((b) => b.buffer as ArrayBuffer);
	return { message, transfer: [...new Set(transfer)] };
}

export function partOfMessage(m: PartMessage): Part {
	const strings = JSON.parse(m.text) as string[];
	const n = strings.length / 4;
	const kept: Kept[] = [];
	const index: number[] = [];
	const { nums } = m;
	for (let j = 0; j < n; j++) {
		const at = NUMS * j;
		const flagged = nums[at + 2];
		index.push(nums[at] as number);
		kept.push({
			name: strings[4 * j] as string,
			version: strings[4 * j + 1] as string,
			published: strings[4 * j + 2] as string,
			updated: strings[4 * j + 3] as string,
			status: nums[at + 1] as number,
			flaggedLatest: flagged === 2 ? undefined : flagged === 1,
			chunk: nums[at + 3] as number,
			start: nums[at + 4] as number,
			end: nums[at + 5] as number,
			latestAt: nums[at + 6] as number,
			searchChunk: nums[at + 7] as number,
			searchStart: nums[at + 8] as number,
			searchEnd: nums[at + 9] as number,
		});
	}
	return {
		kept,
		index,
		advice: new Map(m.advice),
		invalid: new Map(m.invalid),
		arena: m.arena,
		search: m.search,
	};
}

/** Slots of a pipeline's control array. */
const NEXT = 0;
const PUBLISHED = 1;
const TOTAL = 2;
const SHAPE = 3;
const SHAPES: Shape[] = ["seed", "api", "fork"];
/** TOTAL before the split is done, and once it failed. */
const SPLITTING = -1;
const FAILED = -2;

/** What a helper thread needs to join a pipeline: shared memory only. */
export interface PipelineShare {
	control: Int32Array;
	ranges: SharedArrayBuffer;
	docs: SharedArrayBuffer;
}

/** A SharedArrayBuffer of `bytes` that grows up to what 32-bit offsets address. */
function growable(bytes: number): SharedArrayBuffer {
	return new SharedArrayBuffer(bytes, { maxByteLength: 2 ** 32 - 8 } as unknown as undefined);
}

function grow(buffer: SharedArrayBuffer, atLeast: number): void {
	const g = buffer as unknown as { grow(n: number): void; byteLength: number; maxByteLength: number };
	if (g.byteLength < atLeast) g.grow(Math.min(g.maxByteLength, Math.max(atLeast, 2 * g.byteLength)));
}

/**
 * Blocks of entries handed out while the file is still being split: the thread that splits it
 * publishes the entries (their ranges, where their documents are: SplitFile's numbers) a block at
 * a time in shared memory, others check the blocks as they come, and the splitting thread joins
 * them once it is done.
 */
export class Pipeline {
	readonly control: Int32Array;
	private readonly buffers: { ranges: SharedArrayBuffer; docs: SharedArrayBuffer };
	/** Over all of their buffers, however much those have grown (length-tracking views). */
	readonly ranges: Uint32Array;
	readonly docs: Int32Array;
	private count = 0;

	constructor(share?: PipelineShare) {
		this.control = share?.control ?? new Int32Array(new SharedArrayBuffer(16));
		if (!share) {
			this.control[TOTAL] = SPLITTING;
			this.control[SHAPE] = -1;
		}
		this.buffers = share ?? { ranges: growable(8 * BLOCK), docs: growable(4 * DOC_FIELDS * BLOCK) };
		this.ranges = new Uint32Array(this.buffers.ranges);
		this.docs = new Int32Array(this.buffers.docs);
	}

	share(): PipelineShare {
		return { control: this.control, ...this.buffers };
	}

	/** The split's side: entries added, published a block at a time once the shape is known. */
	sink(): EntrySink {
		const { ranges, docs, buffers } = this;
		const self = this;
		return {
			get ranges() {
				return ranges.subarray(0, 2 * self.count);
			},
			get docs() {
				return docs.subarray(0, DOC_FIELDS * self.count);
			},
			add: (start, end, doc) => {
				const n = this.count;
				grow(buffers.ranges, 8 * (n + 1));
				grow(buffers.docs, 4 * DOC_FIELDS * (n + 1));
				ranges[2 * n] = start;
				ranges[2 * n + 1] = end;
				for (let k = 0; k < DOC_FIELDS; k++) docs[DOC_FIELDS * n + k] = doc[k] as number;
				this.count = n + 1;
				if ((n + 1) % BLOCK === 0 && this.control[SHAPE] !== -1) this.publish(n + 1);
			},
		};
	}

	/** The shape of the file's entries, once the first of them tell it: blocks can go out. */
	setShape(shape: Shape): void {
		Atomics.store(this.control, SHAPE, SHAPES.indexOf(shape));
		this.publish(this.count - (this.count % BLOCK));
	}

	hasShape(): boolean {
		return Atomics.load(this.control, SHAPE) !== -1;
	}

	shape(): Shape {
		return SHAPES[Atomics.load(this.control, SHAPE)] ?? "api";
	}

	private publish(n: number): void {
		Atomics.store(this.control, PUBLISHED, n);
		Atomics.notify(this.control, PUBLISHED);
	}

	/** The split is done: `total` entries (the shape is set by now). */
	done(total: number): void {
		Atomics.store(this.control, TOTAL, total);
		this.publish(total);
	}

	/** The split failed: nothing more is handed out. */
	fail(): void {
		Atomics.store(this.control, TOTAL, FAILED);
		Atomics.notify(this.control, PUBLISHED);
	}

	/**
	 * The next block, waiting until the split has published it (a helper thread), or undefined
	 * when there are no more.
	 */
	claim: Claim = () => {
		const from = Atomics.add(this.control, NEXT, 1) * BLOCK;
		for (;;) {
			const published = Atomics.load(this.control, PUBLISHED);
			const total = Atomics.load(this.control, TOTAL);
			if (total === FAILED || (total >= 0 && from >= total)) return undefined;
			if (published >= from + BLOCK || (total >= 0 && published >= total)) {
				return { from, to: Math.min(from + BLOCK, total >= 0 ? total : from + BLOCK) };
			}
			Atomics.wait(this.control, PUBLISHED, published, 100);
		}
	};
}
