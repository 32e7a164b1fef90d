/**
 * The three shapes a registry file may take — the API list shape, the Go fork's records, a bare
 * array of server.json documents (a seed) — made into one kind of raw entry: the server document,
 * the official metadata as given, and where each sits in the file, for messages.
 */
import { findJsonError } from "./json-error.ts";
import { OFFICIAL } from "./official.ts";
import type { Steps } from "./pace.ts";
import { RegistryLoadError } from "./report.ts";
import {
	DOC_FIELDS,
	DOC_PROBLEM,
	type EntrySink,
	EntryStructure,
	type StructureProblem,
	splitSteps,
} from "./split.ts";

export type Shape = "api" | "fork" | "seed";

const isObject = (x: unknown): x is Record<string, unknown> =>
	typeof x === "object" && x !== null && !Array.isArray(x);

const SHAPES_EXPECTED =
	'expected a JSON array of server.json documents, or an object with a "servers" array ' +
	'of {"server", "_meta"} items (the API list shape) or fork records {"server_name", "version", "value", ...}';

/** Bytes → text: UTF-8 only, BOM dropped. */
export function decodeRegistryText(bytes: Uint8Array, file: string): string {
	try {
		const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
		return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
	} catch {
		throw new RegistryLoadError(`${file}: not valid UTF-8 text`);
	}
}

export function parseRegistryJson(text: string, file: string): unknown {
	if (text.trim() === "") throw new RegistryLoadError(`${file}: the file is empty; ${SHAPES_EXPECTED}`);
	try {
		return JSON.parse(text);
	} catch (err) {
		const where = findJsonError(text);
		if (where) {
			throw new RegistryLoadError(
				`${file}: invalid JSON at line ${where.line}, column ${where.column} (byte ${where.offset}): ${where.message}`,
			);
		}
		throw new RegistryLoadError(`${file}: invalid JSON: ${(err as Error).message}`);
	}
}

/**
 * Why bytes that the scanner does not split into entries are no registry file: not UTF-8, empty,
 * a JSON syntax error (with its position), or JSON of no accepted shape. Never parses the whole
 * text: on a large file that would cost several times its size.
 */
export function unloadable(bytes: Uint8Array, file: string): RegistryLoadError {
	const text = decodeRegistryText(bytes, file);
	if (/^\s*$/.test(text)) return new RegistryLoadError(`${file}: the file is empty; ${SHAPES_EXPECTED}`);
	const where = findJsonError(text);
	if (where) {
		return new RegistryLoadError(
			`${file}: invalid JSON at line ${where.line}, column ${where.column} (byte ${where.offset}): ${where.message}`,
		);
	}
	return new RegistryLoadError(`${file}: ${SHAPES_EXPECTED}`);
}

/** Where entries come from: a parsed document, or a file split into separately parsed entries. */
export interface ItemSource {
	shape: Shape;
	count: number;
	item(i: number): unknown;
	/** What the scanner found wrong with entry i (a duplicate key, nesting too deep): it is not loaded. */
	problem?(i: number): StructureProblem | undefined;
	/** How many bytes of the file entry i takes. */
	size?(i: number): number;
	/** Entry i is to be read first (`item` and `problem` need it): wait for this, when there is one. */
	prepare?(i: number): Promise<void> | undefined;
	/**
	 * Entry i's server document as the file writes it, when that is exactly JSON.stringify of the
	 * document (see split.ts): the bytes to serve, without serialising it again. Valid until the
	 * next entry is prepared.
	 */
	docBytes?(i: number): Uint8Array | undefined;
}

/** The entries' bytes: in memory, or read again from the file, some at a time. */
export interface EntryBytes {
	/** Reads entry i's bytes, and what follows while it is at it, unless they are at hand. */
	prepare(i: number): Promise<void> | undefined;
	/** Entry i's bytes, once prepared. */
	of(i: number): Uint8Array;
}

/** Where entry i sits in a file of this shape, as a JSON path: `servers[3]` or `[3]`. */
export function entryAt(shape: Shape, i: number): string {
	return shape === "seed" ? `[${i}]` : `servers[${i}]`;
}

export function shapeOf(first: unknown): Shape {
	return isObject(first) && !("server" in first) && ("value" in first || "server_name" in first)
		? "fork"
		: "api";
}

