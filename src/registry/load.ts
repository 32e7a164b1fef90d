/**
 * The registry file → SnapshotData: detect the shape, validate every entry, fill in official
 * metadata, choose the latest version per name, sort, and serialise each entry once.
 *
 * SnapshotData is plain arrays and typed arrays so it can cross from a Worker to the serving
 * thread by transfer; the serving thread never parses JSON.
 */
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { collectGarbage } from "../runtime.ts";
import { findJsonError } from "./json-error.ts";
import { advisories, validateServerDocument } from "./schema.ts";
import { compareVersions } from "./semver.ts";
import { drain, type Steps, splitSteps } from "./split.ts";
import { parseTimestamp, type Timestamp, timestampFromDate } from "./time.ts";

export const OFFICIAL = "io.modelcontextprotocol.registry/official";
export const STATUSES = ["active", "deprecated", "deleted"] as const;
export type Status = (typeof STATUSES)[number];
export const STATUS_DELETED = 2;

export type Shape = "api" | "fork" | "seed";
export type InvalidEntries = "reject" | "skip";

export interface EntryProblem {
	/** Where the entry is in the file, as a JSON path: `servers[3]` or `[3]`. */
	entry: string;
	name?: string;
	version?: string;
	field: string;
	message: string;
}

export interface LoadReport {
	file: string;
	shape: Shape;
	total: number;
	loaded: number;
	skipped: number;
	errors: EntryProblem[];
	warnings: EntryProblem[];
}

export interface SnapshotData {
	source: string;
	shape: Shape;
	contentHash: string;
	fileBytes: number;
	loadedAt: string;
	count: number;
	nameCount: number;
	/**
	 * Every entry's ServerResponse JSON, UTF-8, written in file order; entry i (in list order) is
	 * arena[spans[2i]..spans[2i+1]).
	 */
	arena: Uint8Array;
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
	report: LoadReport;
}

export class RegistryLoadError extends Error {
	constructor(
		message: string,
		readonly report?: LoadReport,
	) {
		super(message);
		this.name = "RegistryLoadError";
	}
}

export interface BuildOptions {
	file: string;
	invalidEntries: InvalidEntries;
	/** Default for missing timestamps: the file's modification time. */
	mtime: Date;
	contentHash?: string;
	fileBytes?: number;
}

interface Entry {
	at: string;
	/** The server document, serialised once; the parsed document itself is not kept. */
	serverJson: string;
	/** Where the finished entry sits in the arena, and where its isLatest value is (patched last). */
	start: number;
	end: number;
	latestAt: number;
	description: string;
	/** Advisory problems of the document (warnings), found while it was at hand. */
	advice: { field: string; message: string }[];
	name: string;
	version: string;
	status: number;
	statusMessage: string | undefined;
	statusChangedAt: Timestamp;
	publishedAt: Timestamp;
	updatedAt: Timestamp;
	flaggedLatest: boolean | undefined;
	/** The entry's _meta as the file had it (api shape), official replaced on output. */
	meta: Record<string, unknown> | undefined;
	officialExtra: Record<string, unknown>;
}

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

// Entries of one file mostly share a handful of timestamp strings: parse each once.
const timestampMemo = new Map<string, Timestamp | undefined>();

function timestamp(
	value: unknown,
	fallback: Timestamp,
	field: string,
	problems: { field: string; message: string }[],
): Timestamp {
	if (value === undefined || value === null) return fallback;
	if (typeof value === "string") {
		let t = timestampMemo.get(value);
		if (t === undefined && !timestampMemo.has(value)) {
			t = parseTimestamp(value);
			if (timestampMemo.size > 100_000) timestampMemo.clear();
			timestampMemo.set(value, t);
		}
		if (t) return t;
	}
	problems.push({ field, message: `is not an RFC 3339 timestamp: ${JSON.stringify(value)}` });
	return fallback;
}

