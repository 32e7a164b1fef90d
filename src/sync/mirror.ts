/**
 * The live mirror (MCP_REGISTRY_MIRROR_FROM): another registry pulled every interval, as
 * `registry pull` would pull it into the registry file, and applied through the store's one
 * replace: validated and built before it is written (atomically) and served; on any failure the
 * old data stays served and the file stays whole. Rounds are incremental (`updated_since`), and
 * every FULL_EVERY-th crawls the source whole so entries removed there go here too (a chain of
 * mirrors converges). A source that is down is retried with a backoff that /health and the
 * metrics show; a source that answers with nothing never empties this registry. Under Bun each
 * round is `registry pull` in a process of its own; a round past ROUND_TIMEOUT_MS is abandoned.
 */
import { copyFile, stat, unlink } from "node:fs/promises";
import { backoffDelay, sleep } from "../backoff.ts";
import { commitTemp, makeParentDir, tempPathFor, writeTempBeside } from "../fsutil.ts";
import type { Gauge } from "../gauge.ts";
import type { Logger } from "../log.ts";
import { type PullFilters, pullRecords, sourceName } from "../pipeline/pull.ts";
import { recordsOf, registryBytes } from "../pipeline/records.ts";
import type { RegistryStore, ReplaceOutcome } from "../registry/store.ts";

/** Every this many rounds, the source is crawled whole (with the default interval: hourly). */
const FULL_EVERY = 12;
/** The longest a round may take, crawl and all, before it is abandoned. */
const ROUND_TIMEOUT_MS = 15 * 60_000;
/** Tries per page within a round: past them the round fails and the mirror's backoff takes over. */
const ATTEMPTS = 3;
/** How much of an error's text /health and the log keep. */
const ERROR_KEPT = 2000;
/** The longest the mirror's work holds the serving thread at a time. */
const PACE_MS = 8;
/** The longest wait after failures, in intervals. */
const MAX_BACKOFF_INTERVALS = 10;

export interface MirrorOptions {
	store: RegistryStore;
	/** The source registry's URL. */
	source: string;
	intervalSeconds: number;
	filters: PullFilters;
	log: Logger;
	maxBytes?: number;
	fetch?: typeof fetch;
	/**
	 * How to run `registry` (this executable, or this runtime with main.ts): rounds then run as
	 * `registry pull` in a process of their own. Without it, rounds run in this process.
	 */
	command?: readonly string[];
	/** Default ROUND_TIMEOUT_MS. */
	roundTimeoutMs?: number;
}

/** What `registry pull --json` says, and its warnings. */
interface PullSummary {
	added: number;
	updated: number;
	removed: number;
	written: boolean;
	sources: { since?: string }[];
	warnings: string[];
}

/** Size, modification time and inode of a file (undefined when there is none): did it change? */
async function stampOf(path: string): Promise<string | undefined> {
	try {
		const s = await stat(path);
		return `${s.size}:${s.mtimeMs}:${s.ino}`;
	} catch {
		return undefined;
	}
}

/** What a round changed, for the log and /health. */
const summaryOf = (r: { added: number; updated: number; removed: number }) =>
	`${r.added} added, ${r.updated} updated, ${r.removed} removed`;

/** The variable that hands a round's process the source URL. */
const SOURCE_VARIABLE = "MCP_REGISTRY_MIRROR_FROM";

/** How much of the child's error output is kept for the message. */
const STDERR_KEPT = 4000;