/** A parsed top-level value as a source of entries, or the error that says what was expected. */
export function itemsOfDocument(doc: unknown, file: string): ItemSource {
	if (Array.isArray(doc)) return { shape: "seed", count: doc.length, item: (i) => doc[i] };
	if (!isObject(doc) || !Array.isArray(doc.servers)) {
		throw new RegistryLoadError(`${file}: ${SHAPES_EXPECTED}`);
	}
	const items = doc.servers as unknown[];
	return { shape: shapeOf(items.find(isObject)), count: items.length, item: (i) => items[i] };
}

/** Thrown while reading a split file: the whole-text parse then says precisely what is wrong. */
export class ReparseWhole extends Error {}

/**
 * Entries parsed one by one from their byte ranges, or undefined when the file does not split;
 * `item` and `problem` throw ReparseWhole when an entry is not JSON. A duplicate key or nesting
 * too deep outside the entries fails the whole file (RegistryLoadError naming it).
 *
 * `reread`: once the file is split, where the entries' bytes come from instead of `bytes` (the
 * caller may then let `bytes` go); entries are then `prepare`d before they are read.
 */
export function* itemsOfBytes(
	bytes: Uint8Array,
	file: string,
	reread?: (ranges: ArrayLike<number>) => EntryBytes,
	sink?: EntrySink,
): Steps<SplitSource | undefined> {
	const split = yield* splitSteps(bytes, sink);
	if (!split) return undefined;
	const decoder = new TextDecoder("utf-8", { fatal: true });
	try {
		// Everything but the entries, parsed as JSON: the rest of the file is checked as strictly.
		JSON.parse(decoder.decode(split.skeleton));
	} catch {
		return undefined;
	}
	const { fileProblem } = split;
	if (fileProblem) {
		const where = fileProblem.path || `the top-level ${split.top === "array" ? "array" : "object"}`;
		throw new RegistryLoadError(`${file}: ${where} ${fileProblem.message}`);
	}
	const source = new SplitSource(bytes, split, "seed");
	if (split.top === "object") source.shape = firstShape(source);
	if (reread) source.read = reread(split.ranges);
	return source;
}

/**
 * The shape of a file whose top-level value is an object: that of its first entry the scanner
 * found nothing wrong with ("api" when there is none).
 */
export function firstShape(source: SplitSource): Shape {
	for (let i = 0; i < source.count; i++) if (!source.problem(i)) return shapeOf(source.item(i));
	return "api";
}

/** The entries of a split file: where each is, what the scanner found wrong, where its document is. */
export interface SplitEntries {
	ranges: ArrayLike<number>;
	/** By entry; an entry flagged DOC_PROBLEM in `docs` and not here is checked again for it. */
	problems: ReadonlyMap<number, StructureProblem>;
	docs: Int32Array;
	entryBase: number;
}

/**
 * A split file's entries, each parsed on its own from `bytes` (or, once `read` is set, from
 * wherever that reads them); `item` and `problem` throw ReparseWhole when an entry is not JSON.
 */
export class SplitSource implements ItemSource {
	read: EntryBytes;
	private readonly decoder = new TextDecoder("utf-8", { fatal: true });
	private structure: EntryStructure | undefined;

	constructor(
		private readonly bytes: Uint8Array,
		readonly split: SplitEntries,
		public shape: Shape,
	) {
		const { ranges } = split;
		this.read = { prepare: () => undefined, of: (i) => bytes.subarray(ranges[2 * i], ranges[2 * i + 1]) };
	}

	/** How many entries. */
	get count(): number {
		return this.split.ranges.length / 2;
	}

	item(i: number): unknown {
		try {
			return JSON.parse(this.decoder.decode(this.read.of(i)));
		} catch {
			throw new ReparseWhole();
		}
	}

	/** An entry with a problem is not loaded, but must still be JSON (JSON.parse does not recurse). */
	problem(i: number): StructureProblem | undefined {
		const { problems, docs, ranges } = this.split;
		let p = problems.get(i);
		if (!p && ((docs[DOC_FIELDS * i + 4] as number) & DOC_PROBLEM) !== 0) {
			// Flagged by a split on another thread: the same check again, here.
			this.structure ??= new EntryStructure(this.bytes, this.split.entryBase);
			const found = this.structure.check(
				ranges[2 * i] as number,
				ranges[2 * i + 1] as number,
				new Int32Array(DOC_FIELDS),
				0,
			);
			if (!found?.problem) throw new ReparseWhole();
			p = found.problem;
		}
		if (p) this.item(i);
		return p;
	}

