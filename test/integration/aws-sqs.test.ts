/**
 * The SQS client against local-aws-sqs behind a proxy that checks every SigV4 signature with
 * AWS's own signer: receive / delete, long polling (held, ended early by a message, ended by an
 * abort), visibility timeouts and redelivery, the request shapes on the wire, MD5OfBody checks,
 * retries of throttling answers, typed errors, signing scope and redrive to a dead-letter queue.
 * Queues and messages are created with the AWS SDK (the independent client).
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { CredentialProvider } from "../../src/aws/credentials.ts";
import { AwsError } from "../../src/aws/errors.ts";
import { AwsHttp } from "../../src/aws/signed-fetch.ts";
import { SqsClient } from "../../src/aws/sqs.ts";
import { rejection } from "../support/assert.ts";
import { DEFAULT_KEYS, type RecordedRequest, type SqsServer, startSqs } from "../support/aws-servers.ts";

let sqs: SqsServer;
let queueCount = 0;

beforeAll(async () => {
	sqs = await startSqs();
});

afterEach(() => {
	sqs.intercept(undefined);
	sqs.rewrite(undefined);
});

afterAll(async () => {
	await sqs.close();
});

function http(
	o: { keys?: { accessKeyId: string; secretAccessKey: string }; sleeps?: number[] } = {},
): AwsHttp {
	return new AwsHttp({
		credentials: CredentialProvider.fixed(o.keys ?? DEFAULT_KEYS),
		// Backoff recorded, not waited: the retry tests stay fast.
		...(o.sleeps
			? {
					sleep: async (ms: number) => {
						o.sleeps?.push(ms);
					},
				}
			: {}),
	});
}

function client(
	queueUrl: string,
	o: {
		http?: AwsHttp;
		env?: Record<string, string | undefined>;
		fallbackRegion?: () => Promise<string>;
	} = {},
): SqsClient {
	return new SqsClient({
		queueUrl,
		http: o.http ?? http(),
		env: o.env ?? { AWS_ENDPOINT_URL_SQS: sqs.endpoint },
		fallbackRegion: o.fallbackRegion ?? (async () => "us-east-1"),
	});
}

async function newQueue(attributes?: Record<string, string>): Promise<string> {
	queueCount++;
	return sqs.createQueue(`test-${queueCount}-${Date.now()}`, attributes);
}

/** Requests the proxy saw for this queue since `from`. */
function seen(queueUrl: string, from = 0, target?: string): RecordedRequest[] {
	return sqs.requests
		.slice(from)
		.filter(
			(r) => r.body.QueueUrl === queueUrl && (target === undefined || r.target === `AmazonSQS.${target}`),
		);
}

const jsonError = (status: number, type: string, queryError: string, message: string) =>
	Response.json(
		{ __type: type, message },
		{
			status,
			headers: {
				"content-type": "application/x-amz-json-1.0",
				"x-amzn-query-error": queryError,
				"x-amzn-requestid": "req-1234",
			},
		},
	);

describe("receive and delete", () => {
	test("round trip: the body, its attributes, then an empty queue after DeleteMessage", async () => {
		const url = await newQueue();
		const c = client(url);
		const body = JSON.stringify({ s3_url: "s3://registry/ünï ✓ <&>.json" });
		const before = Date.now();
		await sqs.send(url, body);
		const [m, ...rest] = await c.receiveMessage({ waitTimeSeconds: 2 });
		expect(rest).toEqual([]);
		if (!m) throw new Error("no message");
		expect(m.body).toBe(body);
		expect(m.messageId).toMatch(/\S/);
		expect(m.receiptHandle).toMatch(/\S/);
		expect(m.receiveCount).toBe(1);
		expect(m.attributes.ApproximateReceiveCount).toBe("1");
		expect(typeof m.sentTimestamp).toBe("number");
		expect(m.sentTimestamp).toBe(Number(m.attributes.SentTimestamp));
		expect(m.sentTimestamp as number).toBeGreaterThanOrEqual(before - 5000);
		expect(m.sentTimestamp as number).toBeLessThanOrEqual(Date.now() + 5000);

		await c.deleteMessage(m.receiptHandle);
		const attrs = await c.getQueueAttributes([
			"ApproximateNumberOfMessages",
			"ApproximateNumberOfMessagesNotVisible",
		]);
		expect(attrs.ApproximateNumberOfMessages).toBe("0");
		expect(attrs.ApproximateNumberOfMessagesNotVisible).toBe("0");
		expect(await c.receiveMessage({ waitTimeSeconds: 0 })).toEqual([]);
	});

	test("several messages in one receive, each with its own receipt handle", async () => {
		const url = await newQueue();
		const c = client(url);
		for (const b of ["one", "two", "three"]) await sqs.send(url, b);
		const got: string[] = [];
		for (let i = 0; i < 5 && got.length < 3; i++) {
			const ms = await c.receiveMessage({ waitTimeSeconds: 1, maxMessages: 10 });
			for (const m of ms) {
				got.push(m.body);
				await c.deleteMessage(m.receiptHandle);
			}
		}
		expect(got.sort()).toEqual(["one", "three", "two"]);
		const attrs = await c.getQueueAttributes(["ApproximateNumberOfMessages"]);
		expect(attrs.ApproximateNumberOfMessages).toBe("0");
	});
});

