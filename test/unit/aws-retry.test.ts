/**
 * Checksums (standard check values, agreement with node:crypto and the AWS SDK's own CRCs),
 * the SDK's retry classification and Retry-After hints, and AwsHttp's "standard" retry mode
 * with an injected fetch, random and sleep: full-jitter backoff, attempts, hints, re-signing
 * with fresh credentials, aborts, the retry quota, and redirects never followed.
 */
import { describe, expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { Crc32cJs, Crc32Js, Crc64NvmeJs } from "@aws-sdk/checksums/crc";
import {
	CHECKSUM_ALGORITHMS,
	type ChecksumAlgorithm,
	checksumDigest,
	md5Hex,
} from "../../src/aws/checksums.ts";
import { CredentialProvider, Credentials } from "../../src/aws/credentials.ts";
import { AwsError, classify, retryAfterMs } from "../../src/aws/errors.ts";
import { parseS3Error } from "../../src/aws/s3.ts";
import { AwsHttp, type AwsRequest } from "../../src/aws/signed-fetch.ts";
import { parseSqsError } from "../../src/aws/sqs.ts";
import { rejection } from "../support/assert.ts";
import { checkSignature } from "../support/aws-servers.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const hexToB64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");

function digestOf(algorithm: ChecksumAlgorithm, chunks: Uint8Array[]): string {
	const d = checksumDigest(algorithm);
	for (const c of chunks) d.update(c);
	return d.digest();
}

/** Splits data into irregular chunks (including empty ones). */
function chunksOf(data: Uint8Array): Uint8Array[] {
	const out: Uint8Array[] = [new Uint8Array(0)];
	const sizes = [1, 3, 0, 7, 64, 5, 1000, 2];
	let i = 0;
	for (let k = 0; i < data.length; k++) {
		const n = sizes[k % sizes.length] as number;
		out.push(data.subarray(i, i + n));
		i += n;
	}
	return out;
}

