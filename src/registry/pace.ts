/**
 * Resumable work, for loads that must not hold the serving thread: a build is a generator that
 * yields now and then, and the caller decides whether to run it through (`drain`, in a Worker or
 * a tool) or in slices with requests served between them (`paced`).
 */

/**
 * Resumable work: yields now and then so a caller can pause it, and yields a promise when it
 * waits for a read (see `wait`); the promise never rejects.
 */
export type Steps<T> = Generator<Promise<void> | undefined, T, undefined>;

/** Runs resumable work that never waits for a read (its input is in memory) to its end. */
export function drain<T>(steps: Steps<T>): T {
	for (;;) {
		const r = steps.next();
		if (r.done) return r.value;
		if (r.value) throw new Error("drain: these steps wait for a read; run them with run() or paced()");
	}
}

/** Runs resumable work to its end, waiting for its reads. */
export async function run<T>(steps: Steps<T>): Promise<T> {
	for (;;) {
		const r = steps.next();
		if (r.done) return r.value;
		if (r.value) await r.value;
	}
}

/** Inside steps: the value of `promise` once it settles (or its error, thrown here). */
export function* wait<T>(promise: Promise<T>): Steps<T> {
	let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
	yield promise.then(
		(value) => {
			outcome = { ok: true, value };
		},
		(error: unknown) => {
			outcome = { ok: false, error };
		},
	);
	if (!outcome) throw new Error("wait: resumed before the promise settled");
	if (!outcome.ok) throw outcome.error;
	return outcome.value;
}

/**
 * Runs resumable work on this thread without holding it: whenever a slice has run for
 * `budgetMs`, it lets the event loop serve requests before going on, unless `signal` says stop.
 */
export async function paced<T>(steps: Steps<T>, budgetMs: number, signal?: AbortSignal): Promise<T> {
	const slice = new Slice(budgetMs, signal);
	for (;;) {
		const r = steps.next();
		if (r.done) return r.value;
		if (r.value) {
			await r.value;
			slice.restart();
		} else await slice.yieldIfDue();
	}
}

/**
 * A stretch of work on the serving thread: once it has run `budgetMs`, it lets the event loop
 * serve requests before going on; an abort of `signal` ends the work there.
 */
export class Slice {
	private start = performance.now();

	constructor(
		private readonly budgetMs: number,
		private readonly signal?: AbortSignal,
	) {}

	/** A new slice begins (after a wait that let the event loop run anyway). */
	restart(): void {
		this.signal?.throwIfAborted();
		this.start = performance.now();
	}

	async yieldIfDue(): Promise<void> {
		if (performance.now() - this.start < this.budgetMs) return;
		await new Promise<void>((resolve) => setTimeout(resolve, 0));
		this.restart();
	}
}
