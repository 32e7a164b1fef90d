/**
 * The live mirror (MCP_REGISTRY_MIRROR_FROM): another registry pulled every interval, as
 * `registry pull` would pull it into the registry file, and applied through the store's one
 * replace: validated and built before it is written (atomically) and served; on any failure the
 * old data stays served and the file stays whole. Rounds are incremental (`updated_since`), and
 * every FULL_EVERY-th crawls the source whole so entries removed there go here too (a chain of
 * mirrors converges). A source that is down is retried with a backoff that /health and the
 * metrics show; a source that answers with nothing never empties this registry.
 */

import { unlink } from "node:fs/promises";
import { backoffDelay, sleep } from "../backoff.ts";
import { commitTemp, writeTempBeside } from "../fsutil.ts";
import type { Gauge } from "../gauge.ts";
import type { Logger } from "../log.ts";
import { type PullFilters, pullRecords, sourceName } from "../pipeline/pull.ts";
import { recordsOf, registryBytes } from "../pipeline/records.ts";
import type { RegistryStore } from "../registry/store.ts";

/** Every this many rounds, the source is crawled whole (with the default interval: hourly). */
export const FULL_EVERY = 12;
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
		let summary = "";
		try {
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
						// A few quick retries: past them the round fails and the mirror's backoff takes over,
						// where /health and the metrics show it.
						crawl: {
							fetch: this.o.fetch,
							signal: this.abort.signal,
							attempts: 3,
							onRetry: ({ url, delayMs, reason }) =>
								log.debug(`Mirror: ${url}: ${reason}; retrying in ${delayMs} ms`),
						},
					});
					summary = `${result.added} added, ${result.updated} updated, ${result.removed} removed`;
					const since = result.sources[0]?.since;
					if (!result.changed) return { skip: `no changes at ${this.name}${since ? ` since ${since}` : ""}` };
					// A file beside the registry file, read and built by the store's loader apart from the
					// serving thread, then renamed over it.
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
			this.lastError = (err as Error).message;
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
