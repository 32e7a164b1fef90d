/**
 * The current Snapshot and the one way it is replaced. Start-up, SIGHUP, seeding and S3 applies
 * all call `replace`: under one lock it prepares the source (a download, say), reads and builds
 * it within the load timeout, runs the caller's commit (a rename over the registry file), swaps,
 * records the outcome for /health and /metrics, logs the report and updates the applied-object
 * state, so no two paths can drift or interleave.
 */
import type { Logger } from "../log.ts";
import { collectGarbage } from "../runtime.ts";
import { AppliedObject, type Origin } from "./applied.ts";
import {
	FileTooLargeError,
	type InvalidEntries,
	loadRegistryBytes,
	loadRegistryFile,
	RegistryLoadError,
} from "./load.ts";
import type { LoadRequest } from "./load-worker.ts";
import { canBuildInProcess, loadInProcess, sourceBuildCommand } from "./process-loader.ts";
import { describeErrors, summariseWarnings } from "./report.ts";
import { emptySnapshotData, Snapshot, type SnapshotData } from "./snapshot.ts";

export interface LoadOutcome {
	at: string;
	ok: boolean;
	durationMs: number;
	error?: string;
	/** The read or build did not finish within the load timeout and was abandoned. */
	timedOut?: boolean;
}

export type Loader = "paced" | "worker" | "process" | "inline";

export interface StoreOptions {
	path: string;
	invalidEntries: InvalidEntries;
	log: Logger;
	/**
	 * How loads are built: "process" in a build process (build-process.ts; requests never wait,
	 * and the build's memory goes back to the system when it exits; Bun only, elsewhere
	 * "worker"); "worker" on a second thread of this process (requests never wait; the build's
	 * heap stays with the process); "paced" on this thread in slices that let requests through;
	 * "inline" on this thread in one go (for tools and tests). main.ts chooses "process" unless
	 * MCP_REGISTRY_LOAD_WORKER=false.
	 */
	loader?: Loader;
	/**
	 * The command that starts a build process (BUILD_COMMAND and the request follow). A compiled
	 * binary runs itself, so the entry (main.ts) names it; the default suits running from source.
	 */
	buildCommand?: readonly string[];
	/** MCP_REGISTRY_LOAD_TIMEOUT_SECONDS, in ms: a read and build that takes longer is abandoned. */
	timeoutMs?: number;
	/** MCP_REGISTRY_MAX_FILE_BYTES: a larger file (or seed) is refused before it is read. */
	maxFileBytes?: number;
	/**
	 * false: loads in a build process skip the file's MD5 (the applied-object state then knows
	 * an ETag only from S3 itself): for a server without S3 sync, which never compares one.
	 */
	md5?: boolean;
	/**
	 * The worker module. In a compiled binary modules live beside the entry point, so the entry
	 * (main.ts) names it; the default suits running from source.
	 */
	workerUrl?: string;
}

/** What to load, made ready under the store's lock. */
export interface Prepared {
	/** A file to read, or the bytes themselves. Default: the registry file. */
	source?: string | Uint8Array;
	/** How logs and /health name the data (default: the file's path), e.g. the S3 object. */
	name?: string;
	/** Runs once the new data is built and before it is served: e.g. the rename over the target. */
	commit?: () => Promise<void>;
	/** Runs whatever the outcome, after the commit or the failure: e.g. removing a temp file. */
	cleanup?: () => Promise<void>;
	/** The S3 object the bytes came from; without it the applied ETag is the bytes' MD5. */
	origin?: Origin;
	/** Overrides MCP_REGISTRY_INVALID_ENTRIES for this load (a seed must be wholly valid). */
	invalidEntries?: InvalidEntries;
}

export interface ReplaceRequest extends Prepared {
	/**
	 * Runs first, under the lock, with the applied-object state as the previous replace left it:
	 * returns what to load, or a reason to load nothing (what it names is already served).
	 */
	prepare?: (applied: Readonly<AppliedObject>) => Promise<Prepared | { skip: string }>;
	/** Nothing is served yet: build in one go rather than in slices. */
	initial?: boolean;
}