describe("checksums", () => {
	test("standard check values of '123456789' (base64 of the big-endian digest)", () => {
		const check = enc("123456789");
		expect(digestOf("crc32", [check])).toBe(hexToB64("cbf43926"));
		expect(digestOf("crc32", [check])).toBe("y/Q5Jg==");
		expect(digestOf("crc32c", [check])).toBe(hexToB64("e3069283"));
		expect(digestOf("crc32c", [check])).toBe("4waSgw==");
		expect(digestOf("crc64nvme", [check])).toBe(hexToB64("ae8b14860a799888"));
	});

	test("the empty input", () => {
		expect(digestOf("crc32", [])).toBe("AAAAAA==");
		expect(digestOf("crc32c", [])).toBe("AAAAAA==");
		expect(digestOf("crc64nvme", [])).toBe("AAAAAAAAAAA=");
		expect(digestOf("sha256", [])).toBe("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
	});

	test("sha1 / sha256 are base64 and equal node:crypto; md5Hex is hex", () => {
		for (const data of [enc(""), enc("hello"), randomBytes(10_000)]) {
			expect(digestOf("sha1", [data])).toBe(createHash("sha1").update(data).digest("base64"));
			expect(digestOf("sha256", [data])).toBe(createHash("sha256").update(data).digest("base64"));
			const m = md5Hex();
			m.update(data);
			expect(m.digest()).toBe(createHash("md5").update(data).digest("hex"));
		}
	});

	test("the CRCs agree with the AWS SDK's own implementations on random data", async () => {
		for (const n of [1, 7, 8, 9, 255, 4096, 65_537]) {
			const data = randomBytes(n);
			for (const [algorithm, Impl] of [
				["crc32", Crc32Js],
				["crc32c", Crc32cJs],
				["crc64nvme", Crc64NvmeJs],
			] as const) {
				const ref = new Impl();
				ref.update(data);
				const want = Buffer.from(await ref.digest()).toString("base64");
				expect({ algorithm, n, got: digestOf(algorithm, [data]) }).toEqual({ algorithm, n, got: want });
			}
		}
	});

	test("chunked updates equal one shot, for every algorithm", () => {
		const data = randomBytes(20_000);
		for (const algorithm of CHECKSUM_ALGORITHMS) {
			expect({ algorithm, d: digestOf(algorithm, chunksOf(data)) }).toEqual({
				algorithm,
				d: digestOf(algorithm, [data]),
			});
		}
		const one = md5Hex();
		one.update(data);
		const many = md5Hex();
		for (const c of chunksOf(data)) many.update(c);
		expect(many.digest()).toBe(one.digest());
	});

	test("the SDK's preference order", () => {
		expect([...CHECKSUM_ALGORITHMS]).toEqual(["sha256", "sha1", "crc32", "crc32c", "crc64nvme"]);
	});
});

describe("classify (the SDK's standard retry classes)", () => {
	const cases: [number, string[], { retryable: boolean; throttling: boolean }][] = [
		[429, [], { retryable: true, throttling: true }],
		[429, ["Whatever"], { retryable: true, throttling: true }],
		[400, ["ThrottlingException"], { retryable: true, throttling: true }],
		[400, ["Throttling"], { retryable: true, throttling: true }],
		[403, ["RequestThrottled"], { retryable: true, throttling: true }],
		[503, ["SlowDown"], { retryable: true, throttling: true }],
		[400, ["RequestLimitExceeded"], { retryable: true, throttling: true }],
		[400, ["TooManyRequestsException"], { retryable: true, throttling: true }],
		[400, ["ProvisionedThroughputExceededException"], { retryable: true, throttling: true }],
		[500, [], { retryable: true, throttling: false }],
		[500, ["InternalError"], { retryable: true, throttling: false }],
		[502, [], { retryable: true, throttling: false }],
		[503, ["ServiceUnavailable"], { retryable: true, throttling: false }],
		[504, [], { retryable: true, throttling: false }],
		[400, ["RequestTimeout"], { retryable: true, throttling: false }],
		[501, [], { retryable: false, throttling: false }],
		[505, [], { retryable: false, throttling: false }],
		[403, ["AccessDenied"], { retryable: false, throttling: false }],
		[403, ["OverLimit"], { retryable: false, throttling: false }],
		[400, ["KMS.ThrottlingException", "KmsThrottled"], { retryable: false, throttling: false }],
		[
			400,
			["AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"],
			{ retryable: false, throttling: false },
		],
		[404, ["NoSuchKey"], { retryable: false, throttling: false }],
		[403, ["SignatureDoesNotMatch"], { retryable: false, throttling: false }],
	];
	for (const [status, codes, want] of cases) {
		test(`${status} ${codes.join(",") || "(no code)"} → ${JSON.stringify(want)}`, () => {
			expect(classify(status, codes)).toEqual(want);
		});
	}
});

describe("retryAfterMs", () => {
	const now = Date.parse("2025-06-01T12:00:00Z");
	test("x-amz-retry-after is milliseconds", () => {
		expect(retryAfterMs(new Headers({ "x-amz-retry-after": "1500" }), now)).toBe(1500);
	});
	test("Retry-After in seconds", () => {
		expect(retryAfterMs(new Headers({ "retry-after": "3" }), now)).toBe(3000);
		expect(retryAfterMs(new Headers({ "retry-after": " 2 " }), now)).toBe(2000);
	});
	test("Retry-After as an HTTP date", () => {
		expect(retryAfterMs(new Headers({ "retry-after": "Sun, 01 Jun 2025 12:00:10 GMT" }), now)).toBe(10_000);
		expect(retryAfterMs(new Headers({ "retry-after": "Sun, 01 Jun 2025 11:59:00 GMT" }), now)).toBe(0);
	});
	test("x-amz-retry-after wins over Retry-After", () => {
		expect(retryAfterMs(new Headers({ "x-amz-retry-after": "250", "retry-after": "9" }), now)).toBe(250);
	});
	test("none or garbage → undefined", () => {
		expect(retryAfterMs(new Headers(), now)).toBeUndefined();
		expect(retryAfterMs(new Headers({ "retry-after": "soon" }), now)).toBeUndefined();
	});
});

// ---------- AwsHttp with an injected fetch ----------

interface Call {
	url: string;
	init: RequestInit;
	headers: Headers;
}

type Answer = Response | Error | ((call: Call) => Response | Promise<Response>);

/** A fake fetch answering from a script (the last entry repeats), recording each call. */
function fakeFetch(script: Answer[]) {
	const calls: Call[] = [];
	const fn = (async (input: string | URL | Request, init?: RequestInit) => {
		const call: Call = { url: String(input), init: init ?? {}, headers: new Headers(init?.headers) };
		calls.push(call);
		const a = script[Math.min(calls.length - 1, script.length - 1)] as Answer;
		if (a instanceof Error) throw a;
		if (typeof a === "function") return a(call);
		return a.clone();
	}) as typeof fetch;
	return { fn, calls };
}

function sqsError(
	status: number,
	code: string,
	queryCode?: string,
	headers: Record<string, string> = {},
): Response {
	return Response.json(
		{ __type: `com.amazonaws.sqs#${code}`, message: `${code} happened` },
		{
			status,
			headers: {
				"content-type": "application/x-amz-json-1.0",
				...(queryCode ? { "x-amzn-query-error": `${queryCode};Sender` } : {}),
				...headers,
			},
		},
	);
}

const ok = () => Response.json({}, { headers: { "content-type": "application/x-amz-json-1.0" } });
const unavailable = (headers: Record<string, string> = {}) =>
	new Response("Service Unavailable", { status: 503, headers });
const throttled = (headers: Record<string, string> = {}) =>
	sqsError(400, "ThrottlingException", "ThrottlingException", headers);

function networkError(code = "ECONNREFUSED"): Error {
	return Object.assign(
		new TypeError(`Unable to connect. Is the computer able to access the url? (${code})`),
		{
			code,
		},
	);
}

const KEYS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

function request(extra: Partial<AwsRequest> = {}): AwsRequest {
	return {
		service: "sqs",
		region: "us-west-2",
		method: "POST",
		url: "https://sqs.us-west-2.amazonaws.com/",
		headers: {
			"content-type": "application/x-amz-json-1.0",
			"x-amz-target": "AmazonSQS.ReceiveMessage",
			"x-amzn-query-mode": "true",
		},
		body: '{"QueueUrl":"https://sqs.us-west-2.amazonaws.com/123456789012/q"}',
		parseError: (res) => parseSqsError(res, "ReceiveMessage"),
		...extra,
	};
}

function client(
	script: Answer[],
	o: { random?: number; maxAttempts?: number; credentials?: CredentialProvider; realSleep?: boolean } = {},
) {
	const f = fakeFetch(script);
	const sleeps: number[] = [];
	const retries: { attempt: number; delayMs: number; code: string }[] = [];
	const http = new AwsHttp({
		credentials: o.credentials ?? CredentialProvider.fixed(KEYS),
		fetch: f.fn,
		maxAttempts: o.maxAttempts,
		random: () => o.random ?? 0.999,
		...(o.realSleep
			? {}
			: {
					sleep: async (ms: number) => {
						sleeps.push(ms);
					},
				}),
		onRetry: (i) => retries.push({ attempt: i.attempt, delayMs: i.delayMs, code: i.error.code }),
	});
	return { http, calls: f.calls, sleeps, retries };
}

describe("AwsHttp: one request", () => {
	test("signed for the given service and region, redirect: manual, no decompression", async () => {
		const c = client([ok()]);
		const sent = await c.http.send(request());
		expect(sent.response.status).toBe(200);
		expect(c.calls.length).toBe(1);
		const call = c.calls[0] as Call;
		expect(call.init.redirect).toBe("manual");
		expect((call.init as { decompress?: boolean }).decompress).toBe(false);
		expect(call.init.method).toBe("POST");
		expect(call.init.body).toBe(request().body);
		const auth = call.headers.get("authorization") ?? "";
		expect(auth).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/sqs\/aws4_request, /);
		expect(auth).toMatch(/SignedHeaders=[^,]*x-amz-target/);
		expect(call.headers.get("x-amz-date")).toMatch(/^\d{8}T\d{6}Z$/);
		// The signature is valid by AWS's own signer.
		const keys = new Map([[KEYS.accessKeyId, KEYS.secretAccessKey]]);
		expect(
			await checkSignature(
				new Request(call.url, { ...call.init, headers: call.headers }),
				String(call.init.body),
				keys,
			),
		).toBeUndefined();
	});

	test("a 3xx is never followed: it is an error unless passed through", async () => {
		const redirect = () =>
			new Response("<Error><Code>PermanentRedirect</Code><Message>elsewhere</Message></Error>", {
				status: 301,
				headers: { location: "https://elsewhere.example/" },
			});
		const c = client([redirect()]);
		const err = await rejection(
			c.http.send(
				request({ service: "s3", method: "GET", body: undefined, parseError: (r) => parseS3Error(r, "x") }),
			),
		);
		expect(err).toBeInstanceOf(AwsError);
		expect((err as AwsError).status).toBe(301);
		expect((err as AwsError).code).toBe("PermanentRedirect");
		expect(c.calls.length).toBe(1);

		const d = client([redirect()]);
		const sent = await d.http.send(request({ passThrough: (r) => r.status === 301 }));
		expect(sent.response.status).toBe(301);
		expect(d.calls.length).toBe(1);
		expect(d.calls[0]?.init.redirect).toBe("manual");
	});
});

