/**
 * The bytes a snapshot serves: every entry's ServerResponse JSON (`{"server":…,"_meta":…}`)
 * written once into one buffer, the arena, and the lower-cased search text of every entry into
 * another, the search blob. Requests answer with slices of these; nothing is serialised per
 * request, and the serving thread never parses JSON.
 */
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

/** The arena as it is written: a byte buffer that grows, entries appended as they are validated. */
export class ArenaWriter {
	private bytes: Uint8Array;
	private length = 0;

	constructor(capacity: number) {
		this.bytes = new Uint8Array(Math.max(1024, capacity));
	}

	private reserve(n: number): void {
		if (this.length + n <= this.bytes.length) return;
		const grown = new Uint8Array(Math.max(this.length + n, Math.ceil(this.bytes.length * 1.5)));
		grown.set(this.bytes.subarray(0, this.length));
		this.bytes = grown;
	}

	private append(piece: Uint8Array): void {
		this.reserve(piece.length);
		this.bytes.set(piece, this.length);
		this.length += piece.length;
	}

	private appendString(s: string): void {
		this.reserve(s.length * 3);
		this.length += encoder.encodeInto(s, this.bytes.subarray(this.length)).written;
	}

	/** Writes `{"server":…,"_meta":…}` for an entry and records where it and its isLatest value are. */
	write(e: Entry): void {
		e.start = this.length;
		this.append(SERVER_OPEN);
		this.appendString(e.serverJson);
		this.append(META_OPEN);
		const meta = metaJson(e);
		const before = this.length;
		this.appendString(meta.json);
		e.latestAt = before + Buffer.byteLength(meta.json.slice(0, meta.latestAt), "utf8");
		this.append(CLOSE);
		e.end = this.length;
		e.serverJson = ""; // written: the string can go
	}

	/**
	 * The finished arena: isLatest `true` in the latest entries, trimmed to the bytes written
	 * (the growth margin is not carried into the served snapshot), with the spans of `entries` in
	 * their order. The writer is empty afterwards.
	 */
	finish(entries: readonly Entry[], latest: ReadonlySet<Entry>): { arena: Uint8Array; spans: Uint32Array } {
		const spans = new Uint32Array(2 * entries.length);
		for (let i = 0; i < entries.length; i++) {
			const e = entries[i] as Entry;
			if (latest.has(e)) this.bytes.set(TRUE_, e.latestAt);
			spans[2 * i] = e.start;
			spans[2 * i + 1] = e.end;
		}
		const arena = trim(this.bytes, this.length);
		this.bytes = new Uint8Array(0);
		this.length = 0;
		return { arena, spans };
	}
}

/** The first `length` bytes in a buffer of their own, copied once; the old buffer is let go. */
function trim(bytes: Uint8Array, length: number): Uint8Array {
	if (length === bytes.byteLength) return bytes;
	const buffer = bytes.buffer as ArrayBuffer;
	// transfer() detaches the old buffer at once rather than at the next collection.
	return typeof buffer.transfer === "function"
		? new Uint8Array(buffer.transfer(length))
		: bytes.slice(0, length);
}

/**
 * Lower-cased `name \0 description` of every entry, each followed by \u0001, as UTF-8 in one
 * buffer, and where each entry's text starts.
 */
export function* searchSteps(
	entries: readonly Entry[],
): Steps<{ searchBlob: Uint8Array; searchOffsets: Uint32Array }> {
	// Lower-cased per entry (a few Unicode characters change length when lower-cased, so one
	// pass over the joined text would shift the offsets); control characters 0 and 1 are the
	// separators, and a search term never contains them.
	const parts = entries.map((e) =>
		`${e.name}\u0000${e.description.replaceAll("\u0000", " ").replaceAll("\u0001", " ")}\u0001`.toLowerCase(),
	);
	yield;
	const searchOffsets = new Uint32Array(entries.length + 1);
	let at = 0;
	for (let i = 0; i < parts.length; i++) {
		searchOffsets[i] = at;
		at += Buffer.byteLength(parts[i] as string, "utf8");
	}
	yield;
	searchOffsets[parts.length] = at;
	// UTF-8 bytes: a byte search (memmem) is dozens of times faster than String#indexOf here.
	const searchBlob = new Uint8Array(at);
	encoder.encodeInto(parts.join(""), searchBlob);
	return { searchBlob, searchOffsets };
}
