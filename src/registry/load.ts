/**
 * The registry file → SnapshotData: find the entries of its shape (shapes.ts; the scanner in
 * split.ts also refuses duplicate keys and deep nesting), make each an entry to serve
 * (official.ts) and write it once into the arena (arena.ts), choose the latest versions
 * (latest.ts), sort, and index; what was wrong goes into the report (report.ts).
 *
 * Memory: a file over MCP_REGISTRY_MAX_FILE_BYTES is refused unread. A regular file is read
 * whole once, to hash and split it; its entries are then read again a window at a time, and its
 * buffer, free by then, takes the arena. So a load holds the file once, not the file and the
 * arena side by side, and nothing of an entry but what the index needs outlives the entry.
 *
 * Every step yields now and then (pace.ts), so a load runs in a Worker, in one go, or on the
 * serving thread in slices; its result crosses from a Worker by transfer (snapshot.ts).
 */
import { collectGarbage } from "../runtime.ts";
import { ArenaWriter, finishArena, type Kept, searchSteps } from "./arena.ts";
import { type CheckedFile, checkSteps, entrySteps } from "./entries.ts";
import { discard, type Input, type LoadFileOptions, withFile } from "./file.ts";
import { FileHasher } from "./hash.ts";
import { chooseLatestSorted } from "./latest.ts";
import { drain, paced, run, type Steps, wait } from "./pace.ts";
import { byNameVersion } from "./parts.ts";
import type { LoadReport } from "./report.ts";
import {
	type ItemSource,
	itemsOfBytes,
	itemsOfDocument,
	ReparseWhole,
	type Shape,
	unloadable,
} from "./shapes.ts";
import type { SnapshotData, SnapshotIndex } from "./snapshot.ts";

export type { CheckedFile } from "./entries.ts";
export { FileTooLargeError, type LoadFileOptions, readRegistryFile } from "./file.ts";
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
	/** Called once every entry is read: the file's bytes are not needed any more. */
	release?: () => void;
}

export type LoadBytesOptions = Omit<BuildOptions, "contentHash" | "md5" | "fileBytes">;

/** Validates a parsed registry document and builds the data of a Snapshot. */
export function buildSnapshotData(doc: unknown, options: BuildOptions): SnapshotData {
	return drain(buildSteps(itemsOfDocument(doc, options.file), options));
}

/** `spare`: a buffer the arena may be written into (see ArenaWriter). */
function* buildSteps(source: ItemSource, options: BuildOptions, spare?: Uint8Array): Steps<SnapshotData> {
	const entries: Kept[] = [];
	// The served entries are about the size of the file plus their official metadata.
	const writer = new ArenaWriter((options.fileBytes ?? 0) + source.count * 512, spare);
	const report = yield* entrySteps(source, options, true, (entry) => {
		entries.push(writer.write(entry));
	});
	options.release?.();
	// The last entries' garbage goes before the index takes its place.
	collectGarbage(false);
	const { arena, search } = writer.done();
	yield;
	entries.sort(byNameVersion);
	return yield* indexSteps(entries, arena, search, source.shape, report, options);
}

/**
 * The data of a snapshot from the entries kept, in list order (byNameVersion), written in
 * `arena` (and their search texts in `search`): the latest version of each name marked, indexed.
 */
export function* indexSteps(
	entries: Kept[],
	arena: Uint8Array[],
	search: Uint8Array[],
	shape: Shape,
	report: LoadReport,
	options: BuildOptions,
): Steps<SnapshotData> {
	yield;
	const latest = chooseLatestSorted(entries);
	collectGarbage(false);
	yield;
	const { chunkOf, spans } = finishArena(arena, entries, latest);
	const n = entries.length;
	const status = new Uint8Array(n);
	let nameCount = 0;
	for (let i = 0; i < n; i++) {
		const e = entries[i] as Kept;
		status[i] = e.status;
		if (i === 0 || (entries[i - 1] as Kept).name !== e.name) nameCount++;
	}
	const loadedAt = new Date().toISOString();
	const index: SnapshotIndex = {
		count: n,
		nameCount,
		arena,
		chunkOf,
		spans,
		names: entries.map((e) => e.name),
		versions: entries.map((e) => e.version),
		status,
		latest,
		updated: entries.map((e) => e.updated),
		published: entries.map((e) => e.published),
		...(yield* searchSteps(search, entries)),
	};
	const provenance = {
		source: options.file,
		shape,
		contentHash: options.contentHash ?? "",
		md5: options.md5 ?? "",
		fileBytes: options.fileBytes ?? 0,
		loadedAt,
		report,
	};
	return { index, provenance };
}

