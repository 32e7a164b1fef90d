/**
 * The SQS listener: long-polls the queue and handles messages one at a time, oldest first.
 * A message is deleted only once what it names is served (or was already); otherwise it stays,
 * its visibility stretched by receive count, for redelivery and finally the dead-letter queue.
 * While a message is in hand its visibility is extended before it runs out.
 */
import { AwsError } from "../aws/errors.ts";
import type { S3Client } from "../aws/s3.ts";
import type { SqsClient, SqsMessage } from "../aws/sqs.ts";
import { backoffDelay, sleep } from "../backoff.ts";
import type { Gauge } from "../gauge.ts";
import type { Logger } from "../log.ts";
import { redactUrl } from "../redact.ts";
import type { RegistryStore } from "../registry/store.ts";
import { applyObject, describeRef, PermanentSyncError } from "./apply.ts";
import { compareSequencers, type ObjectRef, parseMessage, UnprocessableMessage } from "./messages.ts";

export interface ListenerOptions {
	sqs: SqsClient;
	s3: S3Client;
	store: RegistryStore;
	log: Logger;
	target: string;
	maxBytes: number;
	waitTimeSeconds: number;
	maxMessages: number;
	visibilityTimeout?: number;
	allowedBuckets?: string[];
	/** First redelivery delay of a failed message; doubles per receive, up to 15 minutes. */
	retryDelaySeconds: number;
	/** In-process attempts for transient failures, and the first pause between them. */
	attempts?: number;
	attemptDelayMs?: number;
	/**
	 * A message whose work shows no progress (no bytes arriving, no step done) for this long is
	 * stuck (before the store's lock is taken: twice this long): its visibility is no longer
	 * extended, so SQS redelivers it and, in the end, dead-letters it. Default: 70 s (the 60 s
	 * load timeout and a margin).
	 */
	stallMs?: number;
}

export interface SyncCounts {
	received: number;
	applied: number;
	skipped: number;
	failed: number;
}

const MAX_REDELIVERY_DELAY_S = 900;

export class SyncListener {
	readonly counts: SyncCounts = { received: 0, applied: 0, skipped: 0, failed: 0 };
	running = false;
	lastReceiveAt: string | undefined;
	lastSuccessAt: string | undefined;
	lastErrorAt: string | undefined;
	lastError: string | undefined;
	lastMessageId: string | undefined;
	private readonly stopPoll = new AbortController();
	/** Aborts the message in hand when a stop runs out of patience. */
	private readonly stopWork = new AbortController();
	private loop: Promise<void> | undefined;
	private visibility = 30;

	constructor(private readonly o: ListenerOptions) {}

	start(): void {
		if (this.loop) return;
		this.running = true;
		this.loop = this.run().finally(() => {
			this.running = false;
		});
	}

	/** Stops receiving at once; the message in hand may finish within `graceMs`, else it is left untouched. */
	async stop(graceMs = 10_000): Promise<void> {
		this.stopPoll.abort(new DOMException("stopping", "AbortError"));
		if (!this.loop) return;
		const timer = setTimeout(() => this.stopWork.abort(new DOMException("stopping", "AbortError")), graceMs);
		await this.loop.catch(() => {});
		clearTimeout(timer);
	}

	private get stopping(): boolean {
		return this.stopPoll.signal.aborted;
	}

	private fail(message: string): void {
		this.lastErrorAt = new Date().toISOString();
		this.lastError = message;
	}

	private async run(): Promise<void> {
		const { log, sqs } = this.o;
		if (this.o.visibilityTimeout !== undefined) this.visibility = this.o.visibilityTimeout;
		else {
			try {
				this.visibility = Number(
					(await sqs.getQueueAttributes(["VisibilityTimeout"], this.stopPoll.signal)).VisibilityTimeout ?? 30,
				);
			} catch (err) {
				if (this.stopping) return;
				log.warn(`Cannot read the queue's visibility timeout, assuming 30 s: ${(err as Error).message}`);
			}
		}
		log.info(`Listening for registry updates on ${redactUrl(sqs.queueUrl)}`, {
			visibility_timeout: this.visibility,
		});
		let failures = 0;
		while (!this.stopping) {
			let messages: SqsMessage[];
			try {
				messages = await sqs.receiveMessage({
					waitTimeSeconds: this.o.waitTimeSeconds,
					maxMessages: this.o.maxMessages,
					visibilityTimeout: this.o.visibilityTimeout,
					signal: this.stopPoll.signal,
				});
				failures = 0;
			} catch (err) {
				if (this.stopping) break;
				failures++;
				const delay = backoffDelay({ attempt: failures - 1, base: 1000, max: 30_000 });
				this.fail(`receive: ${(err as Error).message}`);
				log.error(`Receiving from SQS failed; trying again in ${delay / 1000} s: ${(err as Error).message}`);
				await sleep(delay, this.stopPoll.signal).catch(() => {});
				continue;
			}
			this.lastReceiveAt = new Date().toISOString();
			messages.sort((a, b) => (a.sentTimestamp ?? 0) - (b.sentTimestamp ?? 0));
			for (const m of messages) {
				// Once stopping, messages not yet begun are left untouched for another consumer.
				if (this.stopping) break;
				await this.handle(m);
			}
		}
		log.info("SQS listener stopped");
	}

