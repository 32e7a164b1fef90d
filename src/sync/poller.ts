/**
 * MCP_REGISTRY_S3_URL: the registry object fetched at start, so a new replica is current before
 * any message arrives, and again every MCP_REGISTRY_S3_POLL_SECONDS with If-None-Match, so a
 * missed message is caught up.
 */
import type { Logger } from "../log.ts";
import { type ApplyContext, applyObject, describeRef } from "./apply.ts";
import type { ObjectRef } from "./messages.ts";

export class S3Poller {
	lastCheckAt: string | undefined;
	lastResult: string | undefined;
	private timer: ReturnType<typeof setInterval> | undefined;
	private running: Promise<void> | undefined;
	private readonly abort = new AbortController();

	constructor(
		private readonly ctx: ApplyContext,
		private readonly ref: ObjectRef,
		private readonly log: Logger,
	) {}

	/** One check; never throws (the outcome is logged and kept for /health). */
	check(): Promise<void> {
		this.running ??= (async () => {
			this.lastCheckAt = new Date().toISOString();
			try {
				const outcome = await applyObject(this.ctx, this.ref, this.abort.signal);
				this.lastResult =
					outcome.result === "applied" ? `applied ${outcome.bytes} bytes` : `unchanged: ${outcome.reason}`;
				if (outcome.result === "skipped")
					this.log.info(`${describeRef(this.ref)} unchanged: ${outcome.reason}`);
			} catch (err) {
				this.lastResult = `failed: ${(err as Error).message}`;
				if (!this.abort.signal.aborted) {
					this.log.error(
						`Fetching ${describeRef(this.ref)} failed; still serving the previous data: ${(err as Error).message}`,
					);
				}
			}
		})().finally(() => {
			this.running = undefined;
		});
		return this.running;
	}

	start(everySeconds: number): void {
		if (everySeconds > 0) this.timer = setInterval(() => void this.check(), everySeconds * 1000);
	}

	async stop(): Promise<void> {
		if (this.timer) clearInterval(this.timer);
		this.abort.abort(new DOMException("stopping", "AbortError"));
		await this.running;
	}

	health(): Record<string, unknown> {
		return { url: describeRef(this.ref), last_check_at: this.lastCheckAt, last_result: this.lastResult };
	}
}
