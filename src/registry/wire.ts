/**
 * A snapshot's data as bytes, to cross from the process that built it to the one that serves
 * it: a JSON header, then every buffer of the index one after the other (each at a multiple of 8
 * bytes, so the reader makes views of them in place). The reader holds the whole of it in one
 * buffer, and the snapshot's arena, search blob and typed arrays are views into that buffer:
 * nothing is copied, and when the snapshot goes the buffer goes with it, at once and whole.
 *
 * The index is walked, not listed: typed arrays become sections, arrays of strings JSON text,
 * plain objects (the search index) are walked in turn, anything else goes in the header.
 */
import { drain, type Steps } from "./pace.ts";
import type { SnapshotData, SnapshotIndex } from "./snapshot.ts";

const encoder = new TextEncoder();

type Typed = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array | Int8Array | Int16Array;

const TYPED: Record<string, new (buffer: ArrayBuffer, byteOffset: number, length: number) => Typed> = {
	Uint8Array,
	Uint16Array,
	Uint32Array,
	Int32Array,
	Float64Array,
	Int8Array,
	Int16Array,
};

/** How a field of the index is written: a section of the body (offset, length in elements), or a value. */
type Field =
	| { typed: string; at: number; length: number }
	| { strings: true; at: number; bytes: number }
	| { chunks: [number, number][] }
	| { object: Record<string, Field> }
	| { value: unknown };

interface Header {
	provenance: SnapshotData["provenance"];
	index: Record<string, Field>;
	/** The body's length, bytes. */
	body: number;
}

const align = (n: number) => (n + 7) & ~7;

/** The encoded data: its pieces, to be written one after the other, `length` bytes in all. */
export interface Encoded {
	pieces: Uint8Array[];
	length: number;
}

/** Encodes snapshot data (see the module comment); the pieces are views of its own buffers. */
export function encodeSnapshot(data: SnapshotData): Encoded {
	const body: Uint8Array[] = [];
	let at = 0;
	const add = (bytes: Uint8Array): number => {
		const start = at;
		body.push(bytes);
		at += bytes.byteLength;
		const padded = align(at);
		if (padded > at) body.push(new Uint8Array(padded - at));
		at = padded;
		return start;
	};
	const walk = (object: Record<string, unknown>): Record<string, Field> => {
		const out: Record<string, Field> = {};
		for (const [key, value] of Object.entries(object)) {
			if (ArrayBuffer.isView(value)) {
				const typed = value as Typed;
				const name = typed.constructor.name;
				if (!TYPED[name]) throw new Error(`wire: cannot encode ${name} ${key}`);
				const bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
				out[key] = { typed: name, at: add(bytes), length: typed.length };
			} else if (Array.isArray(value) && value.every((v) => v instanceof Uint8Array)) {
				out[key] = { chunks: (value as Uint8Array[]).map((c) => [add(c), c.byteLength]) };
			} else if (Array.isArray(value) && value.every((v) => typeof v === "string")) {
				const bytes = encoder.encode(JSON.stringify(value));
				out[key] = { strings: true, at: add(bytes), bytes: bytes.byteLength };
			} else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
				out[key] = { object: walk(value as Record<string, unknown>) };
			} else {
				out[key] = { value };
			}
		}
		return out;
	};
	const index = walk(data.index as unknown as Record<string, unknown>);
	const header: Header = { provenance: data.provenance, index, body: at };
	const json = encoder.encode(JSON.stringify(header));
	const head = new Uint8Array(align(4 + json.byteLength));
	new DataView(head.buffer).setUint32(0, json.byteLength, true);
	head.set(json, 4);
	return { pieces: [head, ...body], length: head.byteLength + at };
}

/**
 * The snapshot data encoded in `bytes` (all of them, from its first byte; its buffer is kept:
 * the data's buffers are views of it).
 */
export function decodeSnapshot(bytes: Uint8Array): SnapshotData {
	return drain(decodeSteps(bytes));
}

/** decodeSnapshot, pausing after each array of strings (the only part that takes time). */
export function* decodeSteps(bytes: Uint8Array): Steps<SnapshotData> {
	if (bytes.byteOffset % 8 !== 0) throw new Error("wire: the encoded data must start at a multiple of 8");
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const length = view.getUint32(0, true);
	const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length))) as Header;
	const base = bytes.byteOffset + align(4 + length);
	if (base - bytes.byteOffset + header.body !== bytes.byteLength)
		throw new Error("wire: the data is cut short");
	const buffer = bytes.buffer as ArrayBuffer;
	const decoder = new TextDecoder();
	function* read(fields: Record<string, Field>): Steps<Record<string, unknown>> {
		const out: Record<string, unknown> = {};
		for (const [key, f] of Object.entries(fields)) {
			if ("typed" in f) {
				const Type = TYPED[f.typed];
				if (!Type) throw new Error(`wire: unknown array type ${f.typed}`);
				out[key] = new Type(buffer, base + f.at, f.length);
			} else if ("chunks" in f) {
				out[key] = f.chunks.map(([at, n]) => new Uint8Array(buffer, base + at, n));
			} else if ("strings" in f) {
				out[key] = JSON.parse(decoder.decode(new Uint8Array(buffer, base + f.at, f.bytes)));
				yield;
			} else if ("object" in f) {
				out[key] = yield* read(f.object);
			} else {
				out[key] = f.value;
			}
		}
		return out;
	}
	const index = (yield* read(header.index)) as unknown as SnapshotIndex;
	return { index, provenance: header.provenance };
}
