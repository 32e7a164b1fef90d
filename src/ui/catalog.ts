/**
 * What the browse page asks of a snapshot, answered with the snapshot's own functions: its
 * `list` gives the latest version of every server (with its search, its status rule for deleted
 * entries and its order); here those lists are kept per snapshot, and narrowed by the filters
 * the API has no parameter for (package type, transport, one status).
 *
 * A server's package types and transports (its facets) are read from its served JSON the first
 * time a filter needs them, then kept as bits per entry; a snapshot's first browse request also
 * starts reading them all in the background, in slices of a few milliseconds, so that the first
 * filtered page does not pay for it.
 */
import { searchTerm as apiSearchTerm, decodeCursor, encodeCursor, positionOf } from "../http/params.ts";
import { type Snapshot, STATUSES } from "../registry/snapshot.ts";
import { PAGE_SIZE } from "./constants.ts";
import type { ServerDoc } from "./server-json.ts";

const TYPE_BITS: Record<string, number> = { npm: 1, pypi: 2, oci: 4, nuget: 8, mcpb: 16 };
const OTHER_TYPE = 32;
const TRANSPORT_BITS: Record<string, number> = { stdio: 64, "streamable-http": 128, sse: 256 };
const OTHER_TRANSPORT = 512;
/** Set once an entry's facets are read (an entry with none still has this bit). */
const READ = 1 << 15;

/** The facet bits of a server: its packages' registry types, and every transport it offers. */
export function facetsOf(server: ServerDoc): number {
	let bits = READ;
	for (const p of server.packages) {
		bits |= TYPE_BITS[p.registryType] ?? OTHER_TYPE;
		bits |= TRANSPORT_BITS[p.transport.type] ?? OTHER_TRANSPORT;
	}
	for (const r of server.remotes) bits |= TRANSPORT_BITS[r.type] ?? OTHER_TRANSPORT;
	return bits;
}

const decoder = new TextDecoder();

type Loose = { [key: string]: Loose | undefined } | undefined;

/** facetsOf an entry's served JSON, reading only the fields it needs (a few µs an entry). */
export function facetsOfEntry(bytes: Uint8Array): number {
	const server = (JSON.parse(decoder.decode(bytes)) as Loose)?.server;
	let bits = READ;
	const packages = server?.packages;
	if (Array.isArray(packages)) {
		for (const p of packages as Loose[]) {
			const type = p?.registryType;
			bits |= (typeof type === "string" && TYPE_BITS[type]) || OTHER_TYPE;
			const transport = p?.transport?.type;
			bits |=
				(typeof transport === "string" && TRANSPORT_BITS[transport]) ||
				((transport === undefined ? TRANSPORT_BITS.stdio : OTHER_TRANSPORT) as number);
		}
	}
	const remotes = server?.remotes;
	if (Array.isArray(remotes)) {
		for (const r of remotes as Loose[]) {
			const type = r?.type;
			bits |= (typeof type === "string" && TRANSPORT_BITS[type]) || OTHER_TRANSPORT;
		}
	}
	return bits;
}

/** The browse page's query, as its URL gives it. */
export interface BrowseQuery {
	/** The search box, as typed (trimmed). */
	q: string;
	/** A registry type of PACKAGE_TYPES, or "". */
	type: string;
	/** A transport of TRANSPORTS, or "". */
	transport: string;
	/** "" (active and deprecated), "active", "deprecated", "deleted" or "all". */
	status: string;
	cursor?: string;
}

export interface BrowseResult {
	/** How many servers match: all of them, or (`exact` false) at least this many. */
	total: number;
	/** Whether `total` is the count of all that match (a broad search is counted up to a bound). */
	exact: boolean;
	/** This page's entries. */
	items: number[];
	/** Position of the first item among all that match (0-based); undefined past a search's bound. */
	start?: number;
	/** The cursor of the page before ("" for the first page); undefined on the first page, or unknown. */
	prev?: string;
	next?: string;
	/** A cursor was given that names no entry of this snapshot (the page is still answered). */
	strayCursor: boolean;
}

/** The search term as the snapshot's list takes it (as the API's search parameter). */
export function searchTerm(q: string): string | undefined {
	return apiSearchTerm(q) || undefined;
}

/** Lists kept per search term, besides the unfiltered ones. */
const MAX_SEARCHES = 16;
/** Entries read per slice of the background reading of facets. */
const WARM_SLICE = 400;
/**
 * A search lists at most this many servers before a page is made: a term that matches nearly
 * everything ("git" in every io.github name) costs a bounded walk, not one over every entry, and
 * its count reads "1,000+". Past the bound, pages go on from their cursor.
 */