describe("long polling", () => {
	test("with no message, returns [] only after about WaitTimeSeconds", async () => {
		const url = await newQueue();
		const c = client(url);
		const started = performance.now();
		const got = await c.receiveMessage({ waitTimeSeconds: 2 });
		const elapsed = performance.now() - started;
		expect(got).toEqual([]);
		expect(elapsed).toBeGreaterThan(1700);
		expect(elapsed).toBeLessThan(9000);
	});

	test("returns early when a message arrives mid-poll", async () => {
		const url = await newQueue();
		const c = client(url);
		const started = performance.now();
		// The input under test: a message sent while the long poll is waiting.
		setTimeout(() => void sqs.send(url, "arrived"), 300);
		const got = await c.receiveMessage({ waitTimeSeconds: 10 });
		const elapsed = performance.now() - started;
		expect(got.map((m) => m.body)).toEqual(["arrived"]);
		expect(elapsed).toBeGreaterThan(250);
		expect(elapsed).toBeLessThan(5000);
	});

	test("an AbortSignal ends a long poll at once, rejecting with the abort reason", async () => {
		const url = await newQueue();
		const c = client(url);
		const controller = new AbortController();
		const reason = new Error("shutting down");
		const started = performance.now();
		// The input under test: an abort while the long poll is waiting.
		setTimeout(() => controller.abort(reason), 200);
		const err = await rejection(c.receiveMessage({ waitTimeSeconds: 10, signal: controller.signal }));
		const elapsed = performance.now() - started;
		expect(err).toBe(reason);
		expect(elapsed).toBeLessThan(1500);
		// One request, not retried.
		expect(seen(url, 0, "ReceiveMessage").length).toBe(1);
	});
});

describe("visibility", () => {
	test("a received message is hidden for VisibilityTimeout, then redelivered with receiveCount 2", async () => {
		const url = await newQueue();
		const c = client(url);
		await sqs.send(url, "hide me");
		const [first] = await c.receiveMessage({ waitTimeSeconds: 2, visibilityTimeout: 1 });
		expect(first?.receiveCount).toBe(1);
		const hiddenAt = performance.now();
		expect(await c.receiveMessage({ waitTimeSeconds: 0 })).toEqual([]);
		// The long poll waits for the message to become visible again.
		const [again] = await c.receiveMessage({ waitTimeSeconds: 5 });
		expect(performance.now() - hiddenAt).toBeGreaterThan(900);
		expect(again?.body).toBe("hide me");
		expect(again?.messageId).toBe(first?.messageId as string);
		expect(again?.receiveCount).toBe(2);
		expect(again?.attributes.ApproximateReceiveCount).toBe("2");
		expect(seen(url, 0, "ReceiveMessage")[0]?.body.VisibilityTimeout).toBe(1);
	});

	test("ChangeMessageVisibility(0) makes a message visible at once", async () => {
		const url = await newQueue();
		const c = client(url);
		await sqs.send(url, "come back");
		const [m] = await c.receiveMessage({ waitTimeSeconds: 2, visibilityTimeout: 60 });
		if (!m) throw new Error("no message");
		expect(await c.receiveMessage({ waitTimeSeconds: 0 })).toEqual([]);
		await c.changeMessageVisibility(m.receiptHandle, 0);
		const [again] = await c.receiveMessage({ waitTimeSeconds: 1 });
		expect(again?.body).toBe("come back");
		expect(again?.messageId).toBe(m.messageId);
		// (local-aws-sqs also counts the ChangeMessageVisibility as a receive: 2 or 3.)
		expect(again?.receiveCount).toBeGreaterThanOrEqual(2);
		const change = seen(url, 0, "ChangeMessageVisibility");
		expect(change.length).toBe(1);
		expect(change[0]?.body).toEqual({ QueueUrl: url, ReceiptHandle: m.receiptHandle, VisibilityTimeout: 0 });
	});
});