	/**
	 * Extends the message's visibility before it runs out, while its work makes progress: `progress`
	 * marks each step (the store's lock taken, bytes arriving). Idle for `stallMs` — or, before
	 * the lock is taken, for twice that, as a load ahead of it may take the load timeout itself —
	 * the work is stuck: extensions pause, so SQS can hand the message out again and in the end
	 * dead-letter it; they resume if the work moves again.
	 */
	private heartbeat(m: SqsMessage): { progress: () => void; stop: () => void } {
		let last = performance.now();
		let started = false;
		let paused = false;
		const progress = () => {
			last = performance.now();
			started = true;
			if (paused) {
				paused = false;
				this.o.log.info(`Message ${m.messageId} is making progress again; extending its visibility`);
			}
		};
		if (this.visibility <= 0) return { progress, stop: () => {} };
		const stallMs = this.o.stallMs ?? 70_000;
		const every = Math.max(500, (this.visibility * 1000) / 2);
		const timer = setInterval(() => {
			const idle = performance.now() - last;
			if (idle > (started ? stallMs : 2 * stallMs)) {
				if (!paused) {
					paused = true;
					this.o.log.warn(
						`Message ${m.messageId} made no progress for ${Math.round(idle / 1000)} s; no longer extending its visibility, so SQS can redeliver it`,
					);
				}
				return;
			}
			this.o.sqs.changeMessageVisibility(m.receiptHandle, this.visibility).catch((err: Error) => {
				this.o.log.warn(`Extending the visibility of message ${m.messageId} failed: ${err.message}`);
			});
		}, every);
		return { progress, stop: () => clearInterval(timer) };
	}

	/** Leaves a message for redelivery later: later still on each receive, so failures never spin. */
	private async leave(m: SqsMessage): Promise<void> {
		const delay = backoffDelay({
			attempt: Math.max(0, m.receiveCount - 1),
			base: this.o.retryDelaySeconds,
			max: MAX_REDELIVERY_DELAY_S,
		});
		try {
			await this.o.sqs.changeMessageVisibility(m.receiptHandle, delay);
			this.o.log.info(`Left message ${m.messageId} for redelivery in ${delay} s (receive ${m.receiveCount})`);
		} catch (err) {
			this.o.log.warn(`Could not delay redelivery of message ${m.messageId}: ${(err as Error).message}`);
		}
	}

	private async handle(m: SqsMessage): Promise<void> {
		const { log } = this.o;
		this.counts.received++;
		this.lastMessageId = m.messageId;
		log.info(`Received SQS message: ${m.messageId}`);
		const beat = this.heartbeat(m);
		try {
			let parsed: ReturnType<typeof parseMessage>;
			try {
				parsed = parseMessage(m.body, this.o.allowedBuckets);
			} catch (err) {
				if (!(err instanceof UnprocessableMessage)) throw err;
				this.counts.failed++;
				this.fail(`message ${m.messageId}: ${err.message}`);
				log.error(
					`Unprocessable SQS message ${m.messageId}: ${err.message}; leaving it for the dead-letter queue`,
					{
						receive_count: m.receiveCount,
					},
				);
				await this.leave(m);
				return;
			}
			if (parsed.kind === "test-event") {
				log.info(`S3 test event in message ${m.messageId}: nothing to download`);
				this.counts.skipped++;
				await this.delete(m);
				return;
			}
			if (parsed.kind === "ignored") {
				log.info(`Message ${m.messageId} names no created object: ${parsed.reasons.join("; ")}`);
				this.counts.skipped++;
				await this.delete(m);
				return;
			}
			for (const reason of parsed.ignored) log.info(`Ignoring ${reason}`);
			let applied = false;
			for (const ref of latestPerKey(parsed.refs)) {
				const outcome = await this.applyWithRetries(ref, beat.progress);
				if (outcome === "failed") {
					this.counts.failed++;
					await this.leave(m);
					return;
				}
				if (outcome === "applied") applied = true;
			}
			if (applied) {
				this.counts.applied++;
				this.lastSuccessAt = new Date().toISOString();
			} else this.counts.skipped++;
			await this.delete(m);
		} catch (err) {
			// Stopping mid-message: leave it untouched; it becomes visible again by itself.
			if (this.stopWork.signal.aborted) {
				log.info(`Stopped while handling message ${m.messageId}; leaving it for redelivery`);
				return;
			}
			this.counts.failed++;
			this.fail(`message ${m.messageId}: ${(err as Error).message}`);
			log.error(`Handling message ${m.messageId} failed: ${(err as Error).message}`);
			await this.leave(m);
		} finally {
			beat.stop();
		}
	}