describe("AwsHttp: attempts and backoff", () => {
	test("at most 3 attempts for a transient error; the last error is thrown", async () => {
		const c = client([unavailable()]);
		const err = await rejection(c.http.send(request()));
		expect(err).toBeInstanceOf(AwsError);
		expect((err as AwsError).status).toBe(503);
		expect((err as AwsError).retryable).toBe(true);
		expect(c.calls.length).toBe(3);
		expect(c.sleeps.length).toBe(2);
		expect(c.retries.map((r) => r.attempt)).toEqual([1, 2]);
	});

	test("a transient error then success resolves", async () => {
		const c = client([unavailable(), sqsError(500, "InternalError"), ok()]);
		const sent = await c.http.send(request());
		expect(sent.response.status).toBe(200);
		expect(c.calls.length).toBe(3);
	});

	test("full jitter: random 0.999 → just under 50·2^i ms for transient errors", async () => {
		const c = client([unavailable()], { maxAttempts: 5 });
		await rejection(c.http.send(request()));
		expect(c.sleeps).toEqual([49, 99, 199, 399]);
		expect(c.retries.map((r) => r.delayMs)).toEqual([49, 99, 199, 399]);
	});

	test("full jitter: random 0.999 → just under 1000·2^i ms for throttling", async () => {
		const c = client([throttled()]);
		await rejection(c.http.send(request()));
		expect(c.sleeps).toEqual([999, 1998]);
	});

	test("random scales the delay (full jitter, not equal jitter)", async () => {
		const zero = client([throttled()], { random: 0 });
		await rejection(zero.http.send(request()));
		expect(zero.sleeps).toEqual([0, 0]);
		const half = client([unavailable()], { random: 0.5 });
		await rejection(half.http.send(request()));
		expect(half.sleeps).toEqual([25, 50]);
	});

	test("the backoff is capped at 20 s", async () => {
		const c = client([throttled()], { maxAttempts: 9 });
		await rejection(c.http.send(request()));
		expect(c.sleeps).toEqual([999, 1998, 3996, 7992, 15984, 19980, 19980, 19980]);
		expect(Math.max(...c.sleeps)).toBeLessThan(20_000);
	});

	test("maxAttempts 1: no retries", async () => {
		const c = client([unavailable()], { maxAttempts: 1 });
		await rejection(c.http.send(request()));
		expect(c.calls.length).toBe(1);
		expect(c.sleeps).toEqual([]);
	});
});

