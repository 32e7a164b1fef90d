/**
 * The one way tests wait for something that has no event to await: poll an observable condition
 * (an HTTP answer, a file, a queue depth, a counter) until it holds. A log line has its own,
 * event-driven wait: RunningRegistry.waitForLog in process.ts.
 */

export interface PollOptions {
	/** Give up after this long (default 15 s). */
	timeoutMs?: number;
	/** Look again this often (default 25 ms). */
	everyMs?: number;
}

type Truthy<T> = Exclude<T, false | 0 | 0n | "" | null | undefined>;

/**
 * Resolves with `fn`'s first truthy value. `fn` may throw or reject while the condition does not
 * hold yet; after `timeoutMs` this throws `timed out waiting for <what>` with the last value or
 * error `fn` gave.
 */
export async function until<T>(
	what: string,
	fn: () => T | Promise<T>,
	{ timeoutMs = 15_000, everyMs = 25 }: PollOptions = {},
): Promise<Truthy<T>> {
	const deadline = performance.now() + timeoutMs;
	for (;;) {
		let last: string;
		let cause: unknown;
		try {
			const value = await fn();
			if (value) return value as Truthy<T>;
			last = `last value: ${Bun.inspect(value).slice(0, 500)}`;
		} catch (err) {
			cause = err;
			last = `last error: ${err instanceof Error ? err.message : Bun.inspect(err).slice(0, 500)}`;
		}
		if (performance.now() >= deadline) {
			throw new Error(`timed out waiting for ${what} (${timeoutMs} ms; ${last})`, { cause });
		}
		// The polling interval, not a synchronisation: the condition is looked at again.
		await Bun.sleep(everyMs);
	}
}