	private async delete(m: SqsMessage): Promise<void> {
		await this.o.sqs.deleteMessage(m.receiptHandle);
		this.o.log.info("Deleted message from queue");
	}

	/** Applies one object, retrying transient failures in-process with backoff. */
	private async applyWithRetries(
		ref: ObjectRef,
		progress: () => void,
	): Promise<"applied" | "skipped" | "failed"> {
		const { log } = this.o;
		const attempts = this.o.attempts ?? 3;
		const ctx = { s3: this.o.s3, store: this.o.store, target: this.o.target, maxBytes: this.o.maxBytes, log };
		for (let attempt = 1; ; attempt++) {
			try {
				const outcome = await applyObject(ctx, ref, this.stopWork.signal, progress);
				if (outcome.result === "skipped") log.info(`Skipped ${describeRef(ref)}: ${outcome.reason}`);
				return outcome.result;
			} catch (err) {
				if (this.stopWork.signal.aborted) throw err;
				const message = (err as Error).message;
				const transient =
					!(err instanceof PermanentSyncError) && (!(err instanceof AwsError) || err.retryable);
				this.fail(`${describeRef(ref)}: ${message}`);
				if (!transient || attempt >= attempts) {
					log.error(
						`Applying ${describeRef(ref)} failed${transient ? ` after ${attempt} attempts` : ""}; still serving the previous data: ${message}`,
					);
					return "failed";
				}
				const delay = backoffDelay({ attempt: attempt - 1, base: this.o.attemptDelayMs ?? 1000 });
				log.warn(
					`Applying ${describeRef(ref)} failed (attempt ${attempt} of ${attempts}); retrying in ${delay} ms: ${message}`,
				);
				await sleep(delay, this.stopWork.signal);
			}
		}
	}

	/** For /health. */
	health(): Record<string, unknown> {
		return {
			enabled: true,
			running: this.running,
			queue_url: redactUrl(this.o.sqs.queueUrl),
			last_receive_at: this.lastReceiveAt,
			last_success_at: this.lastSuccessAt,
			last_error_at: this.lastErrorAt,
			last_error: this.lastError,
			last_message_id: this.lastMessageId,
			messages: { ...this.counts },
		};
	}

	metrics(): Gauge[] {
		const ts = (iso: string | undefined) => (iso ? Date.parse(iso) / 1000 : 0);
		return [
			{
				name: "registry_sync_running",
				help: "1 while the SQS listener runs.",
				type: "gauge",
				samples: [[undefined, this.running ? 1 : 0]],
			},
			{
				name: "registry_sync_messages_total",
				help: "SQS messages, by what became of them.",
				type: "counter",
				samples: (["received", "applied", "skipped", "failed"] as const).map((k) => [
					{ result: k },
					this.counts[k],
				]),
			},
			{
				name: "registry_sync_last_receive_timestamp_seconds",
				help: "Last successful receive from SQS (Unix time, 0: never).",
				type: "gauge",
				samples: [[undefined, ts(this.lastReceiveAt)]],
			},
			{
				name: "registry_sync_last_success_timestamp_seconds",
				help: "Last registry applied from S3 (Unix time, 0: never).",
				type: "gauge",
				samples: [[undefined, ts(this.lastSuccessAt)]],
			},
			{
				name: "registry_sync_last_error_timestamp_seconds",
				help: "Last sync error (Unix time, 0: never).",
				type: "gauge",
				samples: [[undefined, ts(this.lastErrorAt)]],
			},
		];
	}
}

/** Of several events for one key, only the newest by sequencer (or the last) needs applying. */
export function latestPerKey(refs: ObjectRef[]): ObjectRef[] {
	const byKey = new Map<string, ObjectRef>();
	for (const ref of refs) {
		const k = `${ref.bucket}/${ref.key}`;
		const prev = byKey.get(k);
		if (!prev?.sequencer || !ref.sequencer || compareSequencers(ref.sequencer, prev.sequencer) >= 0) {
			byKey.delete(k);
			byKey.set(k, ref);
		}
	}
	return [...byKey.values()];
}