interface RawEntry {
	at: string;
	doc: unknown;
	/** Official fields, by canonical name, as the file gave them. */
	official: Record<string, unknown>;
	/** Field names of the official fields as written in the file, for error messages. */
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

/** Where entries come from: a parsed document, or a file split into separately parsed entries. */
interface ItemSource {
	shape: Shape;
	count: number;
	item(i: number): unknown;
}

function shapeOf(first: unknown): Shape {
	return isObject(first) && !("server" in first) && ("value" in first || "server_name" in first)
		? "fork"
		: "api";
}

/** A parsed top-level value as a source of entries, or the error that says what was expected. */
function itemsOfDocument(doc: unknown, file: string): ItemSource {
	if (Array.isArray(doc)) return { shape: "seed", count: doc.length, item: (i) => doc[i] };
	if (!isObject(doc) || !Array.isArray(doc.servers)) {
		throw new RegistryLoadError(`${file}: ${SHAPES_EXPECTED}`);
	}
	const items = doc.servers as unknown[];
	return { shape: shapeOf(items.find(isObject)), count: items.length, item: (i) => items[i] };
}

/** One item of the file, by shape, with its official metadata and its problems so far. */
function rawEntry(item: unknown, i: number, shape: Shape): RawEntry {
	if (shape === "seed") {
		return {
			at: `[${i}]`,
			doc: item,
			official: {},
			officialField: (k) => k,
			meta: undefined,
			docField: "",
			problems: [],
		};
	}
	const at = `servers[${i}]`;
	const problems: { field: string; message: string }[] = [];
	if (!isObject(item)) {
		problems.push({ field: "", message: "expected an object" });
		return {
			at,
			doc: undefined,
			official: {},
			officialField: (k) => k,
			meta: undefined,
			docField: "",
			problems,
		};
	}
	if (shape === "api") {
		if (!("server" in item)) problems.push({ field: "server", message: "is required (API list shape)" });
		let meta: Record<string, unknown> | undefined;
		let official: Record<string, unknown> = {};
		if (item._meta !== undefined) {
			if (!isObject(item._meta)) problems.push({ field: "_meta", message: "expected an object" });
			else {
				meta = item._meta;
				const o = meta[OFFICIAL];
				if (o !== undefined && !isObject(o)) {
					problems.push({ field: `_meta["${OFFICIAL}"]`, message: "expected an object" });
				} else if (o) official = o;
			}
		}
		return {
			at,
			doc: item.server,
			official,
			officialField: (k) => `_meta["${OFFICIAL}"].${k}`,
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
		officialField: (k) => FORK_FIELDS[k] ?? k,
		meta: undefined,
		docField: "value",
		problems,
	};
}

const KNOWN_OFFICIAL = new Set([
	"status",
	"statusMessage",
	"statusChangedAt",
	"publishedAt",
	"updatedAt",
	"isLatest",
]);

function normalise(r: RawEntry, fallback: Timestamp): { entry?: Entry; problems: EntryProblem[] } {
	const problems = [...r.problems];
	// A missing document was already reported by the shape; don't report it twice.
	const docProblems = r.doc === undefined && problems.length > 0 ? [] : validateServerDocument(r.doc);
	for (const p of docProblems) {
		const field = [r.docField, p.field].filter((s) => s !== "").join(".");
		problems.push({ field, message: p.message });
	}
	const o = r.official;
	let status = 0;
	if (o.status !== undefined && o.status !== null) {
		const i = STATUSES.indexOf(o.status as Status);
		if (i < 0) {
			problems.push({
				field: r.officialField("status"),
				message: `must be one of active, deprecated, deleted (got ${JSON.stringify(o.status)})`,
			});
		} else status = i;
	}
	if (o.statusMessage !== undefined && o.statusMessage !== null && typeof o.statusMessage !== "string") {
		problems.push({ field: r.officialField("statusMessage"), message: "expected a string" });
	}
	if (o.isLatest !== undefined && o.isLatest !== null && typeof o.isLatest !== "boolean") {
		problems.push({ field: r.officialField("isLatest"), message: "expected a boolean" });
	}
	// A missing timestamp falls back along the entry's own (updatedAt → publishedAt,
	// statusChangedAt → updatedAt), and to the file's modification time when none is given.
	const published = timestamp(o.publishedAt, fallback, r.officialField("publishedAt"), problems);
	const updated = timestamp(o.updatedAt, published, r.officialField("updatedAt"), problems);
	const changed = timestamp(o.statusChangedAt, updated, r.officialField("statusChangedAt"), problems);
	const doc = r.doc as Record<string, unknown> | undefined;
	const name = typeof doc?.name === "string" ? doc.name : undefined;
	const version = typeof doc?.version === "string" ? doc.version : undefined;
	const located = problems.map((p) => ({ entry: r.at, name, version, ...p }));
	if (located.length > 0 || !doc || name === undefined || version === undefined) return { problems: located };
	const officialExtra: Record<string, unknown> = {};
	for (const [k, val] of Object.entries(o))
		if (!KNOWN_OFFICIAL.has(k) && val !== undefined) officialExtra[k] = val;
	return {
		problems: [],
		entry: {
			at: r.at,
			serverJson: JSON.stringify(doc),
			start: 0,
			end: 0,
			latestAt: 0,
			description: typeof doc.description === "string" ? doc.description : "",
			advice: advisories(doc),
			name,
			version,
			status,
			statusMessage: typeof o.statusMessage === "string" ? o.statusMessage : undefined,
			statusChangedAt: changed,
			publishedAt: published,
			updatedAt: updated,
			flaggedLatest: typeof o.isLatest === "boolean" ? o.isLatest : undefined,
			meta: r.meta,
			officialExtra,
		},
	};
}

/** Marks one latest version per name: the file's flag when exactly one version has it, else computed. */
function chooseLatest(entries: Entry[]): Set<Entry> {
	const byName = new Map<string, Entry[]>();
	for (const e of entries) {
		const list = byName.get(e.name);
		if (list) list.push(e);
		else byName.set(e.name, [e]);
	}
	const latest = new Set<Entry>();
	for (const list of byName.values()) {
		const flagged = list.filter((e) => e.flaggedLatest === true);
		if (flagged.length === 1) {
			latest.add(flagged[0] as Entry);
			continue;
		}
		let best = list[0] as Entry;
		for (const e of list) {
			const c = compareVersions(e.version, best.version, e.publishedAt.key, best.publishedAt.key);
			// On equal precedence the version published first stays latest, as upstream keeps it.
			if (c > 0 || (c === 0 && e.publishedAt.key < best.publishedAt.key)) best = e;
		}
		latest.add(best);
	}
	return latest;
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

/** A byte buffer that grows; entries are appended as they are validated. */
class ArenaWriter {
	bytes: Uint8Array;
	length = 0;

	constructor(capacity: number) {
		this.bytes = new Uint8Array(Math.max(1024, capacity));
	}

	private reserve(n: number): void {
		if (this.length + n <= this.bytes.length) return;
		const grown = new Uint8Array(Math.max(this.length + n, Math.ceil(this.bytes.length * 1.5)));
		grown.set(this.bytes.subarray(0, this.length));
		this.bytes = grown;
	}

	append(piece: Uint8Array): void {
		this.reserve(piece.length);
		this.bytes.set(piece, this.length);
		this.length += piece.length;
	}

	appendString(s: string): void {
		this.reserve(s.length * 3);
		this.length += encoder.encodeInto(s, this.bytes.subarray(this.length)).written;
	}
}

/** Writes `{"server":…,"_meta":…}` for an entry and records where it and its isLatest value are. */
function writeEntry(w: ArenaWriter, e: Entry): void {
	e.start = w.length;
	w.append(SERVER_OPEN);
	w.appendString(e.serverJson);
	w.append(META_OPEN);
	const meta = metaJson(e);
	const before = w.length;
	w.appendString(meta.json);
	e.latestAt = before + Buffer.byteLength(meta.json.slice(0, meta.latestAt), "utf8");
	w.append(CLOSE);
	e.end = w.length;
	e.serverJson = ""; // written: the string can go
}

const GC_EVERY = 4096;

const encoder = new TextEncoder();
const SERVER_OPEN = encoder.encode('{"server":');
const META_OPEN = encoder.encode(',"_meta":');
const CLOSE = encoder.encode("}");
const TRUE_ = encoder.encode("true ");

const byNameVersion = (a: Entry, b: Entry) =>
	a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : a.version > b.version ? 1 : 0;

/** Validates a parsed registry document and builds the data of a Snapshot. */
export function buildSnapshotData(doc: unknown, options: BuildOptions): SnapshotData {
	return buildFromItems(itemsOfDocument(doc, options.file), options);
}

function buildFromItems(source: ItemSource, options: BuildOptions): SnapshotData {
	return drain(buildSteps(source, options));
}

function* buildSteps(source: ItemSource, options: BuildOptions): Steps<SnapshotData> {
	const { file } = options;
	const { shape } = source;
	const fallback = timestampFromDate(options.mtime);
	const errors: EntryProblem[] = [];
	const warnings: EntryProblem[] = [];
	const entries: Entry[] = [];
	const seen = new Map<string, string>();
	// Output is about the size of a compact input; the writer grows when it is not.
	const writer = new ArenaWriter(Math.ceil((options.fileBytes ?? 1 << 20) * 1.05));
	for (let i = 0; i < source.count; i++) {
		// One entry at a time: its parsed form is garbage as soon as it is normalised. Collect
		// that garbage as we go, or the heap grows to several times the file before it is.
		if (i % GC_EVERY === GC_EVERY - 1) collectGarbage(false);
		if (i % 64 === 63) yield;
		const { entry, problems } = normalise(rawEntry(source.item(i), i, shape), fallback);
		if (!entry) {
			errors.push(...problems);
			continue;
		}
		const key = `${entry.name}\u0000${entry.version}`;
		const first = seen.get(key);
		if (first !== undefined) {
			errors.push({
				entry: entry.at,
				name: entry.name,
				version: entry.version,
				field: "version",
				message: `duplicate of ${first}: the same name and version appear twice`,
			});
			continue;
		}
		seen.set(key, entry.at);
		for (const a of entry.advice)
			warnings.push({ entry: entry.at, name: entry.name, version: entry.version, ...a });
		writeEntry(writer, entry);
		entries.push(entry);
	}
	const report: LoadReport = {
		file,
		shape,
		total: source.count,
		loaded: entries.length,
		skipped: source.count - entries.length,
		errors,
		warnings,
	};
	if (errors.length > 0 && options.invalidEntries === "reject") {
		throw new RegistryLoadError(describeErrors(report), report);
	}

	yield;
	entries.sort(byNameVersion);
	yield;
	const latest = chooseLatest(entries);
	yield;
	const n = entries.length;
	const arena = writer.bytes;
	const spans = new Uint32Array(2 * n);
	for (let i = 0; i < n; i++) {
		const e = entries[i] as Entry;
		if (latest.has(e)) arena.set(TRUE_, e.latestAt);
		spans[2 * i] = e.start;
		spans[2 * i + 1] = e.end;
	}
	const status = new Uint8Array(n);
	const latestFlags = new Uint8Array(n);
	let nameCount = 0;
	for (let i = 0; i < n; i++) {
		const e = entries[i] as Entry;
		status[i] = e.status;
		latestFlags[i] = latest.has(e) ? 1 : 0;
		if (i === 0 || (entries[i - 1] as Entry).name !== e.name) nameCount++;
	}
	return {
		source: file,
		shape,
		contentHash: options.contentHash ?? "",
		fileBytes: options.fileBytes ?? 0,
		loadedAt: new Date().toISOString(),
		count: n,
		nameCount,
		arena,
		spans,
		names: entries.map((e) => e.name),
		versions: entries.map((e) => e.version),
		status,
		latest: latestFlags,
		updated: entries.map((e) => e.updatedAt.key),
		published: entries.map((e) => e.publishedAt.key),
		...(yield* searchSteps(entries)),
		report,
	};
}

function* searchSteps(entries: Entry[]): Steps<{ searchBlob: Uint8Array; searchOffsets: Uint32Array }> {
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

export function describeProblem(p: EntryProblem): string {
	const who = p.name ? ` (${p.name}${p.version !== undefined ? ` ${p.version}` : ""})` : "";
	return `${p.entry}${who}: ${p.field ? `${p.field} ` : ""}${p.message}`;
}

const MAX_LISTED = 20;

export function describeErrors(report: LoadReport): string {
	const n = report.errors.length;
	const lines = report.errors.slice(0, MAX_LISTED).map((p) => `  ${describeProblem(p)}`);
	if (n > MAX_LISTED) lines.push(`  … and ${n - MAX_LISTED} more`);
	const entries = new Set(report.errors.map((p) => p.entry)).size;
	return `${report.file}: ${entries} invalid ${entries === 1 ? "entry" : "entries"} of ${report.total} (MCP_REGISTRY_INVALID_ENTRIES=reject refuses the whole file; "skip" drops them):\n${lines.join("\n")}`;
}

/** Warnings grouped by kind, for one log line each per load. */
export function summariseWarnings(report: LoadReport): { message: string; count: number; first: string }[] {
	const groups = new Map<string, { message: string; count: number; first: string }>();
	for (const w of report.warnings) {
		const kind = `${w.field} ${w.message}`;
		const g = groups.get(kind);
		if (g) g.count++;
		else groups.set(kind, { message: kind, count: 1, first: describeProblem(w) });
	}
	return [...groups.values()];
}

export interface LoadFileOptions {
	invalidEntries: InvalidEntries;
	/** Build in slices of this many milliseconds, letting requests through between them. */
	pacedMs?: number;
	/** How messages and /health name the data (default: the path), e.g. the S3 object it came from. */
	name?: string;
}

/** Reads, parses and validates a registry file. Throws RegistryLoadError naming the file. */
export async function loadRegistryFile(path: string, options: LoadFileOptions): Promise<SnapshotData> {
	let bytes: Uint8Array;
	let mtime: Date;
	try {
		const [content, info] = await Promise.all([readFile(path), stat(path)]);
		bytes = content;
		mtime = info.mtime;
	} catch (err) {
		const code = (err as NodeJS.ErrnoException).code;
		throw new RegistryLoadError(
			code === "ENOENT" ? `${path}: no such file` : `${path}: cannot read: ${(err as Error).message}`,
		);
	}
	const steps = loadSteps(bytes, {
		file: options.name ?? path,
		mtime,
		invalidEntries: options.invalidEntries,
	});
	return options.pacedMs ? paced(steps, options.pacedMs) : drain(steps);
}

/** Thrown while reading a split file: the whole-text parse then says precisely what is wrong. */
class ReparseWhole extends Error {}

/** Entries parsed one by one from their byte ranges, or undefined when the file does not split. */
function* splitSource(bytes: Uint8Array): Steps<ItemSource | undefined> {
	const split = yield* splitSteps(bytes);
	if (!split) return undefined;
	const decoder = new TextDecoder("utf-8", { fatal: true });
	try {
		// Everything but the entries, parsed as JSON: the rest of the file is checked as strictly.
		JSON.parse(decoder.decode(split.skeleton));
	} catch {
		return undefined;
	}
	const { ranges } = split;
	const item = (i: number): unknown => {
		try {
			return JSON.parse(decoder.decode(bytes.subarray(ranges[2 * i], ranges[2 * i + 1])));
		} catch {
			throw new ReparseWhole();
		}
	};
	const count = ranges.length / 2;
	if (split.top === "array") return { shape: "seed", count, item };
	return { shape: count > 0 ? shapeOf(item(0)) : "api", count, item };
}

function* sha256Steps(bytes: Uint8Array): Steps<string> {
	const hash = createHash("sha256");
	for (let at = 0; at < bytes.byteLength; at += 1 << 20) {
		hash.update(bytes.subarray(at, at + (1 << 20)));
		yield;
	}
	return hash.digest("hex");
}

function* loadSteps(
	bytes: Uint8Array,
	options: { file: string; mtime: Date; invalidEntries: InvalidEntries },
): Steps<SnapshotData> {
	const build: BuildOptions = {
		...options,
		contentHash: yield* sha256Steps(bytes),
		fileBytes: bytes.byteLength,
	};
	try {
		const source = yield* splitSource(bytes);
		if (source) return yield* buildSteps(source, build);
	} catch (err) {
		if (!(err instanceof ReparseWhole)) throw err;
	}
	// The whole-text parse: for files the scanner does not take, and for the precise error.
	const doc = parseRegistryJson(decodeRegistryText(bytes, options.file), options.file);
	return buildSnapshotData(doc, build);
}

export function loadRegistryBytes(
	bytes: Uint8Array,
	options: { file: string; mtime: Date; invalidEntries: InvalidEntries },
): SnapshotData {
	return drain(loadSteps(bytes, options));
}

/**
 * Runs resumable work on this thread without holding it: whenever a slice has run for
 * `budgetMs`, it lets the event loop serve requests before going on.
 */
export async function paced<T>(steps: Steps<T>, budgetMs: number): Promise<T> {
	let slice = performance.now();
	for (;;) {
		const r = steps.next();
		if (r.done) return r.value;
		if (performance.now() - slice >= budgetMs) {
			await new Promise<void>((resolve) => setTimeout(resolve, 0));
			slice = performance.now();
		}
	}
}