/** Runs `registry pull … --json`; its summary, or an Error with what it said went wrong. */
async function runPull(
	args: string[],
	env: Record<string, string | undefined>,
	signal: AbortSignal,
): Promise<PullSummary> {
	const child = Bun.spawn(args, { stdin: "ignore", stdout: "pipe", stderr: "pipe", env });
	const kill = () => child.kill("SIGKILL");
	signal.addEventListener("abort", kill, { once: true });
	try {
		const [out, err, code] = await Promise.all([
			new Response(child.stdout).text(),
			readLimited(child.stderr, STDERR_KEPT),
			child.exited,
		]);
		signal.throwIfAborted();
		const lines = err.split("\n").filter((l) => l !== "");
		const warnings = lines.filter((l) => l.startsWith("warning: ")).map((l) => l.slice("warning: ".length));
		if (code !== 0) {
			const problem = lines.filter((l) => !l.startsWith("warning: ")).join("; ");
			throw new Error(problem.replace(/^registry pull: /, "") || `registry pull exited with ${code}`);
		}
		return { ...(JSON.parse(out) as Omit<PullSummary, "warnings">), warnings };
	} finally {
		signal.removeEventListener("abort", kill);
	}
}

/** The first `max` characters of a stream as text; the rest is read and dropped. */
async function readLimited(stream: ReadableStream<Uint8Array>, max: number): Promise<string> {
	const decoder = new TextDecoder();
	let text = "";
	for await (const chunk of stream) if (text.length < max) text += decoder.decode(chunk, { stream: true });
	return text.length > max ? `${text.slice(0, max)}…` : text;
}

type Round = "full" | "incremental";

export class RegistryMirror {
	private readonly name: string;
	private rounds = 0;
	private failures = 0;
	/** The last whole crawl failed: the next round crawls whole again (a source that empties stays failing). */
	private fullPending = false;
	private readonly counts = { applied: 0, unchanged: 0, failed: 0 };
	private lastAttemptAt: string | undefined;
	private lastSuccessAt: string | undefined;
	private lastErrorAt: string | undefined;
	private lastError: string | undefined;
	private lastResult: string | undefined;
	private nextAt: number | undefined;
	private running: Promise<void> | undefined;
	private loop: Promise<void> | undefined;
	private readonly abort = new AbortController();

	constructor(private readonly o: MirrorOptions) {
		this.name = sourceName(o.source);
	}

	private get roundTimeoutMs(): number {
		return this.o.roundTimeoutMs ?? ROUND_TIMEOUT_MS;
	}

	/** Why a round applied nothing: the source had no changes (since when it was asked). */
	private noChanges(since: string | undefined): string {
		return `no changes at ${this.name}${since ? ` since ${since}` : ""}`;
	}

	/** How long to wait after this round: the interval, or a backoff after failures. */
	private delayMs(): number {
		const interval = this.o.intervalSeconds * 1000;
		if (this.failures === 0) return interval;
		return backoffDelay({ attempt: this.failures, base: interval, max: interval * MAX_BACKOFF_INTERVALS });
	}

	/** One round; never throws (the outcome is logged and kept for /health and the metrics). */
	round(kind?: Round): Promise<void> {
		this.running ??= this.pull(kind).finally(() => {
			this.running = undefined;
		});
		return this.running;
	}

