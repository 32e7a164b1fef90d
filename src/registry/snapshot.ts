/**
 * One loaded registry, immutable. Entries are sorted by (name, version), each already
 * serialised; a query is a binary search plus a short forward walk, never a pass over all
 * entries unless a filter matches almost nothing.
 */
import { emptyReport, type LoadReport } from "./report.ts";
import { buildSearchIndex, candidateBlocks, nextBlock, type SearchIndex } from "./search-index.ts";
import type { Shape } from "./shapes.ts";

export const STATUSES = ["active", "deprecated", "deleted"] as const;
export type Status = (typeof STATUSES)[number];
export const STATUS_DELETED = 2;

/** What queries read: plain arrays and typed arrays, entry i of each in list order. */
export interface SnapshotIndex {
	count: number;
	nameCount: number;
	/**
	 * Every entry's ServerResponse JSON, UTF-8, in chunks of a few MiB: entry i is
	 * arena[chunkOf[i]][spans[2i]..spans[2i+1]).
	 */
	arena: Uint8Array[];
	chunkOf: Uint16Array;
	spans: Uint32Array;
	names: string[];
	versions: string[];
	/** Index into STATUSES. */
	status: Uint8Array;
	latest: Uint8Array;
	/** Timestamp keys (fixed-width UTC), comparable as strings. */
	updated: string[];
	published: string[];
	/**
	 * Lower-cased `name \0 description` of every entry, each followed by \u0001, as UTF-8 in one
	 * buffer: one byte search finds the next match; searchOffsets[i] is where entry i starts.
	 */
	searchBlob: Uint8Array;
	searchOffsets: Uint32Array;
	/** Which blocks of entries can hold a term (search-index.ts). */
	searchIndex: SearchIndex;
}

/** Where the data came from and what its load found: for /health, /metrics and the log. */
export interface Provenance {
	source: string;
	shape: Shape;
	contentHash: string;
	/** The bytes' MD5 hex: the ETag S3 gives a single-part object of the same bytes. */
	md5: string;
	fileBytes: number;
	loadedAt: string;
	report: LoadReport;
}

/**
 * A load's result: built in a Worker or on this thread, it crosses to the serving thread by
 * structured clone with the index's buffers transferred (see transferList).
 */
export interface SnapshotData {
	index: SnapshotIndex;
	provenance: Provenance;
}

/** The buffers to transfer when posting snapshot data from a Worker: the bulk of it, uncopied. */
export function transferList({ index }: SnapshotData): ArrayBuffer[] {
	const views = [
		...index.arena,
		index.chunkOf,
		index.spans,
		index.status,
		index.latest,
		index.searchBlob,
		index.searchOffsets,
		index.searchIndex.bits,
	];
	return [...new Set(views.map((view) => view.buffer as ArrayBuffer))];
}

/** "Strictly after this (name, version)"; without a version: after every version of the name. */
export interface Position {
	name: string;
	version?: string;
}

export interface ListQuery {
	limit: number;
	after?: Position;
	/** Lower-cased search term; empty or undefined: no filter. */
	search?: string;
	/** "latest" or an exact version. */
	version?: string;
	/** A timestamp key (see time.ts): keep entries updated strictly after it. */
	updatedSince?: string;
	includeDeleted: boolean;
}

export interface ListResult {
	items: number[];
	/** More matching entries follow the last item. */
	more: boolean;
}

let serials = 0;

export class Snapshot {
	readonly index: SnapshotIndex;
	readonly provenance: Provenance;
	/** Unique per Snapshot of this process: what holds answers for one can tell without holding it. */
	readonly serial = ++serials;
	/** name → [first, end) range of its entries in list order. */
	private readonly byName = new Map<string, [number, number]>();

	/** The search blob as a Buffer view (for its fast byte search). */
	private readonly searchBytes: Buffer;

	constructor(data: SnapshotData) {
		this.index = data.index;
		this.provenance = data.provenance;
		const blob = data.index.searchBlob;
		this.searchBytes = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
		const { names } = data.index;
		let start = 0;
		for (let i = 1; i <= names.length; i++) {
			if (i === names.length || names[i] !== names[start]) {
				this.byName.set(names[start] as string, [start, i]);
				start = i;
			}
		}
	}

	get count(): number {
		return this.index.count;
	}

	entry(i: number): Uint8Array {
		const { arena, chunkOf, spans } = this.index;
		return (arena[chunkOf[i] as number] as Uint8Array).subarray(spans[2 * i], spans[2 * i + 1]);
	}

	/** Whether entry `i` is at `p`: its name, and its version when `p` has one. */
	isEntryAt(i: number, p: Position): boolean {
		const { names, versions } = this.index;
		return i >= 0 && names[i] === p.name && (p.version === undefined || versions[i] === p.version);
	}