describe("AwsHttp: Retry-After hints", () => {
	test("x-amz-retry-after above the computed delay is honoured", async () => {
		const c = client([unavailable({ "x-amz-retry-after": "1500" })]);
		await rejection(c.http.send(request()));
		// max(computed, min(1500, computed + 5000))
		expect(c.sleeps).toEqual([1500, 1500]);
	});

	test("a hint is capped at the computed delay + 5 s", async () => {
		const c = client([unavailable({ "x-amz-retry-after": "60000" })]);
		await rejection(c.http.send(request()));
		expect(c.sleeps).toEqual([49 + 5000, 99 + 5000]);
	});

	test("a hint below the computed delay does not shorten it", async () => {
		const c = client([throttled({ "x-amz-retry-after": "10" })]);
		await rejection(c.http.send(request()));
		expect(c.sleeps).toEqual([999, 1998]);
	});

	test("Retry-After in seconds", async () => {
		const c = client([sqsError(429, "TooManyRequests", undefined, { "retry-after": "2" })], { random: 0 });
		await rejection(c.http.send(request()));
		expect(c.sleeps).toEqual([2000, 2000]);
	});

	test("Retry-After as an HTTP date", async () => {
		const at = new Date(Date.now() + 3000).toUTCString();
		const c = client([sqsError(503, "ServiceUnavailable", undefined, { "retry-after": at })], { random: 0 });
		await rejection(c.http.send(request()));
		expect(c.sleeps.length).toBe(2);
		for (const ms of c.sleeps) {
			// The date has one-second resolution and time passes: between 1 and 3 s.
			expect(ms).toBeGreaterThan(1000);
			expect(ms).toBeLessThanOrEqual(3000);
		}
	});
});

