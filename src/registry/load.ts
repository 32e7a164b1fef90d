/**
 * The registry file → SnapshotData: find the entries of its shape (shapes.ts), make each an
 * entry to serve (official.ts) and write it once into the arena (arena.ts), choose the latest
 * versions (latest.ts), sort, and index; what was wrong goes into the report (report.ts).
 *
 * Every step yields now and then (pace.ts), so a load runs in a Worker, in one go, or on the
 * serving thread in slices; its result crosses from a Worker by transfer (snapshot.ts).
 */
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { collectGarbage } from "../runtime.ts";
import { ArenaWriter, searchSteps } from "./arena.ts";
import { chooseLatest } from "./latest.ts";
import { type Entry, normalise } from "./official.ts";
import { drain, paced, type Steps } from "./pace.ts";
import { describeErrors, ProblemLog, RegistryLoadError } from "./report.ts";
import {
	decodeRegistryText,
	type ItemSource,
	itemsOfBytes,
	itemsOfDocument,
	parseRegistryJson,
	ReparseWhole,
	rawEntry,
} from "./shapes.ts";
import type { SnapshotData, SnapshotIndex } from "./snapshot.ts";
import { timestampFromDate } from "./time.ts";

export { RegistryLoadError } from "./report.ts";
export { decodeRegistryText, parseRegistryJson } from "./shapes.ts";

export type InvalidEntries = "reject" | "skip";

export interface BuildOptions {
	file: string;
	invalidEntries: InvalidEntries;
	/** Default for missing timestamps: the file's modification time. */
	mtime: Date;
	contentHash?: string;
	/** The bytes' MD5 (a single-part S3 object's ETag), for the applied-object state. */
	md5?: string;
	fileBytes?: number;
	/** How many errors and warnings the report keeps in full (default 20); all are counted. */
	keepProblems?: number;
}

export type LoadBytesOptions = Omit<BuildOptions, "contentHash" | "md5" | "fileBytes">;

const GC_EVERY = 4096;

const byNameVersion = (a: Entry, b: Entry) =>
	a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : a.version > b.version ? 1 : 0;

/** Validates a parsed registry document and builds the data of a Snapshot. */
export function buildSnapshotData(doc: unknown, options: BuildOptions): SnapshotData {
	return drain(buildSteps(itemsOfDocument(doc, options.file), options));
}

function* buildSteps(source: ItemSource, options: BuildOptions): Steps<SnapshotData> {
	const { file } = options;
	const { shape } = source;
	const fallback = timestampFromDate(options.mtime);
	const problems = new ProblemLog(options.keepProblems);
	const entries: Entry[] = [];
	const seen = new Map<string, string>();
	// Output is about the size of a compact input; the writer grows when it is not.
	const writer = new ArenaWriter(Math.ceil((options.fileBytes ?? 1 << 20) * 1.05));
	for (let i = 0; i < source.count; i++) {
		// One entry at a time: its parsed form is garbage as soon as it is normalised. Collect
		// that garbage as we go, or the heap grows to several times the file before it is.
		if (i % GC_EVERY === GC_EVERY - 1) collectGarbage(false);
		if (i % 64 === 63) yield;
		const normalised = normalise(rawEntry(source.item(i), i, shape), fallback);
		const entry = normalised.entry;
		if (!entry) {
			problems.invalid(normalised.problems);
			continue;
		}
		const key = `${entry.name}\u0000${entry.version}`;
		const first = seen.get(key);
		if (first !== undefined) {
			problems.invalid([
				{
					entry: entry.at,
					name: entry.name,
					version: entry.version,
					field: "version",
					message: `duplicate of ${first}: the same name and version appear twice`,
				},
			]);
			continue;
		}
		seen.set(key, entry.at);
		for (const a of entry.advice)
			problems.warning({ entry: entry.at, name: entry.name, version: entry.version, ...a });
		writer.write(entry);
		entries.push(entry);
	}
	const report = problems.report({ file, shape, total: source.count, loaded: entries.length });
	if (report.errors.count > 0 && options.invalidEntries === "reject") {
		throw new RegistryLoadError(describeErrors(report), report);
	}

	yield;
	entries.sort(byNameVersion);
	yield;
	const latest = chooseLatest(entries);
	yield;
	const { arena, spans } = writer.finish(entries, latest);
	const n = entries.length;
	const status = new Uint8Array(n);
	const latestFlags = new Uint8Array(n);
	let nameCount = 0;
	for (let i = 0; i < n; i++) {
		const e = entries[i] as Entry;
		status[i] = e.status;
		latestFlags[i] = latest.has(e) ? 1 : 0;
		if (i === 0 || (entries[i - 1] as Entry).name !== e.name) nameCount++;
	}
	const loadedAt = new Date().toISOString();
	const index: SnapshotIndex = {
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
	};
	const provenance = {
		source: file,
		shape,
		contentHash: options.contentHash ?? "",
		md5: options.md5 ?? "",
		fileBytes: options.fileBytes ?? 0,
		loadedAt,
		report,
	};
	return { index, provenance };
}

export interface LoadFileOptions {
	invalidEntries: InvalidEntries;
	/** Build in slices of this many milliseconds, letting requests through between them. */
	pacedMs?: number;
	/** How messages and /health name the data (default: the path), e.g. the S3 object it came from. */
	name?: string;
	/** How many errors and warnings the report keeps in full (default 20); all are counted. */
	keepProblems?: number;
	/** Abandons the read, and a paced build between slices (a build in one go runs to its end). */
	signal?: AbortSignal;
}

/** Reads, parses and validates a registry file. Throws RegistryLoadError naming the file. */
export async function loadRegistryFile(path: string, options: LoadFileOptions): Promise<SnapshotData> {
	let bytes: Uint8Array;
	let mtime: Date;
	try {
		const [content, info] = await Promise.all([readFile(path, { signal: options.signal }), stat(path)]);
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
		keepProblems: options.keepProblems,
	});
	return options.pacedMs ? paced(steps, options.pacedMs, options.signal) : drain(steps);
}

/** SHA-256 for /health, MD5 for comparing with S3 ETags: one pass, a MiB at a time. */
function* hashSteps(bytes: Uint8Array): Steps<{ contentHash: string; md5: string }> {
	const sha256 = createHash("sha256");
	const md5 = createHash("md5");
	for (let at = 0; at < bytes.byteLength; at += 1 << 20) {
		const chunk = bytes.subarray(at, at + (1 << 20));
		sha256.update(chunk);
		md5.update(chunk);
		yield;
	}
	return { contentHash: sha256.digest("hex"), md5: md5.digest("hex") };
}

function* loadSteps(bytes: Uint8Array, options: LoadBytesOptions): Steps<SnapshotData> {
	const build: BuildOptions = {
		...options,
		...(yield* hashSteps(bytes)),
		fileBytes: bytes.byteLength,
	};
	try {
		const source = yield* itemsOfBytes(bytes);
		if (source) return yield* buildSteps(source, build);
	} catch (err) {
		if (!(err instanceof ReparseWhole)) throw err;
	}
	// The whole-text parse: for files the scanner does not take, and for the precise error.
	const doc = parseRegistryJson(decodeRegistryText(bytes, options.file), options.file);
	return buildSnapshotData(doc, build);
}

export function loadRegistryBytes(bytes: Uint8Array, options: LoadBytesOptions): SnapshotData {
	return drain(loadSteps(bytes, options));
}