export const SEARCH_BOUND = 1000;
/** Servers listed at first past the bound (then twice as many each time). */
const CHUNK = 200;
/**
 * Past the bound, a page lists at most this many times the bound more servers looking for its
 * matches (a filter that keeps few of a broad search's); a page that found fewer says so and
 * links to the rest.
 */
const WALK = 4;

/** The latest entries of a query, in list order; `complete` false when more follow the last. */
export interface Listed {
	items: Int32Array;
	complete: boolean;
}

/** What matches a browse query, as far as it is listed. */
export interface Matching extends Listed {
	/** The last entry listed before the filters (-1: none): where a list past the bound goes on from. */
	last: number;
}

export class Catalog {
	private readonly facets: Uint16Array;
	/** The latest entries (deleted too when the key says so), per search term. */
	private readonly lists = new Map<string, Listed>();
	private warming = false;

	constructor(
		readonly snapshot: Snapshot,
		private readonly bound = SEARCH_BOUND,
	) {
		this.facets = new Uint16Array(snapshot.count);
	}

	/**
	 * The latest version of every server that `search` matches (every server without one), by the
	 * snapshot's rules and order; for a search, the first `bound` of them.
	 */
	latest(search: string | undefined, includeDeleted: boolean): Listed {
		const key = `${includeDeleted ? 1 : 0}${search ?? ""}`;
		let listed = this.lists.get(key);
		if (listed) {
			if (search !== undefined) {
				// Most recently used last: the oldest search goes first.
				this.lists.delete(key);
				this.lists.set(key, listed);
			}
			return listed;
		}
		const limit = search === undefined ? Number.MAX_SAFE_INTEGER : this.bound;
		const r = this.snapshot.list({ limit, version: "latest", search, includeDeleted });
		listed = { items: Int32Array.from(r.items), complete: !r.more };
		if (search !== undefined) {
			let searches = 0;
			for (const k of this.lists.keys()) if (k.length > 1) searches++;
			if (searches >= MAX_SEARCHES) {
				for (const k of this.lists.keys()) {
					if (k.length > 1) {
						this.lists.delete(k);
						break;
					}
				}
			}
		}
		this.lists.set(key, listed);
		return listed;
	}

	/** The facet bits of entry `i`, read from its JSON on first use. */
	facet(i: number): number {
		let f = this.facets[i] as number;
		if (f === 0) {
			try {
				f = facetsOfEntry(this.snapshot.entry(i));
			} catch {
				f = READ;
			}
			this.facets[i] = f;
		}
		return f;
	}

	/** Reads every latest entry's facets in the background (once), a slice per timer turn. */
	warm(): void {
		if (this.warming) return;
		this.warming = true;
		let items: Int32Array | undefined;
		let at = 0;
		const step = () => {
			// Listed on the first turn, not on the request that made the catalog.
			items ??= this.latest(undefined, true).items;
			const end = Math.min(items.length, at + WARM_SLICE);
			for (; at < end; at++) this.facet(items[at] as number);
			if (at < items.length) setTimeout(step, 0);
		};
		setTimeout(step, 0);
	}

	/** What the filters the API has no parameter for keep of `items` (status, package type, transport). */
	private filter(q: BrowseQuery, items: Int32Array): Int32Array {
		const want = STATUSES.indexOf(q.status as (typeof STATUSES)[number]);
		const typeBit = TYPE_BITS[q.type] ?? 0;
		const transportBit = TRANSPORT_BITS[q.transport] ?? 0;
		if (want < 0 && typeBit === 0 && transportBit === 0) return items;
		const status = this.snapshot.index.status;
		const out = new Int32Array(items.length);
		let n = 0;
		for (let k = 0; k < items.length; k++) {
			const i = items[k] as number;
			if (want >= 0 && status[i] !== want) continue;
			if (typeBit !== 0 || transportBit !== 0) {
				const f = this.facet(i);
				if (typeBit !== 0 && (f & typeBit) === 0) continue;
				if (transportBit !== 0 && (f & transportBit) === 0) continue;
			}
			out[n++] = i;
		}
		return out.subarray(0, n);
	}