describe("the wire", () => {
	test("AWS JSON 1.0: target, query mode, both attribute-name fields, signed headers", async () => {
		const url = await newQueue();
		const c = client(url);
		const from = sqs.requests.length;
		await sqs.send(url, "x");
		const [m] = await c.receiveMessage({ waitTimeSeconds: 1, maxMessages: 3, visibilityTimeout: 40 });
		if (!m) throw new Error("no message");
		await c.deleteMessage(m.receiptHandle);
		await c.getQueueAttributes(["QueueArn"]);

		const [receive] = seen(url, from, "ReceiveMessage");
		if (!receive) throw new Error("no ReceiveMessage request seen");
		expect(receive.headers["content-type"]).toBe("application/x-amz-json-1.0");
		expect(receive.headers["x-amz-target"]).toBe("AmazonSQS.ReceiveMessage");
		expect(receive.headers["x-amzn-query-mode"]).toBe("true");
		const auth = receive.headers.authorization ?? "";
		expect(auth).toMatch(/Credential=S3RVER\/\d{8}\/us-east-1\/sqs\/aws4_request/);
		const signed = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(";") ?? [];
		expect(signed).toContain("x-amz-target");
		expect(signed).toContain("x-amzn-query-mode");
		expect(signed).toContain("host");
		expect(receive.body.QueueUrl).toBe(url);
		expect(receive.body.MaxNumberOfMessages).toBe(3);
		expect(receive.body.WaitTimeSeconds).toBe(1);
		expect(receive.body.VisibilityTimeout).toBe(40);
		expect(receive.body.MessageSystemAttributeNames).toEqual(["All"]);
		expect(receive.body.AttributeNames).toEqual(["All"]);

		const [del] = seen(url, from, "DeleteMessage");
		expect(del?.headers["x-amz-target"]).toBe("AmazonSQS.DeleteMessage");
		expect(del?.body).toEqual({ QueueUrl: url, ReceiptHandle: m.receiptHandle });

		const [attrs] = seen(url, from, "GetQueueAttributes");
		expect(attrs?.body).toEqual({ QueueUrl: url, AttributeNames: ["QueueArn"] });
	});

	test("VisibilityTimeout is left out when not given (the queue's own applies)", async () => {
		const url = await newQueue();
		await client(url).receiveMessage({ waitTimeSeconds: 0 });
		const [receive] = seen(url, 0, "ReceiveMessage");
		expect(receive?.body).not.toHaveProperty("VisibilityTimeout");
		expect(receive?.body.MaxNumberOfMessages).toBe(1);
	});

	test("without an override, requests go to the queue URL's origin (path /)", async () => {
		const url = await newQueue();
		// A queue URL that names the proxy itself: no AWS_ENDPOINT_URL_SQS needed.
		const viaProxy = `${sqs.endpoint}${new URL(url).pathname}`;
		const c = client(viaProxy, { env: {} });
		await sqs.send(url, "direct");
		const [m] = await c.receiveMessage({ waitTimeSeconds: 1 });
		expect(m?.body).toBe("direct");
		expect(seen(viaProxy, 0, "ReceiveMessage").length).toBe(1);
	});
});

