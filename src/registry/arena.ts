/**
 * The bytes a snapshot serves: every entry's ServerResponse JSON (`{"server":…,"_meta":…}`)
 * written once into a few large buffers, the arena, and the lower-cased search text of every
 * entry into another, the search blob. Requests answer with slices of these; nothing is serialised per
 * request, and the serving thread never parses JSON.
 */
import { type Entry, OFFICIAL } from "./official.ts";
import type { Steps } from "./pace.ts";
import { buildSearchIndex, type SearchIndex } from "./search-index.ts";
import { STATUSES } from "./snapshot.ts";

const encoder = new TextEncoder();
const SERVER_OPEN = encoder.encode('{"server":');
const META_OPEN = encoder.encode(',"_meta":');
const TRUE_ = encoder.encode("true ");
const FALSE_CLOSE = encoder.encode("false}}}");
const OFFICIAL_OPEN = `{${JSON.stringify(OFFICIAL)}:{"status":"`;

/**
 * The common `_meta`, `{"…/official":{…,"isLatest":` up to its isLatest value, written as
 * metaJson would write it (the same keys in the same order) without building an object to
 * serialise; undefined when the entry has other `_meta` keys or extra official fields.
 */
function metaHead(e: Entry): string | undefined {
	if (e.meta) {
		for (const k in e.meta) if (k !== OFFICIAL) return undefined;
	}
	for (const _ in e.officialExtra) return undefined;
	const message = e.statusMessage === undefined ? "" : `,"statusMessage":${JSON.stringify(e.statusMessage)}`;
	return `${OFFICIAL_OPEN}${STATUSES[e.status]}"${message},"statusChangedAt":"${e.statusChangedAt.iso}","publishedAt":"${e.publishedAt.iso}","updatedAt":"${e.updatedAt.iso}","isLatest":`;
}

/**
 * The entry's `_meta` object as JSON (the official metadata in place, other keys kept), with
 * isLatest `false` for now, and the character offset of that `false`: `true ` (five bytes too)
 * is patched in once the latest versions are known.
 */
function metaJson(e: Entry): { json: string; latestAt: number } {
	const official: Record<string, unknown> = { status: STATUSES[e.status] };
	if (e.statusMessage !== undefined) official.statusMessage = e.statusMessage;
	official.statusChangedAt = e.statusChangedAt.iso;
	official.publishedAt = e.publishedAt.iso;
	official.updatedAt = e.updatedAt.iso;
	official.isLatest = false;
	Object.assign(official, e.officialExtra);
	const officialJson = JSON.stringify(official);
	// isLatest precedes the extra keys, and no string value can hold an unescaped quote.
	const inOfficial = officialJson.indexOf('"isLatest":false') + '"isLatest":'.length;
	const parts: string[] = [];
	let latestAt = -1;
	let at = 1; // after "{"
	const keys = e.meta ? Object.keys(e.meta) : [];
	if (!keys.includes(OFFICIAL)) keys.push(OFFICIAL);
	for (const k of keys) {
		const head = `${JSON.stringify(k)}:`;
		const value = k === OFFICIAL ? officialJson : JSON.stringify(e.meta?.[k]);
		if (k === OFFICIAL) latestAt = at + head.length + inOfficial;
		parts.push(head + value);
		at += head.length + value.length + 1; // the "," that follows
	}
	return { json: `{${parts.join(",")}}`, latestAt };
}

/** What one chunk of the arena holds (an entry larger than this gets a chunk of its own size). */
export const ARENA_CHUNK = 4 << 20;
/** The same for the search texts. */
const SEARCH_CHUNK = 1 << 20;

/**
 * Bytes written into chunks filled one after the other, no piece across two chunks. Nothing is
 * ever copied to grow or to trim: a load holds what it writes once, never twice.
 */
class ChunkWriter {
	readonly chunks: Uint8Array[] = [];
	private bytes: Uint8Array;
	length = 0;

	constructor(
		private readonly size: number,
		first: Uint8Array,
	) {
		this.bytes = first;
	}

	/** The chunk being written: its index once sealed. */
	get chunk(): number {
		return this.chunks.length;
	}