export type ReplaceOutcome =
	| { result: "applied"; snapshot: Snapshot }
	| { result: "skipped"; reason: string };

/** A read or build that did not finish within the load timeout. */
export class LoadTimeoutError extends RegistryLoadError {
	constructor(name: string, seconds: number) {
		super(`${name}: not read and built within ${seconds} s (MCP_REGISTRY_LOAD_TIMEOUT_SECONDS); abandoned`);
		this.name = "LoadTimeoutError";
	}
}

const DEFAULT_WORKER_URL = new URL("./load-worker.ts", import.meta.url).href;
const DEFAULT_TIMEOUT_MS = 60_000;
/** The CPU priority (nice value) of a build process for any load but the first. */
const RELOAD_NICE = 10;
/** The longest a paced build holds the serving thread at a time. */
const PACE_MS = 8;

/**
 * Loads a file in a Worker; the result arrives by transfer. An abort while it builds terminates
 * the Worker at once; an abort while it still reads leaves it to finish the read (a read stuck
 * in the file system cannot be cancelled, and ending its thread would not give back the file
 * system's), and the promise settles only once the Worker is done: the store counts the read as
 * stuck until then.
 */
function loadInWorker(
	request: LoadRequest,
	workerUrl: string,
	signal: AbortSignal,
	onRead: () => void,
): Promise<SnapshotData> {
	return new Promise((resolve, reject) => {
		const worker = new Worker(workerUrl, { type: "module" });
		let reading = true;
		const done = () => {
			signal.removeEventListener("abort", onAbort);
			worker.terminate();
		};
		const onAbort = () => {
			if (reading) return;
			done();
			reject(signal.reason);
		};
		signal.addEventListener("abort", onAbort, { once: true });
		worker.onmessage = (event: MessageEvent) => {
			const m = event.data as {
				read?: true;
				ok?: boolean;
				data?: SnapshotData;
				message?: string;
				report?: never;
			};
			if (m.read) {
				reading = false;
				onRead();
				if (signal.aborted) onAbort();
				return;
			}
			done();
			if (signal.aborted) reject(signal.reason);
			else if (m.ok && m.data) resolve(m.data);
			else reject(new RegistryLoadError(m.message ?? "load failed", m.report));
		};
		worker.onerror = (event: ErrorEvent) => {
			done();
			reject(new RegistryLoadError(`${request.name ?? request.path}: loader failed: ${event.message}`));
		};
		worker.postMessage(request);
	});
}

export class RegistryStore {
	private served: Snapshot;
	lastLoad: LoadOutcome | undefined;
	readonly loads = { success: 0, failure: 0, timeout: 0 };
	lastDurationMs = 0;
	/** What the served bytes are in S3's terms; updated by every replace. */
	readonly applied = new AppliedObject();
	private tail: Promise<void> = Promise.resolve();
	/** Reads abandoned at the timeout that have not settled yet, by file: one at a time each. */
	private readonly abandoned = new Map<string, Promise<unknown>>();
	private reloading: Promise<Snapshot> | undefined;
	private again = false;

	constructor(private readonly options: StoreOptions) {
		this.served = new Snapshot(emptySnapshotData(options.path));
	}

	/** The snapshot being served: requests read it; only a replace changes it. */
	get current(): Snapshot {
		return this.served;
	}

	get path(): string {
		return this.options.path;
	}

	/** The largest registry file a load takes (MCP_REGISTRY_MAX_FILE_BYTES); unset: any. */
	get maxFileBytes(): number | undefined {
		return this.options.maxFileBytes;
	}

	private get timeoutMs(): number {
		return this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
	}

	/**
	 * Replaces the served data, or leaves it exactly as it was and rejects. Replaces run one at a
	 * time, in the order asked, each seeing the file and the applied state the previous one left.
	 */
	replace(request: ReplaceRequest = {}): Promise<ReplaceOutcome> {
		const result = this.tail.then(
			() => this.replaceNow(request),
			() => this.replaceNow(request),
		);
		this.tail = result.then(
			() => {},
			() => {},
		);
		return result;
	}