describe("integrity", () => {
	test("an MD5OfBody that does not match the body is rejected (MD5Mismatch)", async () => {
		const url = await newQueue();
		const c = client(url);
		await sqs.send(url, "tampered");
		sqs.rewrite((r, body) =>
			r.target === "AmazonSQS.ReceiveMessage" && r.body.QueueUrl === url
				? body.replace(/"MD5OfBody":"[0-9a-f]{32}"/, `"MD5OfBody":"${"0".repeat(32)}"`)
				: body,
		);
		const err = await rejection(c.receiveMessage({ waitTimeSeconds: 2 }));
		expect(err).toBeInstanceOf(AwsError);
		expect((err as AwsError).code).toBe("MD5Mismatch");
		expect((err as AwsError).retryable).toBe(false);
		expect((err as AwsError).message).toMatch(/MD5OfBody/);
	});

	test("a right MD5OfBody of a non-ASCII body passes (MD5 of the UTF-8 bytes)", async () => {
		const url = await newQueue();
		await sqs.send(url, "ünïcødé ✓ 🚀");
		const [m] = await client(url).receiveMessage({ waitTimeSeconds: 2 });
		expect(m?.body).toBe("ünïcødé ✓ 🚀");
	});
});

describe("retries and errors", () => {
	test("a throttling answer is retried, then succeeds (2 requests)", async () => {
		const url = await newQueue();
		const sleeps: number[] = [];
		const c = client(url, { http: http({ sleeps }) });
		await sqs.send(url, "after throttling");
		let answered = 0;
		sqs.intercept((r) => {
			if (r.body.QueueUrl !== url || answered > 0) return undefined;
			answered++;
			return jsonError(
				400,
				"com.amazonaws.sqs#ThrottlingException",
				"ThrottlingException;Sender",
				"Rate exceeded",
			);
		});
		const [m] = await c.receiveMessage({ waitTimeSeconds: 2 });
		expect(m?.body).toBe("after throttling");
		expect(seen(url, 0, "ReceiveMessage").length).toBe(2);
		expect(sleeps.length).toBe(1);
		expect(sleeps[0] as number).toBeLessThan(1000); // throttling base: 1 s, full jitter
	});

	test("403 RequestThrottled is retried too", async () => {
		const url = await newQueue();
		const c = client(url, { http: http({ sleeps: [] }) });
		let answered = 0;
		sqs.intercept((r) => {
			if (r.body.QueueUrl !== url || answered > 0) return undefined;
			answered++;
			return jsonError(403, "com.amazonaws.sqs#RequestThrottled", "RequestThrottled;Sender", "slow down");
		});
		expect(await c.getQueueAttributes(["QueueArn"])).toHaveProperty("QueueArn");
		expect(seen(url, 0, "GetQueueAttributes").length).toBe(2);
	});

	test("a 5xx is retried; three in a row give up with a typed, retryable error", async () => {
		const url = await newQueue();
		const c = client(url, { http: http({ sleeps: [] }) });
		sqs.intercept((r) =>
			r.body.QueueUrl === url
				? jsonError(500, "com.amazonaws.sqs#InternalError", "InternalError;Receiver", "oops")
				: undefined,
		);
		const err = await rejection(c.deleteMessage("whatever"));
		expect(err).toBeInstanceOf(AwsError);
		expect((err as AwsError).status).toBe(500);
		expect((err as AwsError).retryable).toBe(true);
		expect(seen(url, 0, "DeleteMessage").length).toBe(3);
	});

	test("QueueDoesNotExist is not retried and is typed", async () => {
		const url = await newQueue();
		const c = client(url, { http: http({ sleeps: [] }) });
		sqs.intercept((r) =>
			r.body.QueueUrl === url
				? jsonError(
						400,
						"com.amazonaws.sqs#QueueDoesNotExist",
						"AWS.SimpleQueueService.NonExistentQueue;Sender",
						"The specified queue does not exist.",
					)
				: undefined,
		);
		const err = await rejection(c.receiveMessage({ waitTimeSeconds: 0 }));
		expect(err).toBeInstanceOf(AwsError);
		const e = err as AwsError;
		expect(e.service).toBe("sqs");
		expect(e.code).toBe("AWS.SimpleQueueService.NonExistentQueue");
		expect(e.status).toBe(400);
		expect(e.retryable).toBe(false);
		expect(e.throttling).toBe(false);
		expect(e.requestId).toBe("req-1234");
		expect(e.message).toContain("The specified queue does not exist.");
		expect(seen(url, 0, "ReceiveMessage").length).toBe(1);
	});

	test("the server's own QueueDoesNotExist answer, likewise", async () => {
		const url = await newQueue();
		const missing = url.replace(/[^/]+$/, "no-such-queue");
		const c = client(missing, { http: http({ sleeps: [] }) });
		const err = await rejection(c.getQueueAttributes());
		expect(err).toBeInstanceOf(AwsError);
		expect((err as AwsError).code).toBe("AWS.SimpleQueueService.NonExistentQueue");
		expect((err as AwsError).status).toBe(400);
		expect((err as AwsError).retryable).toBe(false);
		expect(seen(missing, 0).length).toBe(1);
	});

	test("a wrong secret is refused by the checking proxy: typed 403, not retried", async () => {
		const url = await newQueue();
		const c = client(url, {
			http: http({ keys: { accessKeyId: DEFAULT_KEYS.accessKeyId, secretAccessKey: "wrong" }, sleeps: [] }),
		});
		await sqs.send(url, "secret");
		const err = await rejection(c.receiveMessage({ waitTimeSeconds: 0 }));
		expect(err).toBeInstanceOf(AwsError);
		expect((err as AwsError).status).toBe(403);
		expect((err as AwsError).code).toBe("SignatureDoesNotMatch");
		expect((err as AwsError).retryable).toBe(false);
		expect(seen(url, 0, "ReceiveMessage").length).toBe(1);
		// The message was never handed out.
		const [m] = await client(url).receiveMessage({ waitTimeSeconds: 1 });
		expect(m?.body).toBe("secret");
		expect(m?.receiveCount).toBe(1);
	});
});