	/** Room for `upTo` bytes in the current chunk (`exact`: how many they really are), or a new chunk. */
	reserve(upTo: number, exact: () => number): void {
		if (this.length + upTo <= this.bytes.length) return;
		const n = exact();
		if (this.length + n <= this.bytes.length) return;
		this.seal();
		this.bytes = new Uint8Array(Math.max(this.size, n));
	}

	/** The current chunk, done: the bytes written (a larger buffer's few unused bytes stay with it). */
	seal(): void {
		if (this.length === 0) return;
		// A chunk much larger than what it holds (the last, usually; or a spare buffer that was
		// more than the arena needed) is copied to its size; otherwise the little left stays.
		this.chunks.push(
			this.length < (this.bytes.length * 3) / 4
				? this.bytes.slice(0, this.length)
				: this.bytes.subarray(0, this.length),
		);
		this.bytes = new Uint8Array(0);
		this.length = 0;
	}

	append(piece: Uint8Array): void {
		this.bytes.set(piece, this.length);
		this.length += piece.length;
	}

	appendString(s: string): void {
		this.length += encoder.encodeInto(s, this.bytes.subarray(this.length)).written;
	}

	/** Every chunk written; the writer is empty afterwards. */
	done(): Uint8Array[] {
		this.seal();
		return this.chunks.splice(0);
	}
}

/**
 * An entry's search text: lower-cased `name \0 description \1`. Lower-cased per entry (a few
 * Unicode characters change length when lower-cased, so one pass over the joined text would
 * shift the offsets); control characters 0 and 1 are the separators, and a search term never
 * contains them.
 */
function searchText(name: string, description: string): string {
	return `${name}\u0000${description.replaceAll("\u0000", " ").replaceAll("\u0001", " ")}\u0001`.toLowerCase();
}

/**
 * The arena as it is written: entries appended as they are validated, with their search texts
 * beside them in chunks of their own (the search blob is put together from them in list order).
 */
export class ArenaWriter {
	private readonly arena: ChunkWriter;
	private readonly search = new ChunkWriter(SEARCH_CHUNK, new Uint8Array(0));

	/**
	 * `expected`: about how many bytes the whole arena takes (a first chunk smaller than usual).
	 * `spare`: a buffer free to be overwritten, the first chunk (the file's own bytes, once its
	 * entries are read from elsewhere: the arena then costs no memory the load did not hold).
	 */
	constructor(expected = ARENA_CHUNK, spare?: Uint8Array) {
		this.arena = new ChunkWriter(
			ARENA_CHUNK,
			spare && spare.byteLength > 0 ? spare : new Uint8Array(Math.max(1024, Math.min(ARENA_CHUNK, expected))),
		);
	}

	/**
	 * Writes `{"server":…,"_meta":…}` for an entry, and its search text; returns what the load
	 * keeps of it, with where they and its isLatest value are (the entry itself, with its strings
	 * to serialise, can go).
	 */
	write(e: Entry): Kept {
		const w = this.arena;
		const bytes = e.serverBytes;
		// The metadata around where its isLatest `false` starts: the common case's head (everything
		// before it) and fixed tail, or the whole metadata's JSON cut there.
		const head = metaHead(e);
		let before: string;
		let after: Uint8Array | string;
		if (head !== undefined) {
			before = head;
			after = FALSE_CLOSE;
		} else {
			const meta = metaJson(e);
			before = meta.json.slice(0, meta.latestAt);
			after = `${meta.json.slice(meta.latestAt)}}`;
		}
		// UTF-8 takes at most 3 bytes a UTF-16 unit; the exact count only when that does not fit.
		const fixed = SERVER_OPEN.length + META_OPEN.length;
		w.reserve(
			fixed + (bytes ? bytes.length : 3 * e.serverJson.length) + 3 * (before.length + after.length),
			() =>
				fixed +
				(bytes ? bytes.length : Buffer.byteLength(e.serverJson, "utf8")) +
				Buffer.byteLength(before, "utf8") +
				(typeof after === "string" ? Buffer.byteLength(after, "utf8") : after.length),
		);
		const chunk = w.chunk;
		const start = w.length;
		w.append(SERVER_OPEN);
		if (bytes) w.append(bytes);
		else w.appendString(e.serverJson);
		w.append(META_OPEN);
		w.appendString(before);
		const latestAt = w.length;
		if (typeof after === "string") w.appendString(after);
		else w.append(after);
		const end = w.length;
		const text = searchText(e.name, e.description);
		const s = this.search;
		s.reserve(3 * text.length, () => Buffer.byteLength(text, "utf8"));
		const searchChunk = s.chunk;
		const searchStart = s.length;
		s.appendString(text);
		return {
			name: e.name,
			version: e.version,
			status: e.status,
			published: e.publishedAt.key,
			updated: e.updatedAt.key,
			flaggedLatest: e.flaggedLatest,
			chunk,
			start,
			end,
			latestAt,
			searchChunk,
			searchStart,
			searchEnd: s.length,
		};
	}

