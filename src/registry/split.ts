/**
 * Finds the entries of a registry file without parsing it whole: the byte ranges of the elements
 * of the top-level array, or of the top-level object's "servers" array. Each entry is then
 * parsed on its own, so a 50 MB file never becomes one 50 MB object graph. Anything this scanner
 * does not recognise returns undefined, and the caller looks at the whole text for what is wrong
 * (the precise position of a syntax error, or the shapes expected).
 *
 * The same pass checks what JSON.parse lets through silently: an object with the same key twice
 * (compared after unescaping; JSON.parse keeps the last, other tools the first, so a review could
 * approve other content than is served) and nesting deeper than MAX_DEPTH (the file's top-level
 * value is level 1), which would overflow the stack of the recursive steps that follow. Inside
 * an entry either is that entry's problem; anywhere else, the whole file's.
 */
import { drain, type Steps } from "./pace.ts";

/** The deepest nesting of arrays and objects a registry file may have, counting its top-level value. */
export const MAX_DEPTH = 64;

/** A problem the scanner found: where (a JSON path below the value scanned; "" the value itself) and what. */
export interface StructureProblem {
	path: string;
	/** Says what of the value at `path`: `has a duplicate key "name"`, `is nested deeper than …`. */
	message: string;
}

export interface SplitFile {
	top: "array" | "object";
	/** [start, end) byte ranges of each entry. */
	ranges: ArrayLike<number>;
	/** The file with the entries' array emptied: parsed to validate everything else. */
	skeleton: Uint8Array;
	/** Entries that are JSON but must not be loaded (a duplicate key, nesting too deep), by index. */
	problems: Map<number, StructureProblem>;
	/**
	 * Where each entry's server document is, when its bytes are already exactly what
	 * JSON.stringify would write of it (see Checker.unusual), DOC_FIELDS numbers an entry:
	 * [start, end) of its "server" value, of its "value" value (-1, -1 when there is none or it
	 * is written otherwise), and flags: 1 when the whole entry is so written, DOC_PROBLEM.
	 */
	docs: Int32Array;
	/**
	 * How many levels hold an entry (its array and what holds that): what EntryStructure needs
	 * to check an entry as this split would have.
	 */
	entryBase: number;
	/** The same outside the entries (the path is from the top of the file): the file is refused. */
	fileProblem?: StructureProblem;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
/** Up to this many keys an object's keys are compared as bytes; beyond it (or with an escape), as strings in a Set. */
const FEW_KEYS = 16;

/** Numbers per entry in SplitFile.docs. */
export const DOC_FIELDS = 5;

const SERVER_KEY = new TextEncoder().encode('"server"');
const VALUE_KEY = new TextEncoder().encode('"value"');

const tokenDecoder = new TextDecoder();

/** JSON.stringify(JSON.parse(token)) is the token itself. */
function roundTrips(b: Uint8Array, start: number, end: number): boolean {
	try {
		const token = tokenDecoder.decode(b.subarray(start, end));
		return JSON.stringify(JSON.parse(token)) === token;
	} catch {
		return false;
	}
}

/** A string token [start, end) with a backslash: is it as JSON.stringify would escape it? */
function plainEscapes(b: Uint8Array, start: number, end: number): boolean {
	for (let k = start + 1; k < end - 1; k++) {
		if (b[k] !== BACKSLASH) continue;
		const c = b[k + 1];
		// \" \\ \b \f \n \r \t: JSON.stringify's own; \u: only some, decided by a round trip.
		if (c === QUOTE || c === BACKSLASH || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74)
			k++;
		else return c === 0x75 && roundTrips(b, start, end);
	}
	return true;
}

function isSpace(c: number): boolean {
	return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** The index after the string that opens at `i`, or -1. */
function skipString(b: Uint8Array, i: number): number {
	let j = i + 1;
	for (;;) {
		const q = b.indexOf(QUOTE, j);
		if (q < 0) return -1;
		let slashes = 0;
		for (let k = q - 1; k > i && b[k] === BACKSLASH; k--) slashes++;
		if (slashes % 2 === 0) return q + 1;
		j = q + 1;
	}
}

/** The index after a number or literal starting at `i` (up to the next structural byte), or -1. */
function skipScalar(b: Uint8Array, i: number): number {
	let j = i;
	while (j < b.length) {
		const d = b[j] as number;
		if (d === COMMA || d === CLOSE_ARRAY || d === CLOSE_OBJECT || isSpace(d)) break;
		j++;
	}
	return j > i ? j : -1;
}

/** From inside a value at `level` (levels above `base` open), the index after the value that opened at base + 1, or -1. */
function skipRest(b: Uint8Array, j: number, level: number, base: number): number {
	while (j < b.length) {
		const d = b[j] as number;
		if (d === QUOTE) {
			j = skipString(b, j);
			if (j < 0) return -1;
			continue;
		}
		if (d === OPEN_OBJECT || d === OPEN_ARRAY) level++;
		else if (d === CLOSE_OBJECT || d === CLOSE_ARRAY) {
			level--;
			if (level === base) return j + 1;
		}
		j++;
	}
	return -1;
}

const keyDecoder = new TextDecoder("utf-8", { fatal: true });

/** The key whose quoted bytes are [start, end), unescaped; undefined when it is not a JSON string. */
function decodeKey(b: Uint8Array, start: number, end: number): string | undefined {
	try {
		const key: unknown = JSON.parse(keyDecoder.decode(b.subarray(start, end)));
		return typeof key === "string" ? key : undefined;
	} catch {
		return undefined;
	}
}

/** Digits, sign, point, exponent: a byte inside a number (or a literal's e). */
function isNumberByte(c: number): boolean {
	return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45;
}

function sameKey(b: Uint8Array, start: number, end: number, key: Uint8Array): boolean {
	if (end - start !== key.length) return false;
	for (let k = 1; k < key.length - 1; k++) if (b[start + k] !== key[k]) return false;
	return true;
}

function sameBytes(b: Uint8Array, s1: number, e1: number, s2: number, e2: number): boolean {
	if (e1 - s1 !== e2 - s2) return false;
	for (let k = 1; k < e1 - s1 - 1; k++) if (b[s1 + k] !== b[s2 + k]) return false;
	return true;
}

const clip = (s: string) => (s.length > 80 ? `${s.slice(0, 77)}...` : s);

/** A key as a path segment: `.name`, or `["io.example/key"]` when it is not a plain identifier. */
export function keySegment(key: string, first: boolean): string {
	if (/^[A-Za-z_$][\w$]*$/.test(key) && key.length <= 80) return first ? key : `.${key}`;
	return `[${clip(JSON.stringify(key))}]`;
}

/**
 * Walks one JSON value, checking its objects' keys and its depth as it goes. One checker scans
 * a whole file, value after value; `problem` holds the first problem of the value last scanned.
 */
class Checker {
	/** Per level (1 = the file's top-level value): OPEN_OBJECT or OPEN_ARRAY. */
	private readonly kind = new Uint8Array(MAX_DEPTH + 2);
	/** Array: the index of the current element; object: how many keys so far. */
	private readonly count = new Int32Array(MAX_DEPTH + 2);
	/** Object: its current key's quoted bytes [keyStart, keyEnd). */
	private readonly keyStart = new Int32Array(MAX_DEPTH + 2);
	private readonly keyEnd = new Int32Array(MAX_DEPTH + 2);
	/** Object with few plain keys: where its keys start in `keys`. */
	private readonly keysFrom = new Int32Array(MAX_DEPTH + 2);
	/** The [start, end) and hash of the keys of open objects compared as bytes, level after level. */
	private readonly keys = new Int32Array(3 * FEW_KEYS * (MAX_DEPTH + 2));
	private keysTop = 0;
	/** Object with many keys, or escaped ones: its keys unescaped. */
	private readonly sets: (Set<string> | undefined)[] = [];
	problem: StructureProblem | undefined;
	/**
	 * How many things seen so far JSON.stringify would write otherwise: white space between
	 * tokens, an escape it would not make (`\/`, `\u0041`), a number not in its shortest form,
	 * a key that is an array index (an object puts those first). A value whose bytes add none is
	 * written exactly as JSON.stringify of its JSON.parse would be: a load can copy its bytes.
	 */
	unusual = 0;
	/** The first backslash at or after `slashFrom` (b.length: none). */
	private nextSlash = -1;
	private slashFrom = Number.POSITIVE_INFINITY;
	/** Of the value last scanned, when it is an object: its "server" and "value" objects, if written as usual. */
	readonly doc = { server: -1, serverEnd: -1, value: -1, valueEnd: -1, whole: false };
	/** The top-level key of the value being scanned: 1 "server", 2 "value", 0 another. */
	private docKey = 0;

	constructor(private readonly b: Uint8Array) {}

	/** The string token [start, end) is written as JSON.stringify would write it. */
	private usualString(start: number, end: number): boolean {
		if (this.nextSlash < start || this.slashFrom > start) {
			const at = this.b.indexOf(BACKSLASH, start);
			this.nextSlash = at < 0 ? this.b.length : at;
			this.slashFrom = start;
		}
		return this.nextSlash >= end || plainEscapes(this.b, start, end);
	}

	/**
	 * The index after the value starting at `i`, inside `base` open levels; -1 when it is not
	 * well-formed (the caller then leaves the file to the whole-text parse).
	 */
	value(i: number, base: number): number {
		const b = this.b;
		const c = b[i];
		const doc = this.doc;
		doc.server = doc.serverEnd = doc.value = doc.valueEnd = -1;
		doc.whole = false;
		this.docKey = 0;
		if (c === QUOTE) return skipString(b, i);
		if (c !== OPEN_OBJECT && c !== OPEN_ARRAY) return skipScalar(b, i);
		const { kind, count } = this;
		// No object is open yet: the keys of the value scanned before are gone.
		this.keysTop = 0;
		const unusualBefore = this.unusual;
		/** The document being scanned (1 "server", 2 "value"), and `unusual` when it opened. */
		let inDoc = 0;
		let unusualInDoc = 0;
		let level = base;
		let expectKey = false;
		let j = i;
		while (j < b.length) {
			const d = b[j] as number;
			if (d === QUOTE) {
				const end = skipString(b, j);
				if (end < 0) return -1;
				if (!this.usualString(j, end)) this.unusual++;
				if (expectKey) {
					if (!this.key(j, end, level, base)) return -1;
					if (this.problem) return skipRest(b, end, level, base);
					expectKey = false;
				}
				j = end;
				continue;
			}
			if (d === OPEN_OBJECT || d === OPEN_ARRAY) {
				if (level === base + 1 && d === OPEN_OBJECT && this.docKey !== 0) {
					inDoc = this.docKey;
					unusualInDoc = this.unusual;
					if (inDoc === 1) doc.server = j;
					else doc.value = j;
				}
				level++;
				if (level > MAX_DEPTH) {
					this.problem = {
						path: this.path(base, MAX_DEPTH, 4),
						message: `is nested deeper than ${MAX_DEPTH} levels`,
					};
					return skipRest(b, j + 1, level, base);
				}
				kind[level] = d;
				count[level] = 0;
				if (d === OPEN_OBJECT) {
					this.keysFrom[level] = this.keysTop;
					this.sets[level] = undefined;
					expectKey = true;
				}
			} else if (d === CLOSE_OBJECT || d === CLOSE_ARRAY) {
				if (level === base || kind[level] !== d - 2) return -1;
				if (d === CLOSE_OBJECT) {
					this.keysTop = this.keysFrom[level] as number;
					this.sets[level] = undefined;
				}
				level--;
				if (level === base) {
					doc.whole = this.unusual === unusualBefore;
					return j + 1;
				}
				if (level === base + 1 && inDoc !== 0) {
					// Written otherwise: as if there were no document to copy.
					const end = this.unusual === unusualInDoc ? j + 1 : -1;
					if (inDoc === 1) {
						doc.serverEnd = end;
						if (end < 0) doc.server = -1;
					} else {
						doc.valueEnd = end;
						if (end < 0) doc.value = -1;
					}
					inDoc = 0;
				}
				expectKey = false;
			} else if (d === COMMA) {
				if (kind[level] === OPEN_OBJECT) expectKey = true;
				else count[level] = (count[level] as number) + 1;
			} else if (d === COLON) {
				expectKey = false;
			} else if (d <= 0x20) {
				this.unusual++;
			} else if ((d === 0x2d || (d >= 0x30 && d <= 0x39)) && !isNumberByte(b[j - 1] as number)) {
				// A number starts: usual only when JSON.stringify would write it so (1.50, 1e3, -0: not).
				if (!roundTrips(b, j, skipScalar(b, j))) this.unusual++;
			}
			j++;
		}
		return -1;
	}

	/**
	 * Records the key [start, end) of the object at `level` (just checked by usualString); false
	 * when it is not a JSON string.
	 */
	private key(start: number, end: number, level: number, base: number): boolean {
		const b = this.b;
		if (level === base + 1) {
			this.docKey = sameKey(b, start, end, SERVER_KEY) ? 1 : sameKey(b, start, end, VALUE_KEY) ? 2 : 0;
		}
		const first = b[start + 1] as number;
		if (first >= 0x30 && first <= 0x39) this.unusual++; // "7": an object lists such keys first
		const n = this.count[level] as number;
		this.count[level] = n + 1;
		this.keyStart[level] = start;
		this.keyEnd[level] = end;
		let set = this.sets[level];
		if (set === undefined) {
			// Keys are compared by a hash first (their length, first and last byte: most keys of an
			// object differ in those), then byte by byte. Whether the key has an escape: the string
			// check just before found the next backslash.
			const hash = ((end - start) << 16) ^ ((b[start + 1] as number) << 8) ^ (b[end - 2] as number);
			const escaped = this.nextSlash < end;
			const from = this.keysFrom[level] as number;
			const keys = this.keys;
			const top = this.keysTop;
			if (n < FEW_KEYS && !escaped) {
				for (let k = from; k < top; k += 3) {
					if (keys[k + 2] === hash && sameBytes(b, keys[k] as number, keys[k + 1] as number, start, end)) {
						return this.duplicate(start, end, level, base);
					}
				}
				keys[top] = start;
				keys[top + 1] = end;
				keys[top + 2] = hash;
				this.keysTop = top + 3;
				return true;
			}
			// Many keys, or an escaped one: compare them unescaped, in a Set.
			set = new Set();
			for (let k = from; k < top; k += 3)
				set.add(decodeKey(b, keys[k] as number, keys[k + 1] as number) as string);
			this.keysTop = from;
			this.sets[level] = set;
		}
		const key = decodeKey(b, start, end);
		if (key === undefined) return false;
		if (set.has(key)) return this.duplicate(start, end, level, base);
		set.add(key);
		return true;
	}

	private duplicate(start: number, end: number, level: number, base: number): boolean {
		const key = decodeKey(this.b, start, end);
		if (key === undefined) return false;
		this.problem = {
			path: this.path(base, level - 1),
			message: `has a duplicate key ${clip(JSON.stringify(key))}`,
		};
		return true;
	}

	/** The path from the value at base + 1 down to the child of `last` being read (`limit` segments at most). */
	private path(base: number, last: number, limit = Number.POSITIVE_INFINITY): string {
		let out = "";
		for (let level = base + 1; level <= last; level++) {
			if (level - base > limit) return `${out}…`;
			if (this.kind[level] === OPEN_ARRAY) out += `[${this.count[level]}]`;
			else {
				const key = decodeKey(this.b, this.keyStart[level] as number, this.keyEnd[level] as number) ?? "?";
				out += keySegment(key, out === "");
			}
		}
		return out;
	}
}

function skipSpace(b: Uint8Array, i: number): number {
	while (i < b.length && isSpace(b[i] as number)) i++;
	return i;
}

/**
 * Where a split puts the entries as it finds them, when others are to start on them before it
 * is done (build-process.ts): their ranges and where their documents are (as SplitFile has
 * them), DOC_PROBLEM marking an entry the scanner found something wrong with.
 */
export interface EntrySink {
	/** The next entry is [start, end); `doc`: SplitFile.docs's numbers for it. */
	add(start: number, end: number, doc: readonly number[]): void;
	/** The ranges added so far, [start, end) of each entry. */
	readonly ranges: ArrayLike<number>;
	/** The same of the documents. */
	readonly docs: Int32Array;
}

/** In SplitFile.docs's last number of an entry: the scanner found something wrong with it. */
export const DOC_PROBLEM = 2;

/** An EntrySink that keeps what it is given, for a split no one reads before it is done. */
class KeptEntries implements EntrySink {
	readonly ranges: number[] = [];
	private kept = new Int32Array(DOC_FIELDS * 1024);

	add(start: number, end: number, doc: readonly number[]): void {
		const n = this.ranges.length / 2;
		this.ranges.push(start, end);
		if (DOC_FIELDS * (n + 1) > this.kept.length) {
			const more = new Int32Array(this.kept.length * 2);
			more.set(this.kept);
			this.kept = more;
		}
		this.kept.set(doc, DOC_FIELDS * n);
	}

	get docs(): Int32Array {
		return this.kept.slice(0, (DOC_FIELDS * this.ranges.length) / 2);
	}
}

/**
 * Element ranges of the array opening at `i` (inside `base` levels), into `sink` (by default,
 * one that keeps them); `end` is the index after its `]`.
 */
function* arrayElements(
	b: Uint8Array,
	i: number,
	base: number,
	checker: Checker,
	problems: Map<number, StructureProblem>,
	sink: EntrySink = new KeptEntries(),
): Steps<{ ranges: ArrayLike<number>; docs: Int32Array; end: number } | undefined> {
	const done = (end: number) => ({ ranges: sink.ranges, docs: sink.docs, end });
	let j = skipSpace(b, i + 1);
	if (b[j] === CLOSE_ARRAY) return done(j + 1);
	const { doc } = checker;
	const numbers = [0, 0, 0, 0, 0];
	for (let n = 0; ; n++) {
		if (n % 2048 === 2047) yield;
		const start = j;
		checker.problem = undefined;
		const end = checker.value(j, base + 1);
		if (end < 0) return undefined;
		if (checker.problem) problems.set(n, checker.problem);
		numbers[0] = doc.server;
		numbers[1] = doc.serverEnd;
		numbers[2] = doc.value;
		numbers[3] = doc.valueEnd;
		numbers[4] = (doc.whole ? 1 : 0) | (checker.problem ? DOC_PROBLEM : 0);
		sink.add(start, end, numbers);
		j = skipSpace(b, end);
		if (b[j] === COMMA) {
			j = skipSpace(b, j + 1);
			continue;
		}
		if (b[j] === CLOSE_ARRAY) return done(j + 1);
		return undefined;
	}
}

/**
 * An entry of a split checked again as the split checked it: for a thread that has the split's
 * numbers (a sink's) but not its problems (DOC_PROBLEM says which entries have one).
 */
export class EntryStructure {
	private readonly checker: Checker;

	constructor(
		b: Uint8Array,
		private readonly base: number,
	) {
		this.checker = new Checker(b);
	}

	/**
	 * The entry [start, end): its problem, if any, and its document's place (as SplitFile.docs
	 * has it, DOC_FIELDS numbers written at `docs[at]`); undefined when it is not well-formed.
	 */
	check(
		start: number,
		end: number,
		docs: Int32Array,
		at: number,
	): { problem?: StructureProblem } | undefined {
		const c = this.checker;
		c.problem = undefined;
		if (c.value(start, this.base + 1) !== end) return undefined;
		const { doc } = c;
		docs[at] = doc.server;
		docs[at + 1] = doc.serverEnd;
		docs[at + 2] = doc.value;
		docs[at + 3] = doc.valueEnd;
		docs[at + 4] = (doc.whole ? 1 : 0) | (c.problem ? DOC_PROBLEM : 0);
		return { problem: c.problem };
	}
}

/** A problem of a value under the top-level key `key`, as the file's. */
function under(key: string, p: StructureProblem): StructureProblem {
	return {
		path: keySegment(key, true) + (p.path.startsWith("[") || p.path === "" ? "" : ".") + p.path,
		message: p.message,
	};
}

export function splitRegistry(b: Uint8Array): SplitFile | undefined {
	return drain(splitSteps(b));
}

/** Where a file's first token is: after a byte order mark and white space. */
function firstToken(b: Uint8Array): number {
	return skipSpace(b, b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0);
}

/** Whether a file's top level is an array (entries one level down) or not (an object's list, two). */
export function topLevel(b: Uint8Array): "array" | "other" {
	return b[firstToken(b)] === OPEN_ARRAY ? "array" : "other";
}

/**
 * Splits a registry file into its entries (see the module comment); with a `sink`, the entries
 * are only delimited, handed to the sink as they are found, and checked later (EntryStructure).
 */
export function* splitSteps(b: Uint8Array, sink?: EntrySink): Steps<SplitFile | undefined> {
	const i = firstToken(b);
	const checker = new Checker(b);
	const problems = new Map<number, StructureProblem>();
	if (b[i] === OPEN_ARRAY) {
		const arr = yield* arrayElements(b, i, 0, checker, problems, sink);
		if (!arr || skipSpace(b, arr.end) !== b.length) return undefined;
		return {
			top: "array",
			ranges: arr.ranges,
			skeleton: new TextEncoder().encode("[]"),
			problems,
			docs: arr.docs,
			entryBase: 1,
		};
	}
	if (b[i] !== OPEN_OBJECT) return undefined;
	// Top-level object: find its "servers" key (exactly once) and that array's elements.
	let found: { ranges: ArrayLike<number>; docs: Int32Array; open: number; end: number } | undefined;
	let fileProblem: StructureProblem | undefined;
	let notArray = false;
	const keys = new Set<string>();
	let j = skipSpace(b, i + 1);
	if (b[j] === CLOSE_OBJECT) return undefined;
	for (;;) {
		if (b[j] !== QUOTE) return undefined;
		const keyEnd = skipString(b, j);
		if (keyEnd < 0) return undefined;
		const key = decodeKey(b, j, keyEnd);
		if (key === undefined) return undefined;
		if (keys.has(key))
			fileProblem ??= { path: "", message: `has a duplicate key ${clip(JSON.stringify(key))}` };
		keys.add(key);
		j = skipSpace(b, keyEnd);
		if (b[j] !== COLON) return undefined;
		j = skipSpace(b, j + 1);
		if (key === "servers" && b[j] === OPEN_ARRAY && !found) {
			const arr = yield* arrayElements(b, j, 1, checker, problems, sink);
			if (!arr) return undefined;
			found = { ranges: arr.ranges, docs: arr.docs, open: j, end: arr.end };
			j = arr.end;
		} else {
			if (key === "servers") notArray = true;
			checker.problem = undefined;
			const end = checker.value(j, 1);
			if (end < 0) return undefined;
			if (checker.problem) fileProblem ??= under(key, checker.problem);
			j = end;
		}
		j = skipSpace(b, j);
		if (b[j] === COMMA) {
			j = skipSpace(b, j + 1);
			continue;
		}
		if (b[j] === CLOSE_OBJECT) break;
		return undefined;
	}
	if (skipSpace(b, j + 1) !== b.length) return undefined;
	// A "servers" that is no array, and no "servers": not a registry (unless the key is there twice).
	if (!found || (notArray && !fileProblem)) return undefined;
	const skeleton = new Uint8Array(found.open + 2 + (b.length - found.end));
	skeleton.set(b.subarray(0, found.open + 1), 0);
	skeleton[found.open + 1] = CLOSE_ARRAY;
	skeleton.set(b.subarray(found.end), found.open + 2);
	const { ranges, docs } = found;
	return { top: "object", ranges, skeleton, problems, fileProblem, docs, entryBase: 2 };
}
