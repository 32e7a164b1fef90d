/**
 * The build process. The server loads a registry file by running its own executable again
 * (`registry __build-snapshot REQUEST`; from source, this module), which reads and builds it and
 * writes the finished snapshot to its standard output (frames, see FRAME_*), then exits: the
 * file's bytes, the parsed entries and every byte of garbage the build made go back to the
 * system with the process, and the server holds nothing of a load but its result.
 *
 * A file of some size is built on two threads: this one splits the file and publishes its
 * entries a block at a time (parts.ts, Pipeline); a helper Worker checks the blocks as they come
 * and hashes the file between them; once the split is done this thread checks blocks too. Each
 * sorts what it kept; this thread tells every entry to one Tally in file order (the report, the
 * duplicates), merges the two sorted lists and indexes. The process runs without JavaScriptCore's
 * FTL compiler (process-loader.ts, BUILD_ENV): too slow to pay for itself in a build this short.
 */

import { writeSync } from "node:fs";
import { stat } from "node:fs/promises";
import { availableParallelism, setPriority } from "node:os";
import { Tally } from "./entries.ts";
import { withFile } from "./file.ts";
import { FileHasher } from "./hash.ts";
import { type BuildOptions, type InvalidEntries, indexSteps } from "./load.ts";
import { drain } from "./pace.ts";
import {
	checkPart,
	mergeParts,
	type Part,
	type PartMessage,
	Pipeline,
	type PipelineShare,
	partOfMessage,
	sortPart,
} from "./parts.ts";
import { RegistryLoadError } from "./report.ts";
import { itemsOfBytes, ReparseWhole, SplitSource, shapeOf, unloadable } from "./shapes.ts";
import type { SnapshotData } from "./snapshot.ts";
import { type EntrySink, topLevel } from "./split.ts";
import { timestampFromDate } from "./time.ts";
import { encodeSnapshot } from "./wire.ts";

/** The hidden command word that makes the executable a build process. */
export const BUILD_COMMAND = "__build-snapshot";

/** What to build, as the command's one argument (JSON). */
export interface BuildRequest {
	path: string;
	invalidEntries: InvalidEntries;
	/** How messages name the data (default: the path). */
	name?: string;
	/** MCP_REGISTRY_MAX_FILE_BYTES: a larger file is refused before it is read. */
	maxBytes?: number;
	keepProblems?: number;
	/** Write the snapshot to file descriptor 3 (a temp file the server made), not to the pipe. */
	toFd3?: boolean;
	/** From this size on the file is built on two threads (default PARALLEL_BYTES; for tests). */
	parallelBytes?: number;
	/** false: no MD5 of the file (only the S3 sync compares it with ETags); the data's `md5` is "". */
	md5?: boolean;
	/**
	 * The build's CPU priority, as a nice value (10: below the server's): set before any thread
	 * of the build is made, so every one has it. A reload then takes the cores the server does not.
	 */
	nice?: number;
}

/**
 * A frame: type and payload length (u32, little-endian), then the payload. READ: the file is
 * read whole (a timeout past it may end the process at once); FAIL: JSON `{message, report?}`;
 * DATA: the snapshot (wire.ts); WRITTEN: the snapshot, of the frame's length, is in the file of
 * descriptor 3 (no payload follows). One of the last three ends the output.
 */
export const FRAME_READ = 1;
export const FRAME_FAIL = 2;
export const FRAME_DATA = 3;
export const FRAME_WRITTEN = 4;

/** From this size on a file is built on two threads, when there are two cores. */
export const PARALLEL_BYTES = 4 << 20;

/** Writes all of `bytes` to `fd`, waiting for the reader when it is a full pipe. */
function writeOut(bytes: Uint8Array, fd = 1): void {
	for (let at = 0; at < bytes.byteLength; ) {
		try {
			at += writeSync(fd, bytes, at);
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
			Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
		}
	}
}

/** Writes the pieces to `fd`; false when it cannot take them (a full disk: the pipe then does). */
function writeAll(pieces: Uint8Array[], fd: number): boolean {
	try {
		for (const piece of pieces) writeOut(piece, fd);
		return true;
	} catch {
		return false;
	}
}