	/** The servers that match `q` as far as they are listed, in list order, and whether that is all. */
	matching(q: BrowseQuery): Matching {
		const listed = this.latest(searchTerm(q.q), q.status === "deleted" || q.status === "all");
		const last = listed.items.length > 0 ? (listed.items[listed.items.length - 1] as number) : -1;
		return { items: this.filter(q, listed.items), complete: listed.complete, last };
	}

	/**
	 * Up to `want` more matches of `q` strictly after entry `from` (a search past its bound), listed
	 * by the snapshot a chunk at a time; `complete` once the list has no more.
	 */
	private more(q: BrowseQuery, from: number, want: number): Listed & { last: number } {
		const { names, versions } = this.snapshot.index;
		const search = searchTerm(q.q);
		const includeDeleted = q.status === "deleted" || q.status === "all";
		const out: number[] = [];
		let after = from;
		let walked = 0;
		const budget = WALK * this.bound;
		for (let chunk = Math.min(CHUNK, this.bound); ; chunk *= 2) {
			const r = this.snapshot.list({
				limit: Math.max(1, Math.min(chunk, budget - walked)),
				after: { name: names[after] as string, version: versions[after] as string },
				version: "latest",
				search,
				includeDeleted,
			});
			for (const i of this.filter(q, Int32Array.from(r.items))) out.push(i);
			if (r.items.length > 0) after = r.items[r.items.length - 1] as number;
			walked += r.items.length;
			if (!r.more) return { items: Int32Array.from(out), complete: true, last: after };
			if (out.length >= want || walked >= budget)
				return { items: Int32Array.from(out), complete: false, last: after };
		}
	}

	/**
	 * One page of `q`: the API's cursors (strictly after an entry), with how many match (every
	 * one, or for a broad search, how many at least).
	 */
	page(q: BrowseQuery, size = PAGE_SIZE): BrowseResult {
		const listed = this.matching(q);
		const { names, versions } = this.snapshot.index;
		let all = listed.items;
		let complete = listed.complete;
		let start: number | undefined = 0;
		let strayCursor = false;
		/** The entry the page's list goes on from, past a search's bound. */
		let from = -1;
		if (q.cursor !== undefined) {
			const position = positionOf(decodeCursor(q.cursor));
			const after = this.snapshot.firstAfter(position);
			const at = after - 1;
			strayCursor = !this.snapshot.isEntryAt(at, position);
			if (!complete && after > listed.last) {
				// Past what the bound listed: this page goes on from the cursor, its place unknown.
				start = undefined;
				all = new Int32Array(0);
				from = at;
			} else {
				// The first matching entry at or after `after` (the list is in index order).
				let lo = 0;
				let hi = all.length;
				while (lo < hi) {
					const mid = (lo + hi) >>> 1;
					if ((all[mid] as number) < after) lo = mid + 1;
					else hi = mid;
				}
				start = lo;
			}
		}
		const offset = start ?? 0;
		/** Where a page short of matches past the bound goes on from (the last entry it looked at). */
		let resume = -1;
		if (!complete && all.length < offset + size + 1) {
			// A broad search whose page reaches past its bound: list on from the last one listed.
			if (from < 0) from = listed.last;
			const more = this.more(q, from, offset + size + 1 - all.length);
			const joined = new Int32Array(all.length + more.items.length);
			joined.set(all, 0);
			joined.set(more.items, all.length);
			all = joined;
			complete = more.complete;
			resume = more.last;
		}
		const end = Math.min(all.length, offset + size);
		const cursorOf = (i: number) => encodeCursor(names[i] as string, versions[i] as string);
		const result: BrowseResult = {
			total: start === undefined ? 0 : all.length,
			exact: complete && start !== undefined,
			items: Array.from(all.subarray(offset, end)),
			strayCursor,
		};
		if (start !== undefined) {
			result.start = start;
			if (start > 0) {
				const first = Math.max(0, start - size);
				result.prev = first === 0 ? "" : cursorOf(all[first - 1] as number);
			}
		}
		if (end < all.length) result.next = cursorOf(all[end - 1] as number);
		else if (!complete) result.next = cursorOf(resume >= 0 ? resume : (all[end - 1] as number));
		return result;
	}
}

const catalogs = new WeakMap<Snapshot, Catalog>();

/** The catalog of a snapshot, made on first use (and its facets read in the background then). */
export function catalogOf(snapshot: Snapshot): Catalog {
	let c = catalogs.get(snapshot);
	if (!c) {
		c = new Catalog(snapshot);
		catalogs.set(snapshot, c);
		c.warm();
	}
	return c;
}
