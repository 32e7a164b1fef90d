/**
 * Resumable work, for loads that must not hold the serving thread: a build is a generator that
 * yields now and then, and the caller decides whether to run it through (`drain`, in a Worker or
 * a tool) or in slices with requests served between them (`paced`).
 */

/** Resumable work: yields now and then so a caller can pause it. */
export type Steps<T> = Generator<undefined, T, undefined>;

/** Runs resumable work to its end. */
export function drain<T>(steps: Steps<T>): T {
	for (;;) {
		const r = steps.next();
		if (r.done) return r.value;
	}
}

/**
 * Runs resumable work on this thread without holding it: whenever a slice has run for
 * `budgetMs`, it lets the event loop serve requests before going on, unless `signal` says stop.
 */
export async function paced<T>(steps: Steps<T>, budgetMs: number, signal?: AbortSignal): Promise<T> {
	let slice = performance.now();
	for (;;) {
		const r = steps.next();
		if (r.done) return r.value;
		if (performance.now() - slice >= budgetMs) {
			await new Promise<void>((resolve) => setTimeout(resolve, 0));
			signal?.throwIfAborted();
			slice = performance.now();
		}
	}
}