	/** Index of the first entry strictly after `p` in list order. */
	firstAfter(p: Position): number {
		const { names, versions } = this.index;
		let lo = 0;
		let hi = names.length;
		while (lo < hi) {
			const mid = (lo + hi) >>> 1;
			const n = names[mid] as string;
			const after =
				n > p.name || (n === p.name && p.version !== undefined && (versions[mid] as string) > p.version);
			if (after) hi = mid;
			else lo = mid + 1;
		}
		return lo;
	}

	private matches(i: number, q: ListQuery): boolean {
		const d = this.index;
		if (!q.includeDeleted && d.status[i] === STATUS_DELETED) return false;
		if (q.version !== undefined) {
			if (q.version === "latest" ? d.latest[i] !== 1 : d.versions[i] !== q.version) return false;
		}
		if (q.updatedSince !== undefined && !((d.updated[i] as string) > q.updatedSince)) return false;
		return true;
	}

	list(q: ListQuery): ListResult {
		const n = this.index.count;
		const items: number[] = [];
		let i = q.after ? this.firstAfter(q.after) : 0;
		// The blob's separators are in no name or description: a term holding one matches nothing
		// (searched for, it would match every entry, or across two of them).
		if (q.search?.includes("\u0000") || q.search?.includes("\u0001")) return { items, more: false };
		if (q.search) {
			// Walk the matches of the term in the search blob, from the first candidate on, in the
			// blocks of entries that can hold it (runs of them searched as one).
			const { searchOffsets, searchIndex } = this.index;
			const needle = Buffer.from(q.search, "utf8");
			const blocks = candidateBlocks(searchIndex, needle);
			const size = searchIndex.blockSize;
			while (i < n) {
				let end = n;
				if (blocks) {
					const first = nextBlock(blocks, Math.floor(i / size));
					if (first < 0) break;
					i = Math.max(i, first * size);
					let last = first + 1;
					while (nextBlock(blocks, last) === last) last++;
					end = Math.min(n, last * size);
				}
				const hay = end === n ? this.searchBytes : this.searchBytes.subarray(0, searchOffsets[end]);
				while (i < end) {
					const at = hay.indexOf(needle, searchOffsets[i]);
					if (at < 0) {
						i = end;
						break;
					}
					i = this.entryAt(at, i);
					if (this.matches(i, q)) {
						if (items.length === q.limit) return { items, more: true };
						items.push(i);
					}
					i++;
				}
			}
			return { items, more: false };
		}
		for (; i < n; i++) {
			if (!this.matches(i, q)) continue;
			if (items.length === q.limit) return { items, more: true };
			items.push(i);
		}
		return { items, more: false };
	}

	/** The entry whose search text holds blob position `at` (at or after entry `from`). */
	private entryAt(at: number, from: number): number {
		const offsets = this.index.searchOffsets;
		let lo = from;
		let hi = this.index.count - 1;
		while (lo < hi) {
			const mid = (lo + hi + 1) >>> 1;
			if ((offsets[mid] as number) <= at) lo = mid;
			else hi = mid - 1;
		}
		return lo;
	}

	/** All versions of a name, newest publish first; undefined when none is visible. */
	versions(name: string, includeDeleted: boolean): number[] | undefined {
		const range = this.byName.get(name);
		if (!range) return undefined;
		const { status, published, versions } = this.index;
		const out: number[] = [];
		for (let i = range[0]; i < range[1]; i++) if (includeDeleted || status[i] !== STATUS_DELETED) out.push(i);
		if (out.length === 0) return undefined;
		return out.sort((a, b) => {
			const pa = published[a] as string;
			const pb = published[b] as string;
			if (pa !== pb) return pa > pb ? -1 : 1;
			return (versions[a] as string) > (versions[b] as string) ? -1 : 1;
		});
	}

	/** One version of a name (`latest`: the version marked latest). */
	find(name: string, version: string, includeDeleted: boolean): number | undefined {
		const range = this.byName.get(name);
		if (!range) return undefined;
		const d = this.index;
		for (let i = range[0]; i < range[1]; i++) {
			if (version === "latest" ? d.latest[i] === 1 : d.versions[i] === version) {
				return includeDeleted || d.status[i] !== STATUS_DELETED ? i : undefined;
			}
		}
		return undefined;
	}
}

/** An empty registry: what is served before any file exists. */
export function emptySnapshotData(source: string): SnapshotData {
	return {
		index: {
			count: 0,
			nameCount: 0,
			arena: [],
			chunkOf: new Uint16Array(0),
			spans: new Uint32Array(0),
			names: [],
			versions: [],
			status: new Uint8Array(0),
			latest: new Uint8Array(0),
			updated: [],
			published: [],
			searchBlob: new Uint8Array(0),
			searchOffsets: new Uint32Array(1),
			searchIndex: buildSearchIndex(new Uint8Array(0), new Uint32Array(1), 0),
		},
		provenance: {
			source,
			shape: "api",
			contentHash: "",
			md5: "",
			fileBytes: 0,
			loadedAt: new Date().toISOString(),
			report: emptyReport(source, "api"),
		},
	};
}