	private async pull(kind: Round | undefined): Promise<void> {
		const { store, log } = this.o;
		this.lastAttemptAt = new Date().toISOString();
		const full =
			kind === "full" || this.fullPending || (kind === undefined && this.rounds % FULL_EVERY === 0);
		this.rounds++;
		this.nextAt = undefined;
		// A round that hangs (a source trickling pages) is abandoned: the next one starts afresh.
		const deadline = AbortSignal.timeout(this.roundTimeoutMs);
		const signal = AbortSignal.any([this.abort.signal, deadline]);
		try {
			const { outcome, summary } = this.o.command
				? await this.roundInChild(full, this.o.command, signal)
				: await this.roundInProcess(full, signal);
			if (this.failures > 0)
				log.info(`Mirror: ${this.name} answers again after ${this.failures} failed rounds`);
			this.failures = 0;
			if (full) this.fullPending = false;
			this.lastSuccessAt = new Date().toISOString();
			if (outcome.result === "applied") {
				this.counts.applied++;
				this.lastResult = `applied: ${summary} (${full ? "full" : "incremental"})`;
				log.info(`Mirrored ${this.name}: ${summary}; serving ${outcome.snapshot.count} entries`);
			} else {
				this.counts.unchanged++;
				this.lastResult = `unchanged: ${outcome.reason}`;
				log.debug(`Mirror: ${outcome.reason}`);
			}
		} catch (err) {
			if (this.abort.signal.aborted) return;
			this.failures++;
			this.counts.failed++;
			if (full) this.fullPending = true;
			this.lastErrorAt = new Date().toISOString();
			const message = deadline.aborted
				? `the round did not finish within ${this.roundTimeoutMs / 1000} s; abandoned`
				: (err as Error).message;
			// Whatever the source put in it (a cursor, a page), a few KiB of it is enough to say what went wrong.
			this.lastError = message.length > ERROR_KEPT ? `${message.slice(0, ERROR_KEPT)}…` : message;
			this.lastResult = `failed: ${this.lastError}`;
			const serving =
				store.current.count > 0
					? "still serving the previous data"
					: "serving an empty registry until a pull succeeds";
			log.error(
				`Mirroring ${this.name} failed (${this.failures} in a row; next try in ${Math.round(this.delayMs() / 1000)} s); ${serving}: ${this.lastError}`,
			);
		}
	}

	/**
	 * A round in a process of its own (`registry pull` into a copy of the registry file): the
	 * crawl, the merge and their memory never touch the serving process, and the store's lock is
	 * taken only to build and swap what it wrote. Should the registry file change meanwhile (a
	 * SIGHUP after an edit), the round's work is dropped: the next round merges into the new file.
	 */
	private async roundInChild(
		full: boolean,
		command: readonly string[],
		signal: AbortSignal,
	): Promise<{ outcome: ReplaceOutcome; summary: string }> {
		const { store, log, filters } = this.o;
		const temp = tempPathFor(store.path);
		try {
			await makeParentDir(store.path);
			const before = await stampOf(store.path);
			if (before) await copyFile(store.path, temp);
			// Values written `--name=value` and the source after `--`: a glob or path that starts with
			// `-` stays a value. The source itself is passed in the environment (env:…), so that a
			// password in it is not in the process list.
			const args = [
				...command,
				"pull",
				`--output=${temp}`,
				"--adopt",
				"--mend",
				"--json",
				"--quiet",
				`--timeout=${this.roundTimeoutMs / 1000}`,
				`--tries=${ATTEMPTS}`,
				...(full ? ["--full"] : []),
				...filters.include.map((g) => `--include=${g}`),
				...filters.exclude.map((g) => `--exclude=${g}`),
				`--status=${[...filters.statuses].join(",")}`,
				...(filters.latestOnly ? ["--latest-only"] : []),
				"--",
				`env:${SOURCE_VARIABLE}`,
			];
			const result = await runPull(args, { ...process.env, [SOURCE_VARIABLE]: this.o.source }, signal);
			for (const line of result.warnings) log.warn(`Mirror: ${line}`);
			const summary = summaryOf(result);
			if (!result.written) {
				const since = result.sources[0]?.since;
				return {
					outcome: {
						result: "skipped",
						reason: this.noChanges(since),
					},
					summary,
				};
			}
			const outcome = await store.replace({
				prepare: async () => {
					if (before !== (await stampOf(store.path))) {
						return { skip: `${store.path} changed during the round; the next round merges into it` };
					}
					return {
						source: temp,
						name: this.name,
						commit: async () => {
							// Checked again just before the rename: an edit made while the new data was built.
							if (before !== (await stampOf(store.path))) {
								throw new Error(
									`${store.path} changed while the round's data was built; the next round merges into it`,
								);
							}
							await commitTemp(temp, store.path);
						},
					};
				},
				initial: store.current.count === 0,
			});
			return { outcome, summary };
		} finally {
			await unlink(temp).catch(() => {});
		}
	}