	/**
	 * SIGHUP: replace from the registry file. Asked for while one runs, it is folded into a single
	 * follow-up, so a burst of signals costs at most two loads; the follow-up runs whatever the
	 * first one's outcome (the file may have been fixed in between), and every caller settles
	 * with the last load's outcome.
	 */
	reload(options: { initial?: boolean } = {}): Promise<Snapshot> {
		if (this.reloading) {
			this.again = true;
			return this.reloading;
		}
		const once = async () => {
			const outcome = await this.replace(options);
			if (outcome.result !== "applied") throw new Error(`reload skipped: ${outcome.reason}`);
			return outcome.snapshot;
		};
		const run = async (): Promise<Snapshot> => {
			try {
				let last = await once().then(
					(snapshot) => ({ ok: true as const, snapshot }),
					(error: unknown) => ({ ok: false as const, error }),
				);
				while (this.again) {
					this.again = false;
					last = await once().then(
						(snapshot) => ({ ok: true as const, snapshot }),
						(error: unknown) => ({ ok: false as const, error }),
					);
				}
				if (!last.ok) throw last.error;
				return last.snapshot;
			} finally {
				this.again = false;
				this.reloading = undefined;
			}
		};
		this.reloading = run();
		return this.reloading;
	}

	private async replaceNow(request: ReplaceRequest): Promise<ReplaceOutcome> {
		let prepared: Prepared = request;
		if (request.prepare) {
			const p = await request.prepare(this.applied);
			if ("skip" in p) return { result: "skipped", reason: p.skip };
			prepared = p;
		}
		const source = prepared.source ?? this.options.path;
		const name = prepared.name ?? (typeof source === "string" ? source : this.options.path);
		const loader = this.loaderFor(source, request.initial === true);
		const started = performance.now();
		const at = new Date().toISOString();
		const elapsed = () => Math.round(performance.now() - started);
		let data: SnapshotData;
		try {
			const invalidEntries = prepared.invalidEntries ?? this.options.invalidEntries;
			data = await this.build(source, { name, loader, invalidEntries, initial: request.initial === true });
			if (prepared.commit) {
				await prepared.commit();
				// A read stuck on what was at this path before is no reason to refuse the next one.
				this.abandoned.delete(this.options.path);
			}
			this.served = new Snapshot(data);
			this.record({ at, ok: true, durationMs: elapsed() });
			this.applied.update(data.provenance.md5 || undefined, prepared.origin);
		} catch (err) {
			// A reload of the registry file itself that fails leaves a file on disk unlike what is
			// served: whatever S3 names next must be downloaded, not skipped as already applied.
			if (source === this.options.path && !prepared.commit) this.applied.forget();
			const timedOut = err instanceof LoadTimeoutError;
			this.record({ at, ok: false, durationMs: elapsed(), error: (err as Error).message, timedOut });
			throw err;
		} finally {
			await prepared.cleanup?.().catch(() => {});
		}
		// What the build left behind (its input, the old snapshot) is garbage now: collect it at
		// once, or the heap keeps it and the process stays at its peak. Requests waiting since the
		// swap go first (a load in a build process has just held this thread to decode).
		if (loader === "process") await new Promise((resolve) => setTimeout(resolve, 0));
		if (loader !== "worker") collectGarbage(true);
		// Done: the report is told after, so that nothing in telling it can undo the replace.
		this.logReport(data, loader);
		return { result: "applied", snapshot: this.current };
	}

	private loaderFor(source: string | Uint8Array, initial: boolean): Loader {
		let configured = this.options.loader ?? "worker";
		if (configured === "process" && !canBuildInProcess) configured = "worker";
		// Bytes in hand (a seed) are built here in one go; so is the start-up load, with nothing
		// to serve yet, unless loads off this thread are asked for (they keep the serving heap small).
		if (typeof source !== "string") return "inline";
		return initial && configured === "paced" ? "inline" : configured;
	}

