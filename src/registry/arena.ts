/**
 * The bytes a snapshot serves: every entry's ServerResponse JSON (`{"server":…,"_meta":…}`)
 * written once into a few large buffers, the arena, and the lower-cased search text of every
 * entry into another, the search blob. Requests answer with slices of these; nothing is serialised per
 * request, and the serving thread never parses JSON.
 */
import { collectGarbage } from "../runtime.ts";
import { type Entry, OFFICIAL } from "./official.ts";
import type { Steps } from "./pace.ts";
import { STATUSES } from "./snapshot.ts";

const encoder = new TextEncoder();
const SERVER_OPEN = encoder.encode('{"server":');
const META_OPEN = encoder.encode(',"_meta":');
const CLOSE = encoder.encode("}");
const TRUE_ = encoder.encode("true ");

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

/**
 * The arena as it is written: chunks of a few MiB filled one after the other, entries appended
 * as they are validated, none across two chunks. Nothing is ever copied to grow or to trim:
 * a load holds the arena once, never twice.
 */
export class ArenaWriter {
	private readonly chunks: Uint8Array[] = [];
	private bytes: Uint8Array;
	private length = 0;

	/**
	 * `expected`: about how many bytes the whole arena takes (a first chunk smaller than usual).
	 * `spare`: a buffer free to be overwritten, the first chunk (the file's own bytes, once its
	 * entries are read from elsewhere: the arena then costs no memory the load did not hold).
	 */
	constructor(expected = ARENA_CHUNK, spare?: Uint8Array) {
		this.bytes =
			spare && spare.byteLength > 0 ? spare : new Uint8Array(Math.max(1024, Math.min(ARENA_CHUNK, expected)));
	}

	/** Room for `upTo` bytes in the current chunk (`exact`: how many they really are), or a new chunk. */
	private reserve(upTo: number, exact: () => number): void {
		if (this.length + upTo <= this.bytes.length) return;
		const n = exact();
		if (this.length + n <= this.bytes.length) return;
		this.seal();
		this.bytes = new Uint8Array(Math.max(ARENA_CHUNK, n));
	}

	/** The current chunk, done: the bytes written (a larger buffer's few unused bytes stay with it). */
	private seal(): void {
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

	private append(piece: Uint8Array): void {
		this.bytes.set(piece, this.length);
		this.length += piece.length;
	}

	private appendString(s: string): void {
		this.length += encoder.encodeInto(s, this.bytes.subarray(this.length)).written;
	}

	/**
	 * Writes `{"server":…,"_meta":…}` for an entry; returns what the load keeps of it, with where
	 * it and its isLatest value are (the entry itself, with its strings to serialise, can go).
	 */
	write(e: Entry): Kept {
		const meta = metaJson(e);
		const fixed = SERVER_OPEN.length + META_OPEN.length + CLOSE.length;
		// UTF-8 takes at most 3 bytes a UTF-16 unit; the exact count only when that does not fit.
		this.reserve(
			fixed + 3 * (e.serverJson.length + meta.json.length),
			() => fixed + Buffer.byteLength(e.serverJson, "utf8") + Buffer.byteLength(meta.json, "utf8"),
		);
		const chunk = this.chunks.length;
		const start = this.length;
		this.append(SERVER_OPEN);
		this.appendString(e.serverJson);
		this.append(META_OPEN);
		const before = this.length;
		this.appendString(meta.json);
		const latestAt = before + Buffer.byteLength(meta.json.slice(0, meta.latestAt), "utf8");
		this.append(CLOSE);
		return {
			name: e.name,
			version: e.version,
			description: e.description,
			status: e.status,
			published: e.publishedAt.key,
			updated: e.updatedAt.key,
			flaggedLatest: e.flaggedLatest,
			chunk,
			start,
			end: this.length,
			latestAt,
		};
	}

	/**
	 * The finished arena: isLatest `true` in the latest entries, the chunks as written, with the
	 * chunk and span (within it) of each of `entries` in their order. The writer is empty afterwards.
	 */
	finish(
		entries: readonly Kept[],
		latest: ReadonlySet<Kept>,
	): { arena: Uint8Array[]; chunkOf: Uint16Array; spans: Uint32Array } {
		this.seal();
		const arena = this.chunks.splice(0);
		const chunkOf = new Uint16Array(entries.length);
		const spans = new Uint32Array(2 * entries.length);
		for (let i = 0; i < entries.length; i++) {
			const e = entries[i] as Kept;
			if (latest.has(e)) (arena[e.chunk] as Uint8Array).set(TRUE_, e.latestAt);
			chunkOf[i] = e.chunk;
			spans[2 * i] = e.start;
			spans[2 * i + 1] = e.end;
		}
		return { arena, chunkOf, spans };
	}
}

/**
 * What a load keeps of an entry once the arena has it, until the index is built: its identity,
 * what sorting, the latest versions, the index and search need, and where it was written.
 */
export interface Kept {
	name: string;
	version: string;
	description: string;
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
}

/**
 * Lower-cased `name \0 description` of every entry, each followed by \u0001, as UTF-8 in one
 * buffer, and where each entry's text starts.
 */
export function* searchSteps(
	entries: readonly Kept[],
): Steps<{ searchBlob: Uint8Array; searchOffsets: Uint32Array }> {
	// Lower-cased per entry (a few Unicode characters change length when lower-cased, so one
	// pass over the joined text would shift the offsets); control characters 0 and 1 are the
	// separators, and a search term never contains them. Made twice, to be measured and then
	// written: no array of the texts, no joined copy, no buffer larger than the blob.
	const text = (e: Kept) =>
		`${e.name}\u0000${e.description.replaceAll("\u0000", " ").replaceAll("\u0001", " ")}\u0001`.toLowerCase();
	const searchOffsets = new Uint32Array(entries.length + 1);
	let at = 0;
	for (let i = 0; i < entries.length; i++) {
		if (i % 4096 === 4095) {
			// The texts are garbage as soon as they are measured (and below, written).
			collectGarbage(false);
			yield;
		}
		searchOffsets[i] = at;
		at += Buffer.byteLength(text(entries[i] as Kept), "utf8");
	}
	searchOffsets[entries.length] = at;
	// UTF-8 bytes: a byte search (memmem) is dozens of times faster than String#indexOf here.
	const searchBlob = new Uint8Array(at);
	for (let i = 0; i < entries.length; i++) {
		if (i % 4096 === 4095) {
			collectGarbage(false);
			yield;
		}
		encoder.encodeInto(text(entries[i] as Kept), searchBlob.subarray(searchOffsets[i]));
	}
	return { searchBlob, searchOffsets };
}