function writeFrame(type: number, pieces: Uint8Array[], length: number): void {
	const head = new Uint8Array(8);
	const view = new DataView(head.buffer);
	view.setUint32(0, type, true);
	view.setUint32(4, length, true);
	writeOut(head);
	for (const piece of pieces) writeOut(piece);
}

/** Runs the build of `requestJson` (a BuildRequest), writing frames to standard output. */
export async function runBuildProcess(requestJson: string | undefined, workerUrl: string): Promise<number> {
	try {
		const request = JSON.parse(requestJson ?? "") as BuildRequest;
		if (request.nice) {
			try {
				setPriority(request.nice);
			} catch {} // not allowed here: the build runs as it is
		}
		const data = await buildInParts(request, workerUrl, () => writeFrame(FRAME_READ, [], 0));
		const encoded = encodeSnapshot(data);
		if (encoded.length > 0xffffffff)
			throw new RegistryLoadError(`${request.name ?? request.path}: too large to load`);
		if (request.toFd3 && writeAll(encoded.pieces, 3)) {
			writeFrame(FRAME_WRITTEN, [], encoded.length);
		} else {
			writeFrame(FRAME_DATA, encoded.pieces, encoded.length);
		}
	} catch (err) {
		const failure = {
			message: (err as Error).message,
			report: err instanceof RegistryLoadError ? err.report : undefined,
		};
		const json = new TextEncoder().encode(JSON.stringify(failure));
		writeFrame(FRAME_FAIL, [json], json.byteLength);
	}
	return 0;
}

export function hashOf(bytes: Uint8Array, md5 = true): { contentHash: string; md5: string } {
	return new FileHasher(bytes, md5).digest();
}

/** What the helper thread sends back: the file's hashes, then its part (or why it has none). */
export type HelperReply =
	| { kind: "hashed"; contentHash: string; md5: string }
	| { kind: "part"; part: PartMessage }
	| { kind: "failed"; reparse?: boolean; message?: string };

interface Deferred<T> {
	promise: Promise<T>;
	resolve(value: T): void;
	reject(err: Error): void;
}

function deferred<T>(): Deferred<T> {
	const d = {} as Deferred<T>;
	d.promise = new Promise<T>((resolve, reject) => {
		d.resolve = resolve;
		d.reject = reject;
	});
	d.promise.catch(() => {}); // awaited later, or never when the build fails first
	return d;
}

type Hashes = { contentHash: string; md5: string };

/** The helper Worker of a build (load-worker.ts answers its messages). */
class Helper {
	private readonly worker: Worker;
	private readonly hashes = deferred<Hashes>();
	private readonly part = deferred<Part>();

	constructor(url: string) {
		this.worker = new Worker(url, { type: "module" });
		const fail = (err: Error) => {
			this.hashes.reject(err);
			this.part.reject(err);
		};
		this.worker.onmessage = (event: MessageEvent<HelperReply>) => {
			const m = event.data;
			if (m.kind === "hashed") this.hashes.resolve({ contentHash: m.contentHash, md5: m.md5 });
			else if (m.kind === "part") this.part.resolve(partOfMessage(m.part));
			else fail(m.reparse ? new ReparseWhole() : new Error(m.message ?? "the helper thread failed"));
		};
		this.worker.onerror = (event: ErrorEvent) =>
			fail(new Error(`the helper thread failed: ${event.message}`));
	}

	/** The helper joins the pipeline: it hashes the file and checks blocks as they are published. */
	start(
		bytes: Uint8Array,
		share: PipelineShare,
		entryBase: number,
		mtimeMs: number,
		expected: number,
		md5: boolean,
	): void {
		this.worker.postMessage({ kind: "start", bytes, share, entryBase, mtimeMs, expected, md5 });
	}

	result(): Promise<[Hashes, Part]> {
		return Promise.all([this.hashes.promise, this.part.promise]);
	}

	terminate(): void {
		this.worker.terminate();
	}
}

/**
 * Reads and builds a registry file as a load on one thread would (the same checks, report and
 * result), on two threads when the file is large enough. `onRead`: the file is read whole.
 */
