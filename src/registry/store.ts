/**
 * The current Snapshot and how it is replaced. Requests read `current`; a reload builds a new
 * Snapshot beside it and swaps the reference. Reloads never overlap: one asked for while
 * another runs is folded into a single follow-up.
 */
import type { Logger } from "../log.ts";
import { collectGarbage } from "../runtime.ts";
import {
	describeErrors,
	type InvalidEntries,
	loadRegistryFile,
	RegistryLoadError,
	type SnapshotData,
	summariseWarnings,
} from "./load.ts";
import type { LoadRequest } from "./load-worker.ts";
import { emptySnapshotData, Snapshot } from "./snapshot.ts";

export interface LoadOutcome {
	at: string;
	ok: boolean;
	durationMs: number;
	error?: string;
}

export interface StoreOptions {
	path: string;
	invalidEntries: InvalidEntries;
	log: Logger;
	/**
	 * How reloads are built: "paced" (the default) on this thread in slices that let requests
	 * through; "worker" on a second thread (faster reloads on several cores, about twice the peak
	 * memory); "inline" on this thread in one go (for tools and tests).
	 */
	loader?: "paced" | "worker" | "inline";
	/**
	 * The worker module. In a compiled binary modules live beside the entry point, so the entry
	 * (main.ts) names it; the default suits running from source.
	 */
	workerUrl?: string;
}

const DEFAULT_WORKER_URL = new URL("./load-worker.ts", import.meta.url).href;

/** Loads a file in a Worker; the result arrives by transfer. */
export function loadInWorker(request: LoadRequest, workerUrl = DEFAULT_WORKER_URL): Promise<SnapshotData> {
	return new Promise((resolve, reject) => {
		const worker = new Worker(workerUrl, { type: "module" });
		const done = () => worker.terminate();
		worker.onmessage = (event: MessageEvent) => {
			done();
			const m = event.data as { ok: boolean; data?: SnapshotData; message?: string; report?: never };
			if (m.ok && m.data) resolve(m.data);
			else reject(new RegistryLoadError(m.message ?? "load failed", m.report));
		};
		worker.onerror = (event: ErrorEvent) => {
			done();
			reject(new RegistryLoadError(`${request.path}: loader failed: ${event.message}`));
		};
		worker.postMessage(request);
	});
}

/** The longest a paced build holds the serving thread at a time. */
const PACE_MS = 8;

export class RegistryStore {
	current: Snapshot;
	lastLoad: LoadOutcome | undefined;
	readonly loads = { success: 0, failure: 0 };
	lastDurationMs = 0;
	private running: Promise<Snapshot> | undefined;
	private tail: Promise<void> = Promise.resolve();
	private again = false;

	constructor(private readonly options: StoreOptions) {
		this.current = new Snapshot(emptySnapshotData(options.path));
	}

	get path(): string {
		return this.options.path;
	}

	/**
	 * Runs `fn` when no other build-and-swap (a reload, an S3 apply) is running: each reads the
	 * file or the applied state the previous one left, and none swaps in data older than another's.
	 */
	exclusive<T>(fn: () => Promise<T>): Promise<T> {
		const result = this.tail.then(fn, fn);
		this.tail = result.then(
			() => {},
			() => {},
		);
		return result;
	}

	/** Builds snapshot data from a file without serving it (a download is validated first). */
	build(path: string, name?: string, loaderOverride?: StoreOptions["loader"]): Promise<SnapshotData> {
		const { invalidEntries } = this.options;
		const loader = loaderOverride ?? this.options.loader ?? "paced";
		if (loader === "worker") return loadInWorker({ path, invalidEntries, name }, this.options.workerUrl);
		return loadRegistryFile(path, {
			invalidEntries,
			name,
			pacedMs: loader === "paced" ? PACE_MS : undefined,
		});
	}

	/** Serves `data` from now on: one reference assignment. */
	swap(data: SnapshotData): Snapshot {
		this.current = new Snapshot(data);
		return this.current;
	}

	/** Records a load that happened elsewhere (the sync), for /health and /metrics. */
	record(outcome: LoadOutcome): void {
		this.lastLoad = outcome;
		if (outcome.ok) {
			this.loads.success++;
			this.lastDurationMs = outcome.durationMs;
		} else this.loads.failure++;
	}

	/** Loads the file and swaps it in; on failure the served data stays as it was, and this rejects. */
	/** `initial`: nothing is served yet, so build in one go rather than in slices. */
	reload(options: { initial?: boolean } = {}): Promise<Snapshot> {
		if (this.running) {
			this.again = true;
			return this.running;
		}
		const run = async (): Promise<Snapshot> => {
			try {
				let snapshot = await this.exclusive(() => this.loadOnce(options.initial));
				while (this.again) {
					this.again = false;
					snapshot = await this.exclusive(() => this.loadOnce());
				}
				return snapshot;
			} finally {
				this.again = false;
				this.running = undefined;
			}
		};
		this.running = run();
		return this.running;
	}

	private async loadOnce(initial = false): Promise<Snapshot> {
		const { path } = this.options;
		const started = performance.now();
		const at = new Date().toISOString();
		try {
			// Worker loads keep the serving heap small (its peak adds to the Worker's at every
			// reload); otherwise the start-up load, with nothing to serve yet, runs in one go.
			const loader =
				initial && this.options.loader !== "worker" ? "inline" : (this.options.loader ?? "paced");
			const data = await this.build(path, undefined, loader);
			const snapshot = this.swap(data);
			// What the build left behind (its input, the old snapshot) is garbage now: collect it
			// at once, or the heap keeps it and the process stays at its peak.
			if (loader !== "worker") collectGarbage(true);
			const durationMs = Math.round(performance.now() - started);
			this.record({ at, ok: true, durationMs });
			this.logReport(data, loader);
			return snapshot;
		} catch (err) {
			const durationMs = Math.round(performance.now() - started);
			this.record({ at, ok: false, durationMs, error: (err as Error).message });
			throw err;
		}
	}

	/** Logs a successful load: counts, skipped entries, warnings grouped by kind. */
	logReport(data: SnapshotData, loader?: string): void {
		const { log } = this.options;
		const path = data.source;
		const r = data.report;
		log.info(`Loaded ${data.count} entries (${data.nameCount} servers) from ${path}`, {
			shape: data.shape,
			loader,
			ms: this.lastDurationMs,
			skipped: r.skipped || undefined,
			warnings: r.warnings.length || undefined,
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