describe("malformed answers", () => {
	/** The AwsError an operation fails with when SQS answers `answer` (200) for this queue. */
	async function invalid(answer: string, op: (c: SqsClient) => Promise<unknown>): Promise<AwsError> {
		const url = await newQueue();
		sqs.intercept((r) =>
			r.body.QueueUrl === url
				? new Response(answer, { headers: { "content-type": "application/x-amz-json-1.0" } })
				: undefined,
		);
		const err = await rejection(op(client(url, { http: http({ sleeps: [] }) })));
		expect(err).toBeInstanceOf(AwsError);
		const e = err as AwsError;
		expect(e.service).toBe("sqs");
		expect(e.code).toBe("InvalidResponse");
		expect(e.status).toBe(200);
		return e;
	}
	const receive = (c: SqsClient) => c.receiveMessage({ waitTimeSeconds: 0 });
	const message = (m: Record<string, unknown>) =>
		JSON.stringify({
			Messages: [
				{
					MessageId: "m-1",
					ReceiptHandle: "rh-1",
					Body: "b",
					MD5OfBody: "92eb5ffee6ae2fec3ad71c777531578f",
					...m,
				},
			],
		});

	test("a message without a receipt handle names the field", async () => {
		const e = await invalid(message({ ReceiptHandle: undefined }), receive);
		expect(e.message).toBe("SQS ReceiveMessage: the answer lacks Messages.0.ReceiptHandle");
	});

	test("a body of another type names the field and both types, never the value", async () => {
		const e = await invalid(message({ Body: 12345 }), receive);
		expect(e.message).toBe("SQS ReceiveMessage: the answer has Messages.0.Body as a number, expected string");
		expect(e.message).not.toContain("12345");
	});

	test("a receive count that is not a number", async () => {
		const e = await invalid(message({ Attributes: { ApproximateReceiveCount: "many" } }), receive);
		expect(e.message).toContain("the answer has an invalid Messages.0.Attributes.ApproximateReceiveCount");
	});

	test("Messages that is not a list, and an answer that is not an object", async () => {
		expect((await invalid('{"Messages":{"Body":"b"}}', receive)).message).toBe(
			"SQS ReceiveMessage: the answer has Messages as an object, expected Array",
		);
		expect((await invalid("null", receive)).message).toBe(
			"SQS ReceiveMessage: the answer is null, expected Object",
		);
	});

	test("an answer that is not JSON", async () => {
		expect((await invalid("<html>oops</html>", receive)).message).toBe(
			"SQS ReceiveMessage: the answer is not JSON",
		);
	});

	test("queue attributes that are not strings", async () => {
		const e = await invalid('{"Attributes":{"QueueArn":["arn"]}}', (c) => c.getQueueAttributes());
		expect(e.message).toBe(
			"SQS GetQueueAttributes: the answer has Attributes.QueueArn as an array, expected string",
		);
	});

	test("an empty answer to a receive is no messages", async () => {
		const url = await newQueue();
		sqs.intercept((r) => (r.body.QueueUrl === url ? new Response("") : undefined));
		expect(await client(url).receiveMessage({ waitTimeSeconds: 0 })).toEqual([]);
	});

	test("an error answer whose body is JSON null is still a typed error", async () => {
		const url = await newQueue();
		sqs.intercept((r) =>
			r.body.QueueUrl === url
				? new Response("null", {
						status: 400,
						headers: { "x-amzn-query-error": "AWS.SimpleQueueService.NonExistentQueue;Sender" },
					})
				: undefined,
		);
		const err = await rejection(client(url, { http: http({ sleeps: [] }) }).deleteMessage("rh"));
		expect(err).toBeInstanceOf(AwsError);
		expect((err as AwsError).code).toBe("AWS.SimpleQueueService.NonExistentQueue");
		expect((err as AwsError).message).toBe(
			"SQS DeleteMessage failed: AWS.SimpleQueueService.NonExistentQueue: null",
		);
	});
});