export async function buildInParts(
	request: BuildRequest,
	workerUrl: string,
	onRead: () => void,
): Promise<SnapshotData> {
	const { path, invalidEntries, maxBytes, keepProblems } = request;
	const file = request.name ?? path;
	// The helper starts first: it is ready by the time the file is read and split.
	const size = await stat(path).then(
		(s) => (s.isFile() ? s.size : 0),
		() => 0,
	);
	const helper =
		size >= (request.parallelBytes ?? PARALLEL_BYTES) &&
		size <= (maxBytes ?? Number.POSITIVE_INFINITY) &&
		availableParallelism() > 1
			? new Helper(workerUrl)
			: undefined;
	try {
		return await withFile(
			path,
			{ invalidEntries, name: request.name, maxBytes, keepProblems, onRead, shared: helper !== undefined },
			async (input, mtime) => {
				const { bytes } = input;
				const pipeline = new Pipeline();
				const expected = bytes.byteLength * 1.1;
				const entryBase = topLevel(bytes) === "array" ? 1 : 2;
				const md5 = request.md5 !== false;
				helper?.start(bytes, pipeline.share(), entryBase, mtime.getTime(), expected / 2, md5);
				let source: SplitSource | undefined;
				try {
					source = drain(itemsOfBytes(bytes, file, undefined, shapeFirst(pipeline, bytes, entryBase)));
				} catch (err) {
					pipeline.fail();
					if (!(err instanceof ReparseWhole)) throw err;
				}
				if (!source) {
					pipeline.fail();
					throw unloadable(bytes, file);
				}
				// Told early from the first entries, or now (none told it): the same rule either way.
				if (!pipeline.hasShape()) pipeline.setShape(source.shape);
				else if (pipeline.shape() !== source.shape) throw new Error("the entries' shape changed");
				pipeline.done(source.count);
				const fallback = timestampFromDate(mtime);
				let parts: Part[];
				let hashes: Hashes;
				try {
					const mine = checkPart(source, pipeline.claim, fallback, helper ? expected / 2 : expected);
					sortPart(mine);
					if (helper) {
						const [theirs, part] = await helper.result();
						hashes = theirs;
						parts = [mine, part];
					} else {
						hashes = hashOf(bytes, md5);
						parts = [mine];
					}
				} catch (err) {
					if (err instanceof ReparseWhole) throw unloadable(bytes, file);
					throw err;
				}
				const build: BuildOptions = {
					file,
					mtime,
					invalidEntries,
					keepProblems,
					fileBytes: bytes.byteLength,
					...hashes,
				};
				const tally = new Tally(source.shape, keepProblems);
				const { kept, arena, search } = mergeParts(parts, source.count, tally);
				const report = tally.report(build, source.count);
				return drain(indexSteps(kept, arena, search, source.shape, report, build));
			},
		);
	} finally {
		helper?.terminate();
	}
}

/**
 * The pipeline's sink, which also decides the entries' shape as soon as the first of them tell it
 * (as firstShape would): no block goes out before.
 */
function shapeFirst(pipeline: Pipeline, bytes: Uint8Array, entryBase: number): EntrySink {
	const sink = pipeline.sink();
	if (entryBase === 1) {
		pipeline.setShape("seed");
		return sink;
	}
	let decided = false;
	const probe = new SplitSource(
		bytes,
		{ ranges: pipeline.ranges, docs: pipeline.docs, problems: new Map(), entryBase },
		"api",
	);
	return {
		get ranges() {
			return sink.ranges;
		},
		get docs() {
			return sink.docs;
		},
		add(start, end, doc) {
			sink.add(start, end, doc);
			if (decided) return;
			const n = sink.ranges.length / 2 - 1;
			if (probe.problem(n)) return;
			decided = true;
			pipeline.setShape(shapeOf(probe.item(n)));
		},
	};
}

if (import.meta.main && process.argv[2] === BUILD_COMMAND) {
	const url = new URL("./load-worker.ts", import.meta.url).href;
	runBuildProcess(process.argv[3], url).then(
		(code) => process.exit(code),
		(err: Error) => {
			process.stderr.write(`${err.stack ?? err.message}\n`);
			process.exit(1);
		},
	);
}