	size(i: number): number {
		const { ranges } = this.split;
		return (ranges[2 * i + 1] as number) - (ranges[2 * i] as number);
	}

	prepare(i: number): Promise<void> | undefined {
		return this.read.prepare(i);
	}

	docBytes(i: number): Uint8Array | undefined {
		const { docs, ranges } = this.split;
		// Where the document is: the entry's "server" (api), its "value" (fork), the entry itself (seed).
		const shape = this.shape;
		const at = DOC_FIELDS * i + (shape === "api" ? 0 : shape === "fork" ? 2 : 4);
		if (shape === "seed") return ((docs[at] as number) & 1) === 1 ? this.read.of(i) : undefined;
		const start = docs[at] as number;
		const end = docs[at + 1] as number;
		if (start < 0 || end < 0) return undefined;
		const from = ranges[2 * i] as number;
		return this.read.of(i).subarray(start - from, end - from);
	}
}

export interface RawEntry {
	at: string;
	doc: unknown;
	/** The official metadata as the file gives it (fork: gathered from the record's fields). */
	official: unknown;
	/** Where the official metadata sits, and the name each of its fields has in the file. */
	officialAt: string;
	officialField: (key: string) => string;
	meta: Record<string, unknown> | undefined;
	/** Where the server document sits in the entry: "server", "value", or "" (seed shape). */
	docField: string;
	problems: { field: string; message: string }[];
}

const FORK_FIELDS: Record<string, string> = {
	status: "status",
	publishedAt: "published_at",
	updatedAt: "updated_at",
	isLatest: "is_latest",
};

const OFFICIAL_AT = `_meta["${OFFICIAL}"]`;
const asIs = (key: string) => key;

/** One item of the file, by shape, with its official metadata and its problems so far. */
export function rawEntry(item: unknown, i: number, shape: Shape): RawEntry {
	const none = { official: undefined, officialAt: "", officialField: asIs, meta: undefined, docField: "" };
	const at = entryAt(shape, i);
	if (shape === "seed") return { at, doc: item, ...none, problems: [] };
	const problems: { field: string; message: string }[] = [];
	if (!isObject(item)) {
		problems.push({ field: "", message: "expected an object" });
		return { at, doc: undefined, ...none, problems };
	}
	if (shape === "api") {
		if (!("server" in item)) problems.push({ field: "server", message: "is required (API list shape)" });
		let meta: Record<string, unknown> | undefined;
		if (item._meta !== undefined) {
			if (isObject(item._meta)) meta = item._meta;
			else problems.push({ field: "_meta", message: "expected an object" });
		}
		return {
			at,
			doc: item.server,
			official: meta?.[OFFICIAL],
			officialAt: OFFICIAL_AT,
			officialField: (k) => `${OFFICIAL_AT}.${k}`,
			meta,
			docField: "server",
			problems,
		};
	}
	// Fork record: the outer fields are the official metadata; `meta` only fills gaps.
	const fallback = isObject(item.meta) ? item.meta : {};
	const official: Record<string, unknown> = {};
	for (const [key, field] of Object.entries(FORK_FIELDS)) official[key] = item[field] ?? fallback[key];
	if (item.value === undefined || item.value === null) {
		problems.push({ field: "value", message: "is required: the record has no server document" });
	} else if (isObject(item.value)) {
		if (item.server_name !== undefined && item.server_name !== item.value.name) {
			problems.push({
				field: "server_name",
				message: `${JSON.stringify(item.server_name)} does not match value.name ${JSON.stringify(item.value.name)}`,
			});
		}
		if (item.version !== undefined && item.version !== item.value.version) {
			problems.push({
				field: "version",
				message: `${JSON.stringify(item.version)} does not match value.version ${JSON.stringify(item.value.version)}`,
			});
		}
	}
	return {
		at,
		doc: item.value,
		official,
		officialAt: "",
		officialField: (k) => FORK_FIELDS[k] ?? k,
		meta: undefined,
		docField: "value",
		problems,
	};
}