	/** Reads and builds within the load timeout; past it the work is abandoned and this rejects. */
	private async build(
		source: string | Uint8Array,
		{
			name,
			loader,
			invalidEntries,
			initial,
		}: { name: string; loader: Loader; invalidEntries: InvalidEntries; initial: boolean },
	): Promise<SnapshotData> {
		const key = typeof source === "string" ? source : undefined;
		const seconds = Number((this.timeoutMs / 1000).toFixed(3));
		if (key && this.abandoned.has(key)) {
			throw new RegistryLoadError(
				`${name}: an earlier read of this file, abandoned after ${seconds} s, has still not finished; not starting another`,
			);
		}
		const abort = new AbortController();
		const maxBytes = this.options.maxFileBytes;
		// Until the file is read whole, a timeout may mean a read stuck in the file system.
		let reading = typeof source === "string";
		const onRead = () => {
			reading = false;
		};
		const work: Promise<SnapshotData> =
			typeof source !== "string"
				? Promise.resolve().then(() => {
						if (maxBytes !== undefined && source.byteLength > maxBytes) {
							throw new FileTooLargeError(name, source.byteLength, maxBytes);
						}
						return loadRegistryBytes(source, { file: name, mtime: new Date(), invalidEntries });
					})
				: loader === "process"
					? loadInProcess(
							{
								path: source,
								invalidEntries,
								name,
								maxBytes,
								md5: this.options.md5,
								// Nothing is served yet at start-up; after, requests come first.
								nice: initial ? undefined : RELOAD_NICE,
							},
							this.options.buildCommand ?? sourceBuildCommand(),
							abort.signal,
							onRead,
						)
					: loader === "worker"
						? loadInWorker(
								{ path: source, invalidEntries, name, maxBytes },
								this.options.workerUrl ?? DEFAULT_WORKER_URL,
								abort.signal,
								onRead,
							)
						: loadRegistryFile(source, {
								invalidEntries,
								name,
								pacedMs: loader === "paced" ? PACE_MS : undefined,
								signal: abort.signal,
								maxBytes,
								onRead,
							});
		let timer: ReturnType<typeof setTimeout> | undefined;
		const timeout = new Promise<never>((_, reject) => {
			timer = setTimeout(() => {
				const err = new LoadTimeoutError(name, seconds);
				abort.abort(err);
				reject(err);
			}, this.timeoutMs);
		});
		try {
			return await Promise.race([work, timeout]);
		} catch (err) {
			if (err instanceof LoadTimeoutError && key && reading) {
				// A read stuck in the file system (a hung network mount) cannot be cancelled and
				// holds one of its threads: remember it until it settles, so that signals cannot
				// pile up more of them.
				this.abandoned.set(key, work);
				const settled = () => {
					if (this.abandoned.get(key) === work) this.abandoned.delete(key);
				};
				work.then(settled, settled);
			}
			throw err;
		} finally {
			clearTimeout(timer);
		}
	}

	private record(outcome: LoadOutcome): void {
		this.lastLoad = outcome;
		if (outcome.ok) {
			this.loads.success++;
			this.lastDurationMs = outcome.durationMs;
		} else {
			this.loads.failure++;
			if (outcome.timedOut) this.loads.timeout++;
		}
	}

	/** Logs a successful load: counts, skipped entries, warnings grouped by kind. */
	private logReport(data: SnapshotData, loader: Loader): void {
		const { log } = this.options;
		const { index, provenance } = data;
		const path = provenance.source;
		const r = provenance.report;
		log.info(`Loaded ${index.count} entries (${index.nameCount} servers) from ${path}`, {
			shape: provenance.shape,
			loader,
			ms: this.lastDurationMs,
			skipped: r.skipped || undefined,
			warnings: r.warnings.count || undefined,
		});
		if (r.skipped > 0) {
			log.warn(`Skipped ${r.skipped} invalid entries of ${path} (MCP_REGISTRY_INVALID_ENTRIES=skip)`);
			for (const line of describeErrors(r).split("\n").slice(1)) log.warn(line.trim());
		}
		for (const w of summariseWarnings(r)) {
			log.warn(`${w.count} ${w.count === 1 ? "entry" : "entries"}: ${w.message}`, { first: w.first });
		}
	}
}
