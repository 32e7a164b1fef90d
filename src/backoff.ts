/**
 * Waiting between attempts, the one way every retry loop does it: an exponential delay
 * (optionally with full jitter) and a sleep that an AbortSignal ends at once.
 */

export interface BackoffOptions {
	/** Which retry this is: 0 for the first, so the first delay is `base`. */
	attempt: number;
	/** The first delay, in the caller's unit (milliseconds or seconds). */
	base: number;
	/** The cap, in the same unit (default: none). */
	max?: number;
	/** Full jitter: a random source in [0, 1); the delay is then floor(jitter() × the capped delay). */
	jitter?: () => number;
}

/** `base × 2^attempt`, capped at `max`; with `jitter`, a uniformly random whole share of that. */
export function backoffDelay({
	attempt,
	base,
	max = Number.POSITIVE_INFINITY,
	jitter,
}: BackoffOptions): number {
	const capped = Math.min(base * 2 ** attempt, max);
	return jitter ? Math.floor(jitter() * capped) : capped;
}

/** The error an aborted signal stands for: its reason when that is an Error, else an AbortError. */
export function abortError(signal: AbortSignal): Error {
	const reason = signal.reason;
	return reason instanceof Error ? reason : new DOMException("The operation was aborted.", "AbortError");
}

/** Resolves after `ms`; rejects at once (with the abort reason) when `signal` is or becomes aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) return reject(abortError(signal));
		const t = setTimeout(() => {
			signal?.removeEventListener("abort", onAbort);
			resolve();
		}, ms);
		const onAbort = () => {
			clearTimeout(t);
			reject(abortError(signal as AbortSignal));
		};
		signal?.addEventListener("abort", onAbort, { once: true });
	});
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterOf(headers: Headers, now = Date.now()): number | undefined {
	const value = headers.get("retry-after")?.trim();
	if (!value) return undefined;
	if (/^\d+$/.test(value)) return Number(value) * 1000;
	// An HTTP date names its day and month in letters; anything else ("1.5") is no hint.
	const at = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
	return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
