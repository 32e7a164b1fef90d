import { describe, expect, test } from "bun:test";
import { abortError, backoffDelay, sleep } from "../../src/backoff.ts";
import { rejection } from "../support/assert.ts";

describe("backoffDelay", () => {
	test("base × 2^attempt, the first retry (attempt 0) waiting base", () => {
		expect([0, 1, 2, 3, 4].map((attempt) => backoffDelay({ attempt, base: 1000 }))).toEqual([
			1000, 2000, 4000, 8000, 16000,
		]);
	});

	test("capped at max, and still capped where 2^attempt overflows", () => {
		const delays = [0, 1, 2, 3, 4, 5, 6, 50, 2000].map((attempt) =>
			backoffDelay({ attempt, base: 1000, max: 30_000 }),
		);
		expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30_000, 30_000, 30_000, 30_000]);
	});

	test("no max: uncapped", () => {
		expect(backoffDelay({ attempt: 10, base: 1000 })).toBe(1_024_000);
	});

	test("any unit: seconds with a cap of 900", () => {
		expect([0, 1, 4, 5, 6, 20].map((attempt) => backoffDelay({ attempt, base: 30, max: 900 }))).toEqual([
			30, 60, 480, 900, 900, 900,
		]);
	});

	test("full jitter: floor(random × capped delay), from 0 up to just below it", () => {
		const at = (r: number, attempt: number) =>
			backoffDelay({ attempt, base: 50, max: 20_000, jitter: () => r });
		expect([0, 1, 2, 3].map((attempt) => at(0.999, attempt))).toEqual([49, 99, 199, 399]);
		expect(at(0, 5)).toBe(0);
		expect(at(0.5, 1)).toBe(50);
		expect(at(0.999, 20)).toBe(19_980);
		// Whole milliseconds, and never the cap itself.
		for (let attempt = 0; attempt < 12; attempt++) {
			const d = at(Math.random(), attempt);
			expect(Number.isInteger(d)).toBe(true);
			expect(d).toBeGreaterThanOrEqual(0);
			expect(d).toBeLessThan(Math.min(50 * 2 ** attempt, 20_000));
		}
	});

	test("the jitter source is asked once per delay", () => {
		let calls = 0;
		backoffDelay({
			attempt: 3,
			base: 1000,
			jitter: () => {
				calls++;
				return 0.5;
			},
		});
		expect(calls).toBe(1);
	});
});

describe("sleep", () => {
	test("resolves after about the delay", async () => {
		const t0 = performance.now();
		await sleep(20);
		expect(performance.now() - t0).toBeGreaterThanOrEqual(15);
	});

	test("an abort during the sleep rejects at once with the signal's reason", async () => {
		const c = new AbortController();
		const t0 = performance.now();
		const p = sleep(10_000, c.signal);
		const reason = new Error("stopping");
		setTimeout(() => c.abort(reason), 5);
		expect(await rejection(p)).toBe(reason);
		expect(performance.now() - t0).toBeLessThan(5_000);
	});

	test("an already aborted signal rejects without waiting; a non-Error reason becomes an AbortError", async () => {
		const c = new AbortController();
		c.abort("just a string");
		const err = await rejection(sleep(10_000, c.signal));
		expect((err as Error).name).toBe("AbortError");
	});
});

describe("abortError", () => {
	test("the reason when it is an Error, else a DOMException named AbortError", () => {
		const withError = new AbortController();
		const reason = new TypeError("why");
		withError.abort(reason);
		expect(abortError(withError.signal)).toBe(reason);
		const plain = new AbortController();
		plain.abort();
		const e = abortError(plain.signal);
		expect(e.name).toBe("AbortError");
	});
});