/** Reads, parses and validates a registry file. Throws RegistryLoadError naming the file. */
export function loadRegistryFile(path: string, options: LoadFileOptions): Promise<SnapshotData> {
	return withFile(path, options, (input, mtime) => {
		const steps = loadSteps(input, {
			file: options.name ?? path,
			mtime,
			invalidEntries: options.invalidEntries,
			keepProblems: options.keepProblems,
			release: input.release,
		});
		return options.pacedMs ? paced(steps, options.pacedMs, options.signal) : run(steps);
	});
}

/**
 * Reads and validates a registry file exactly as a load does, without building anything to
 * serve (no arena, no index): what `registry validate` reports, in a fraction of the memory.
 */
export function checkRegistryFile(path: string, options: LoadFileOptions): Promise<CheckedFile> {
	return withFile(path, options, (input, mtime) => {
		const file = options.name ?? path;
		const build: BuildOptions = {
			file,
			mtime,
			invalidEntries: options.invalidEntries,
			keepProblems: options.keepProblems,
		};
		return run(
			sourceSteps(input, file, (source) => {
				// Nothing is built: the file's bytes, once its entries are read again, can go at once.
				if (input.spare) discard(input.spare);
				return checkSteps(source, build);
			}),
		);
	});
}

/** SHA-256 for /health, MD5 for comparing with S3 ETags: one pass, a MiB at a time. */
function* hashSteps(bytes: Uint8Array): Steps<{ contentHash: string; md5: string }> {
	const hasher = new FileHasher(bytes);
	while (hasher.step()) yield;
	return hasher.digest();
}

/** The file's entries, split and handed to `use`; a file that does not split is no registry, and says why. */
function* sourceSteps<T>(input: Input, file: string, use: (source: ItemSource) => Steps<T>): Steps<T> {
	let reread = false;
	try {
		const source = yield* itemsOfBytes(
			input.bytes,
			file,
			input.reread &&
				((ranges) => {
					reread = true;
					return (input.reread as NonNullable<Input["reread"]>)(ranges);
				}),
		);
		if (source) return yield* use(source);
	} catch (err) {
		if (!(err instanceof ReparseWhole)) throw err;
	}
	if (reread && input.spare) discard(input.spare); // what the arena had of it goes first
	const bytes = reread && input.whole ? yield* wait(input.whole()) : input.bytes;
	throw unloadable(bytes, file);
}

function* loadSteps(input: Input, options: LoadBytesOptions): Steps<SnapshotData> {
	const { bytes } = input;
	const build: BuildOptions = {
		...options,
		...(yield* hashSteps(bytes)),
		fileBytes: bytes.byteLength,
	};
	// Once the file is split and its entries read from it again, its bytes take the arena.
	return yield* sourceSteps(input, options.file, (source) => buildSteps(source, build, input.spare));
}

export function loadRegistryBytes(bytes: Uint8Array, options: LoadBytesOptions): SnapshotData {
	return drain(loadSteps({ bytes }, options));
}

/** The same in slices of `budgetMs`, serving the event loop between them (the live mirror's). */
export function loadRegistryBytesPaced(
	bytes: Uint8Array,
	options: LoadBytesOptions,
	budgetMs: number,
	signal?: AbortSignal,
): Promise<SnapshotData> {
	return paced(loadSteps({ bytes }, options), budgetMs, signal);
}