describe("region and endpoint", () => {
	test("the signing scope names the queue URL's region; requests go to the override endpoint", async () => {
		const queueUrl = "https://sqs.us-west-2.amazonaws.com/123456789012/q";
		sqs.intercept((r) => (r.body.QueueUrl === queueUrl ? Response.json({}) : undefined));
		const c = client(queueUrl, {
			fallbackRegion: async () => {
				throw new Error("the fallback region must not be needed");
			},
		});
		expect(await c.receiveMessage({ waitTimeSeconds: 0 })).toEqual([]);
		const [r] = seen(queueUrl, 0, "ReceiveMessage");
		if (!r) throw new Error("the request did not reach the override endpoint");
		expect(r.headers.authorization).toMatch(/Credential=S3RVER\/\d{8}\/us-west-2\/sqs\/aws4_request/);
		expect(r.headers.host).toBe(new URL(sqs.endpoint).host);
	});

	test("a queue URL naming no region is signed for the fallback region", async () => {
		const url = await newQueue();
		let asked = 0;
		const c = client(url, {
			fallbackRegion: async () => {
				asked++;
				return "eu-north-1";
			},
		});
		await c.receiveMessage({ waitTimeSeconds: 0 });
		await c.getQueueAttributes(["QueueArn"]);
		const rs = seen(url, 0);
		expect(rs.length).toBe(2);
		for (const r of rs) expect(r.headers.authorization).toMatch(/\/eu-north-1\/sqs\/aws4_request/);
		expect(asked).toBe(1);
	});
});

describe("dead-letter queue", () => {
	test("a message received maxReceiveCount times without a delete lands in the DLQ", async () => {
		const dlqUrl = await newQueue();
		const dlq = client(dlqUrl);
		const { QueueArn } = await dlq.getQueueAttributes(["QueueArn"]);
		expect(QueueArn).toMatch(/^arn:aws:sqs:/);
		const url = await newQueue({
			RedrivePolicy: JSON.stringify({ maxReceiveCount: 2, deadLetterTargetArn: QueueArn }),
		});
		const c = client(url);
		await sqs.send(url, "poison");
		const counts: number[] = [];
		for (let i = 0; i < 2; i++) {
			const [m] = await c.receiveMessage({ waitTimeSeconds: 2, visibilityTimeout: i === 0 ? 0 : 1 });
			if (m) counts.push(m.receiveCount);
		}
		expect(counts).toEqual([1, 2]);
		const [dead] = await dlq.receiveMessage({ waitTimeSeconds: 5 });
		expect(dead?.body).toBe("poison");
		expect(await c.receiveMessage({ waitTimeSeconds: 0 })).toEqual([]);
	});
});