describe("AwsHttp: what is and is not retried", () => {
	for (const [name, answer] of [
		["403 AccessDenied", () => sqsError(403, "AccessDenied", "AccessDenied")],
		["501", () => new Response("not implemented", { status: 501 })],
		["403 OverLimit", () => sqsError(403, "OverLimit", "OverLimit")],
		[
			"400 QueueDoesNotExist",
			() => sqsError(400, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"),
		],
	] as const) {
		test(`${name}: not retried`, async () => {
			const c = client([answer(), ok()]);
			const err = await rejection(c.http.send(request()));
			expect(err).toBeInstanceOf(AwsError);
			expect((err as AwsError).retryable).toBe(false);
			expect(c.calls.length).toBe(1);
			expect(c.sleeps).toEqual([]);
		});
	}

	test("403 RequestThrottled is retried as throttling", async () => {
		const c = client([sqsError(403, "RequestThrottled", "RequestThrottled"), ok()]);
		await c.http.send(request());
		expect(c.calls.length).toBe(2);
		expect(c.sleeps).toEqual([999]);
	});

	test("network errors (fetch rejecting with a TypeError) are retried", async () => {
		const c = client([networkError(), networkError("ECONNRESET"), ok()]);
		const sent = await c.http.send(request());
		expect(sent.response.status).toBe(200);
		expect(c.calls.length).toBe(3);
		expect(c.sleeps).toEqual([49, 99]);
	});

	test("persistent network errors end in a typed, retryable error carrying the cause", async () => {
		const c = client([networkError("ECONNREFUSED")]);
		const err = await rejection(c.http.send(request()));
		expect(err).toBeInstanceOf(AwsError);
		const e = err as AwsError;
		expect(e.code).toBe("ECONNREFUSED");
		expect(e.retryable).toBe(true);
		expect(e.status).toBeUndefined();
		expect(e.cause).toBeInstanceOf(TypeError);
		expect(e.message).toContain("sqs.us-west-2.amazonaws.com");
		expect(c.calls.length).toBe(3);
	});

	test("no answer within timeoutMs → TimeoutError, retried", async () => {
		const hang = (call: Call) =>
			new Promise<Response>((_, reject) => {
				const signal = call.init.signal as AbortSignal;
				signal.addEventListener("abort", () => reject(signal.reason), { once: true });
			});
		const c = client([hang, ok()]);
		const started = performance.now();
		const sent = await c.http.send(request({ timeoutMs: 50 }));
		expect(sent.response.status).toBe(200);
		expect(c.calls.length).toBe(2);
		expect(c.retries[0]?.code).toBe("TimeoutError");
		expect(performance.now() - started).toBeLessThan(5000);
	});
});

describe("AwsHttp: re-signed on each attempt", () => {
	test("credentials are fetched per attempt; a retry is signed with the refreshed keys", async () => {
		let clock = Date.parse("2025-06-01T12:00:00Z");
		let resolves = 0;
		const issued = [
			{ accessKeyId: "AKIDFIRST", secretAccessKey: "first-secret" },
			{ accessKeyId: "AKIDSECOND", secretAccessKey: "second-secret" },
		];
		const provider = new CredentialProvider(
			async () => {
				const k = issued[Math.min(resolves, issued.length - 1)] as (typeof issued)[number];
				resolves++;
				return new Credentials({ ...k, expiration: new Date(clock + 10 * 60_000), source: "test" });
			},
			() => clock,
		);
		const c = client(
			[
				() => {
					// The first credentials expire while the first attempt is in flight.
					clock += 20 * 60_000;
					return unavailable();
				},
				ok(),
			],
			{ credentials: provider },
		);
		await c.http.send(request());
		expect(c.calls.length).toBe(2);
		expect(resolves).toBe(2);
		const auth1 = c.calls[0]?.headers.get("authorization") ?? "";
		const auth2 = c.calls[1]?.headers.get("authorization") ?? "";
		expect(auth1).toContain("Credential=AKIDFIRST/");
		expect(auth2).toContain("Credential=AKIDSECOND/");
		// Valid signatures, each with its own secret.
		const keys = new Map(issued.map((k) => [k.accessKeyId, k.secretAccessKey]));
		for (const call of c.calls) {
			expect(
				await checkSignature(
					new Request(call.url, { ...call.init, headers: call.headers }),
					String(call.init.body),
					keys,
				),
			).toBeUndefined();
		}
	});
});

describe("AwsHttp: aborts", () => {
	test("a caller abort during the backoff sleep rejects at once with the reason, not retried", async () => {
		const c = client([throttled()], { realSleep: true });
		const controller = new AbortController();
		const reason = new Error("shutting down");
		const started = performance.now();
		// The input under test: an abort during the backoff sleep.
		setTimeout(() => controller.abort(reason), 50);
		const err = await rejection(c.http.send(request({ signal: controller.signal })));
		const elapsed = performance.now() - started;
		expect(err).toBe(reason);
		// random 0.999 → the first throttling backoff is 999 ms; the abort ends it at once.
		expect(elapsed).toBeLessThan(700);
		// A window in which a retry, had the abort not ended the sleep, would have been sent.
		await Bun.sleep(100);
		expect(c.calls.length).toBe(1);
	});

	test("an abort while the request is in flight rejects with the reason, not retried", async () => {
		const hang = (call: Call) =>
			new Promise<Response>((_, reject) => {
				const signal = call.init.signal as AbortSignal;
				signal.addEventListener("abort", () => reject(signal.reason), { once: true });
			});
		const c = client([hang, ok()]);
		const controller = new AbortController();
		const reason = new Error("stop");
		// The input under test: an abort while the request is in flight.
		setTimeout(() => controller.abort(reason), 30);
		const err = await rejection(c.http.send(request({ signal: controller.signal })));
		expect(err).toBe(reason);
		expect(c.calls.length).toBe(1);
		expect(c.sleeps).toEqual([]);
	});

	test("an already-aborted signal sends nothing", async () => {
		const c = client([ok()]);
		const err = await rejection(c.http.send(request({ signal: AbortSignal.abort(new Error("early")) })));
		expect((err as Error).message).toBe("early");
		expect(c.calls.length).toBe(0);
	});
});

describe("AwsHttp: the retry quota", () => {
	test("drains by 14 per transient retry: 500 tokens allow 35 retries", async () => {
		const c = client([unavailable()], { maxAttempts: 100 });
		await rejection(c.http.send(request()));
		expect(c.calls.length).toBe(36);
		// Exhausted (10 tokens left): the next request is not retried at all.
		const before = c.calls.length;
		await rejection(c.http.send(request()));
		expect(c.calls.length - before).toBe(1);
	});

	test("drains by 5 per throttling retry: 500 tokens allow 100 retries", async () => {
		const c = client([throttled()], { maxAttempts: 200 });
		await rejection(c.http.send(request()));
		expect(c.calls.length).toBe(101);
	});

	test("a success after a retry refunds the retry's cost", async () => {
		// Ten requests that each succeed after one transient retry cost nothing in the end.
		const script: Answer[] = [];
		for (let i = 0; i < 10; i++) script.push(unavailable(), ok());
		script.push(unavailable());
		const c = client(script, { maxAttempts: 100 });
		for (let i = 0; i < 10; i++) await c.http.send(request());
		expect(c.calls.length).toBe(20);
		await rejection(c.http.send(request()));
		expect(c.calls.length - 20).toBe(36);
	});

	test("refill after exhaustion: four successes buy exactly one transient retry", async () => {
		let mode: "fail" | "ok" = "fail";
		let n = 0;
		const http = new AwsHttp({
			credentials: CredentialProvider.fixed(KEYS),
			fetch: (async () => {
				n++;
				return mode === "ok" ? ok() : unavailable();
			}) as unknown as typeof fetch,
			random: () => 0,
			sleep: async () => {},
			maxAttempts: 100,
		});
		await rejection(http.send(request()));
		expect(n).toBe(36); // 10 tokens left
		mode = "ok";
		for (let i = 0; i < 4; i++) await http.send(request()); // 14 tokens
		mode = "fail";
		n = 0;
		await rejection(http.send(request()));
		expect(n).toBe(2);
	});

	test("with longPoll, the backoff is still slept before throwing when the quota is spent", async () => {
		const c = client([unavailable()], { maxAttempts: 100 });
		await rejection(c.http.send(request()));
		expect(c.calls.length).toBe(36);
		c.sleeps.length = 0;
		const before = c.calls.length;

		const plain = await rejection(c.http.send(request()));
		expect(plain).toBeInstanceOf(AwsError);
		expect(c.calls.length - before).toBe(1);
		expect(c.sleeps).toEqual([]);

		const longPoll = await rejection(c.http.send(request({ longPoll: true })));
		expect(longPoll).toBeInstanceOf(AwsError);
		expect((longPoll as AwsError).status).toBe(503);
		expect(c.calls.length - before).toBe(2);
		expect(c.sleeps).toEqual([49]);
	});
});