	/**
	 * A round in this process (under Deno, or with MCP_REGISTRY_LOAD_WORKER=false): the pull and
	 * merge under the store's lock, paced so requests are served between its slices.
	 */
	private async roundInProcess(
		full: boolean,
		signal: AbortSignal,
	): Promise<{ outcome: ReplaceOutcome; summary: string }> {
		const { store, log } = this.o;
		let summary = "";
		const outcome = await store.replace({
			prepare: async () => {
				const base = recordsOf(store.current.index);
				const result = await pullRecords({
					sources: [this.o.source],
					// Nothing served yet: the first pull is a whole one.
					base: base.length > 0 ? base : undefined,
					// Entries the file had before it was mirrored are the mirror's too.
					adopt: this.name,
					filters: this.o.filters,
					full,
					maxBytes: this.o.maxBytes,
					onNote: (text) => log.warn(`Mirror: ${text}`),
					// Requests keep being served while a large pull is read and merged.
					paceMs: PACE_MS,
					crawl: {
						fetch: this.o.fetch,
						signal,
						attempts: ATTEMPTS,
						onRetry: ({ url, delayMs, reason }) =>
							log.debug(`Mirror: ${url}: ${reason}; retrying in ${delayMs} ms`),
					},
				});
				summary = summaryOf(result);
				const since = result.sources[0]?.since;
				if (!result.changed) return { skip: this.noChanges(since) };
				// A file beside the registry file, read and built by the store's loader, then renamed over it.
				const temp = await writeTempBeside(store.path, registryBytes(result.records));
				return {
					source: temp,
					name: this.name,
					commit: () => commitTemp(temp, store.path),
					cleanup: () => unlink(temp).catch(() => {}),
				};
			},
			initial: store.current.count === 0,
		});
		return { outcome, summary };
	}

	/** Pulls now, then every interval (or later, backing off after failures), until stop(). */
	start(): void {
		this.loop ??= (async () => {
			while (!this.abort.signal.aborted) {
				await this.round();
				const delay = this.delayMs();
				this.nextAt = Date.now() + delay;
				await sleep(delay, this.abort.signal).catch(() => {});
			}
		})();
	}

	async stop(): Promise<void> {
		this.abort.abort(new DOMException("stopping", "AbortError"));
		await this.running;
		await this.loop;
	}

	health(): Record<string, unknown> {
		return {
			source: this.name,
			interval_seconds: this.o.intervalSeconds,
			last_attempt_at: this.lastAttemptAt,
			last_success_at: this.lastSuccessAt,
			last_error_at: this.lastErrorAt,
			last_error: this.lastError,
			last_result: this.lastResult,
			consecutive_failures: this.failures,
			next_attempt_at: this.nextAt === undefined ? undefined : new Date(this.nextAt).toISOString(),
			rounds: { ...this.counts },
		};
	}

	metrics(): Gauge[] {
		const ts = (iso: string | undefined) => (iso ? Date.parse(iso) / 1000 : 0);
		return [
			{
				name: "registry_mirror_rounds_total",
				help: "Mirror rounds, by outcome.",
				type: "counter",
				samples: (["applied", "unchanged", "failed"] as const).map((k) => [{ result: k }, this.counts[k]]),
			},
			{
				name: "registry_mirror_consecutive_failures",
				help: "Mirror rounds failed in a row (0: the last one succeeded); the mirror backs off meanwhile.",
				type: "gauge",
				samples: [[undefined, this.failures]],
			},
			{
				name: "registry_mirror_last_success_timestamp_seconds",
				help: "Last mirror round that reached the source (Unix time, 0: never).",
				type: "gauge",
				samples: [[undefined, ts(this.lastSuccessAt)]],
			},
			{
				name: "registry_mirror_next_attempt_timestamp_seconds",
				help: "When the mirror pulls next (Unix time, 0: not scheduled).",
				type: "gauge",
				samples: [[undefined, this.nextAt === undefined ? 0 : this.nextAt / 1000]],
			},
		];
	}
}