	/** Every chunk written, of the arena and of the search texts; the writer is empty afterwards. */
	done(): { arena: Uint8Array[]; search: Uint8Array[] } {
		return { arena: this.arena.done(), search: this.search.done() };
	}
}

/**
 * The finished arena: isLatest `true` in the latest entries (`latest`: 1 for those, in list
 * order; in `arena`, the chunks written),
 * with the chunk and span (within it) of each of `entries` in their order.
 */
export function finishArena(
	arena: readonly Uint8Array[],
	entries: readonly Kept[],
	latest: Uint8Array,
): { chunkOf: Uint16Array; spans: Uint32Array } {
	const chunkOf = new Uint16Array(entries.length);
	const spans = new Uint32Array(2 * entries.length);
	for (let i = 0; i < entries.length; i++) {
		const e = entries[i] as Kept;
		if (latest[i] === 1) (arena[e.chunk] as Uint8Array).set(TRUE_, e.latestAt);
		chunkOf[i] = e.chunk;
		spans[2 * i] = e.start;
		spans[2 * i + 1] = e.end;
	}
	return { chunkOf, spans };
}

/**
 * What a load keeps of an entry once the arena has it, until the index is built: its identity,
 * what sorting, the latest versions and the index need, and where it and its search text were
 * written.
 */
export interface Kept {
	name: string;
	version: string;
	/** Index into STATUSES. */
	status: number;
	/** Timestamp keys (see time.ts). */
	published: string;
	updated: string;
	flaggedLatest: boolean | undefined;
	/** Chunk of the arena, span in it, and where the entry's isLatest value is. */
	chunk: number;
	start: number;
	end: number;
	latestAt: number;
	/** Chunk of the search texts and span in it. */
	searchChunk: number;
	searchStart: number;
	searchEnd: number;
}

/**
 * Lower-cased `name \0 description` of every entry, each followed by \u0001, as UTF-8 in one
 * buffer (UTF-8: a byte search, memmem, is dozens of times faster than String#indexOf here), and
 * where each entry's text starts: the texts written with the entries (`search`), in list order.
 */
export function* searchSteps(
	search: readonly Uint8Array[],
	entries: readonly Kept[],
): Steps<{ searchBlob: Uint8Array; searchOffsets: Uint32Array; searchIndex: SearchIndex }> {
	const searchOffsets = new Uint32Array(entries.length + 1);
	let at = 0;
	for (let i = 0; i < entries.length; i++) {
		const e = entries[i] as Kept;
		searchOffsets[i] = at;
		at += e.searchEnd - e.searchStart;
	}
	searchOffsets[entries.length] = at;
	yield;
	const searchBlob = new Uint8Array(at);
	for (let i = 0; i < entries.length; i++) {
		if (i % 16384 === 16383) yield;
		const e = entries[i] as Kept;
		searchBlob.set(
			(search[e.searchChunk] as Uint8Array).subarray(e.searchStart, e.searchEnd),
			searchOffsets[i],
		);
	}
	yield;
	return {
		searchBlob,
		searchOffsets,
		searchIndex: buildSearchIndex(searchBlob, searchOffsets, entries.length),
	};
}
