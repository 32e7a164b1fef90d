/**
 * The SQS → S3 → reload pipeline end to end: the compiled binary started as a user would,
 * real S3 (s3rver, SigV4-checked) and SQS (local-aws-sqs behind a signature-checking proxy)
 * servers, and the AWS SDK as the pipeline that uploads files and sends messages.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import {
	awsClientEnv,
	type S3Server,
	type SqsServer,
	type StandIn,
	standIn,
	startS3,
	startSqs,
} from "../support/aws-servers.ts";
import { buildBinary } from "../support/binary.ts";
import { until } from "../support/poll.ts";
import { type RunningRegistry, startRegistry, tempDir } from "../support/process.ts";
import { registryJson } from "../support/registry-docs.ts";
import { type SyncSiteOptions, startSyncSite } from "../support/sync-site.ts";

let binary = "";
let s3: S3Server;
let sqs: SqsServer;
const running: RunningRegistry[] = [];
const stands: StandIn[] = [];
const dirs: { cleanup(): void }[] = [];
let queues = 0;

beforeAll(async () => {
	[binary, s3, sqs] = await Promise.all([buildBinary(), startS3(["registry", "other-bucket"]), startSqs()]);
}, 120_000);

afterAll(async () => {
	for (const r of running) await r.stop("SIGKILL");
	for (const s of stands) await s.close();
	await s3?.close();
	await sqs?.close();
	for (const d of dirs) d.cleanup();
});

async function served(base: string): Promise<string[]> {
	const body = (await (await fetch(`${base}/v0.1/servers?limit=100`)).json()) as {
		servers: { server: { name: string } }[];
	};
	return body.servers.map((s) => s.server.name);
}

async function queueDepth(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
	const out = await sqs.sdk.send(
		new GetQueueAttributesCommand({
			QueueUrl: queueUrl,
			AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
		}),
	);
	return {
		visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? -1),
		inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? -1),
	};
}

interface Site {
	dir: string;
	file: string;
	queueUrl: string;
	registry: RunningRegistry;
}

/** A registry process with its own directory, file and queue (a file with one server unless told). */
const site = (opts: SyncSiteOptions = {}): Promise<Site> =>
	startSyncSite(
		{ binary, sqs, s3Endpoint: s3.endpoint, running, dirs },
		{ ...opts, initial: opts.initial ?? registryJson("io.github.e2e/initial") },
	);

const tempFiles = (dir: string) => readdirSync(dir).filter((n) => n.endsWith(".tmp"));
const count = (text: string, needle: string) => text.split(needle).length - 1;

describe("each message kind", () => {
	test("every s3_url form, s3_uri, S3 events, SNS and EventBridge lead to the new data, the queue ending empty", async () => {
		const s = await site();
		const cases: [string, string, (key: string) => string][] = [
			[
				"vh-region",
				"forms/vh-region.json",
				(k) => JSON.stringify({ s3_url: `https://registry.s3.us-east-1.amazonaws.com/${k}` }),
			],
			["vh", "forms/vh.json", (k) => JSON.stringify({ s3_url: `https://registry.s3.amazonaws.com/${k}` })],
			[
				"path-region",
				"forms/path-region.json",
				(k) => JSON.stringify({ s3_url: `https://s3.us-west-2.amazonaws.com/registry/${k}` }),
			],
			[
				"path",
				"forms/path.json",
				(k) => JSON.stringify({ s3_url: `https://s3.amazonaws.com/registry/${k}` }),
			],
			["s3-scheme", "forms/s3.json", (k) => JSON.stringify({ s3_url: `s3://registry/${k}` })],
			[
				"dash-region",
				"forms/dash.json",
				(k) => JSON.stringify({ s3_url: `https://registry.s3-eu-west-1.amazonaws.com/${k}` }),
			],
			[
				"dualstack",
				"forms/dualstack.json",
				(k) => JSON.stringify({ s3_url: `https://registry.s3.dualstack.ap-southeast-2.amazonaws.com/${k}` }),
			],
			[
				"fips",
				"forms/fips.json",
				(k) => JSON.stringify({ s3_url: `https://registry.s3-fips.us-east-2.amazonaws.com/${k}` }),
			],
			[
				"china",
				"forms/cn.json",
				(k) => JSON.stringify({ s3_url: `https://registry.s3.cn-north-1.amazonaws.com.cn/${k}` }),
			],
			[
				"encoded",
				"forms/with space+plus.json",
				() =>
					JSON.stringify({
						s3_url: "https://registry.s3.us-east-1.amazonaws.com/forms/with%20space%2Bplus.json",
					}),
			],
			["uri", "forms/uri.json", (k) => JSON.stringify({ s3_uri: `s3://registry/${k}` })],
			[
				"event",
				"events/my registry+v2.json",
				() =>
					JSON.stringify({
						Records: [
							{
								eventVersion: "2.1",
								eventSource: "aws:s3",
								awsRegion: "us-east-1",
								eventName: "ObjectCreated:Put",
								s3: {
									bucket: { name: "registry" },
									object: { key: "events/my+registry%2Bv2.json", size: 100 },
								},
							},
						],
					}),
			],
			[
				"sns",
				"events/sns.json",
				(k) =>
					JSON.stringify({
						Type: "Notification",
						MessageId: "m-1",
						TopicArn: "arn:aws:sns:us-east-1:123456789012:registry",
						Message: JSON.stringify({
							Records: [
								{
									eventName: "ObjectCreated:Put",
									awsRegion: "us-east-1",
									s3: { bucket: { name: "registry" }, object: { key: k } },
								},
							],
						}),
					}),
			],
			[
				"eventbridge",
				"events/eventbridge.json",
				(k) =>
					JSON.stringify({
						version: "0",
						"detail-type": "Object Created",
						source: "aws.s3",
						region: "us-east-1",
						detail: { bucket: { name: "registry" }, object: { key: k } },
					}),
			],
		];
		for (const [name, key, body] of cases) {
			const server = `io.github.e2e/${name}`;
			await s3.put(key, registryJson(server));
			await sqs.send(s.queueUrl, body(key));
			await until(`${name} to be served`, async () => (await served(s.registry.base)).includes(server));
		}
		await until("the queue to be empty", async () => {
			const d = await queueDepth(s.queueUrl);
			return d.visible === 0 && d.inFlight === 0;
		});
		// SQS has the deletes before the registry logs them: wait for the last line, not the queue.
		await until(
			"every delete to be logged",
			() => count(s.registry.logs(), "Deleted message from queue") >= cases.length,
		);
		expect(count(s.registry.logs(), "Deleted message from queue")).toBe(cases.length);
		const health = (await (await fetch(`${s.registry.base}/v0/health`)).json()) as {
			data: { age_seconds: number; source: string };
			sync: { enabled: boolean; running: boolean; messages: Record<string, number>; last_success_at: string };
		};
		expect(health.data.age_seconds).toBeGreaterThanOrEqual(0);
		expect(health.data.age_seconds).toBeLessThan(30);
		expect(health.data.source).toBe("s3://registry/events/eventbridge.json");
		expect(Date.parse(health.sync.last_success_at)).toBeGreaterThan(Date.now() - 60_000);
		expect(health.sync.enabled).toBe(true);
		expect(health.sync.running).toBe(true);
		expect(health.sync.messages).toEqual({
			received: cases.length,
			applied: cases.length,
			skipped: 0,
			failed: 0,
		});
		const metrics = await (await fetch(`${s.registry.base}/metrics`)).text();
		expect(metrics).toContain(`registry_sync_messages_total{result="applied"} ${cases.length}`);
		expect(metrics).toContain("registry_sync_running 1");
		expect(metrics).toMatch(/^registry_data_age_seconds \d/m);
		expect(metrics).toMatch(/^registry_sync_last_success_timestamp_seconds 1\d{9}/m);
	}, 60_000);

	test("the six log lines appear in order with the bucket, key, path and byte count", async () => {
		const s = await site();
		const content = registryJson("io.github.e2e/logged");
		await s3.put("logs/registry.json", content);
		await sqs.send(s.queueUrl, JSON.stringify({ s3_url: "s3://registry/logs/registry.json" }));
		await s.registry.waitForLog("Deleted message from queue");
		const lines = s.registry.logs().split("\n");
		const expected = [
			/ Received SQS message: [0-9a-f-]{36}$/,
			new RegExp(
				` Downloading s3://registry/logs/registry\\.json to ${s.file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`,
			),
			new RegExp(` Successfully downloaded ${Buffer.byteLength(content)} bytes from S3$`),
			/ Reloading database from updated file\.\.\.$/,
			/ Database reloaded successfully( |$)/,
			/ Deleted message from queue$/,
		];
		let at = 0;
		for (const re of expected) {
			const i = lines.findIndex((l, k) => k >= at && re.test(l));
			expect(i, `${re} after line ${at} in:\n${s.registry.logs()}`).toBeGreaterThanOrEqual(at);
			at = i + 1;
		}
		expect(readFileSync(s.file, "utf8")).toBe(content);
	});
});

describe("what is not downloaded", () => {
	test("an S3 test event is deleted with the data unchanged; an already-applied object is skipped and deleted", async () => {
		const s = await site();
		await sqs.send(
			s.queueUrl,
			JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent", Bucket: "registry" }),
		);
		await s.registry.waitForLog("Deleted message from queue");
		expect(s.registry.logs()).toContain("S3 test event");
		expect(await served(s.registry.base)).toEqual(["io.github.e2e/initial"]);

		await s3.put("skip/registry.json", registryJson("io.github.e2e/once"));
		await sqs.send(s.queueUrl, JSON.stringify({ s3_url: "s3://registry/skip/registry.json" }));
		await until("the first apply", async () => count(s.registry.logs(), "Deleted message from queue") === 2);
		const mtime = Bun.file(s.file).lastModified;
		await sqs.send(s.queueUrl, JSON.stringify({ s3_url: "s3://registry/skip/registry.json" }));
		await until(
			"the second message",
			async () => count(s.registry.logs(), "Deleted message from queue") === 3,
		);
		expect(s.registry.logs()).toMatch(/Skipped s3:\/\/registry\/skip\/registry\.json: S3 answered 304/);
		expect(count(s.registry.logs(), "Database reloaded successfully")).toBe(1);
		expect(Bun.file(s.file).lastModified).toBe(mtime);
		const d = await queueDepth(s.queueUrl);
		expect(d).toEqual({ visible: 0, inFlight: 0 });
	});
});

describe("failures keep the old data and the message", () => {
	test("invalid JSON, invalid registry, missing key, disallowed bucket, oversized object → old data, same file, message to the DLQ", async () => {
		const dlq = await sqs.createQueue(`dlq${++queues}`);
		const dlqArn = `arn:aws:sqs:us-east-1:123456789012:${dlq.split("/").pop()}`;
		const initial = registryJson("io.github.e2e/keep-me");
		const s = await site({
			initial,
			env: { MCP_REGISTRY_S3_MAX_BYTES: "4096", MCP_REGISTRY_SQS_ALLOWED_BUCKETS: "registry" },
			queueAttributes: {
				// local-aws-sqs counts ChangeMessageVisibility as a receive (AWS does not): with 3,
				// every message is still delivered twice before the redrive moves it.
				RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: "3" }),
			},
		});
		const before = readFileSync(s.file);
		await s3.put("bad/not-json.json", '{"servers": [ oops');
		await s3.put(
			"bad/invalid.json",
			JSON.stringify({ servers: [{ server: { name: "no-slash", description: "x", version: "1.0.0" } }] }),
		);
		await s3.put(
			"bad/large.json",
			registryJson(...Array.from({ length: 60 }, (_, i) => `io.github.e2e/large-${i}`)),
		);
		await s3.put("elsewhere.json", registryJson("io.github.e2e/elsewhere"), "other-bucket");
		const bodies = [
			{ s3_url: "s3://registry/bad/not-json.json" },
			{ s3_url: "s3://registry/bad/invalid.json" },
			{ s3_url: "s3://registry/bad/missing.json" },
			{ s3_url: "s3://other-bucket/elsewhere.json" },
			{ s3_url: "s3://registry/bad/large.json" },
		];
		for (const b of bodies) await sqs.send(s.queueUrl, JSON.stringify(b));
		await until(
			"all five messages in the dead-letter queue",
			async () => (await queueDepth(dlq)).visible === bodies.length,
			{ timeoutMs: 30_000 },
		);
		const logs = s.registry.logs();
		expect(logs).toContain("s3://registry/bad/not-json.json: invalid JSON at line 1");
		expect(logs).toMatch(
			/s3:\/\/registry\/bad\/invalid\.json: 1 invalid entry of 1[\s\S]*server\.name must match/,
		);
		expect(logs).toMatch(/NoSuchKey/);
		expect(logs).toContain('bucket "other-bucket" is not in MCP_REGISTRY_SQS_ALLOWED_BUCKETS');
		expect(logs).toContain("over the limit of 4096");
		expect(logs).not.toContain("Deleted message from queue");
		// Each was left for redelivery, delivered again, and left again with a longer delay.
		expect(count(logs, "for redelivery in 1 s (receive 1)")).toBe(bodies.length);
		expect(count(logs, "for redelivery in ")).toBeGreaterThanOrEqual(2 * bodies.length);
		expect(logs).not.toContain("Database reloaded successfully");
		expect(await served(s.registry.base)).toEqual(["io.github.e2e/keep-me"]);
		expect(readFileSync(s.file).equals(before)).toBe(true);
		expect(tempFiles(s.dir)).toEqual([]);
		expect(await queueDepth(s.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
		const health = (await (await fetch(`${s.registry.base}/v0/health`)).json()) as {
			sync: { messages: { failed: number; applied: number }; last_error: string };
		};
		expect(health.sync.messages.applied).toBe(0);
		expect(health.sync.messages.failed).toBeGreaterThanOrEqual(bodies.length);
		expect(health.sync.last_error).toBeString();
	}, 60_000);
});

/** An S3 stand-in serving one object, with faults on demand. */
function s3StandIn(content: string, fault: (n: number) => "error" | "slow" | "stall" | "ok"): StandIn {
	const etag = `"${createHash("md5").update(content).digest("hex")}"`;
	let n = 0;
	const s = standIn((req) => {
		n++;
		const mode = fault(n);
		if (req.headers.get("if-none-match") === etag)
			return new Response(null, { status: 304, headers: { etag } });
		if (mode === "error") {
			return new Response(
				"<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>",
				{
					status: 500,
				},
			);
		}
		const bytes = new TextEncoder().encode(content);
		if (mode === "ok")
			return new Response(bytes, { headers: { etag, "content-length": String(bytes.length) } });
		const pieces = 10;
		const size = Math.ceil(bytes.length / pieces);
		const stream = new ReadableStream({
			async pull(controller) {
				const i = (stream as unknown as { i?: number }).i ?? 0;
				(stream as unknown as { i: number }).i = i + 1;
				if (mode === "stall" && i >= pieces / 2) {
					await Bun.sleep(60_000); // the fake server's fault: half the object, then nothing
				}
				if (i >= pieces) return controller.close();
				await Bun.sleep(mode === "slow" ? 500 : 0); // the fake server's fault: a slow download
				controller.enqueue(bytes.subarray(i * size, (i + 1) * size));
			},
		});
		return new Response(stream, { headers: { etag, "content-length": String(bytes.length) } });
	});
	stands.push(s);
	return s;
}

describe("transient failures are retried", () => {
	test("S3 answering 500 (more often than one request retries) then 200 → applied after in-process retry", async () => {
		const stand = s3StandIn(registryJson("io.github.e2e/after-500"), (n) => (n <= 4 ? "error" : "ok"));
		const s = await site({ env: { AWS_ENDPOINT_URL_S3: stand.url } });
		await sqs.send(s.queueUrl, JSON.stringify({ s3_url: "s3://registry/flaky.json" }));
		await until(
			"the data after retries",
			async () => (await served(s.registry.base)).includes("io.github.e2e/after-500"),
			{ timeoutMs: 20_000 },
		);
		expect(stand.requests.filter((r) => r.method === "GET").length).toBe(5);
		expect(s.registry.logs()).toContain("failed (attempt 1 of 3); retrying");
		await s.registry.waitForLog("Deleted message from queue");
	}, 30_000);

	test("SQS throttling is retried", async () => {
		const s = await site();
		let throttled = 0;
		sqs.intercept((r) => {
			if (r.target === "AmazonSQS.ReceiveMessage" && r.body.QueueUrl === s.queueUrl && throttled < 1) {
				throttled++;
				return Response.json(
					{ __type: "com.amazonaws.sqs#ThrottlingException", message: "Rate exceeded" },
					{ status: 400, headers: { "x-amzn-query-error": "ThrottlingException;Sender" } },
				);
			}
			return undefined;
		});
		try {
			await s3.put("throttle/registry.json", registryJson("io.github.e2e/throttled"));
			await until("a throttled receive", async () => throttled === 1);
			await sqs.send(s.queueUrl, JSON.stringify({ s3_url: "s3://registry/throttle/registry.json" }));
			await until("the data", async () =>
				(await served(s.registry.base)).includes("io.github.e2e/throttled"),
			);
			expect(s.registry.logs()).not.toContain("Receiving from SQS failed");
		} finally {
			sqs.intercept(undefined);
		}
	});
});

describe("crashes and signals", () => {
	test("kill -9 in the middle of a slow download; a restart serves the old complete file and no temp file remains", async () => {
		const stand = s3StandIn(
			registryJson(...Array.from({ length: 20 }, (_, i) => `io.github.e2e/new-${i}`)),
			() => "stall",
		);
		const initial = registryJson("io.github.e2e/old-complete");
		const s = await site({ initial, env: { AWS_ENDPOINT_URL_S3: stand.url } });
		await sqs.send(s.queueUrl, JSON.stringify({ s3_url: "s3://registry/stalls.json" }));
		await s.registry.waitForLog("Downloading s3://registry/stalls.json");
		await until("a partial temp file", async () => tempFiles(s.dir).length === 1);
		s.registry.proc.kill("SIGKILL");
		await s.registry.proc.exited;
		expect(tempFiles(s.dir)).toHaveLength(1);
		expect(readFileSync(s.file, "utf8")).toBe(initial);

		const again = await startRegistry({
			cmd: [binary],
			cwd: s.dir,
			env: {
				...awsClientEnv({ home: s.dir }),
				MCP_REGISTRY_JSON_FILE_PATH: s.file,
			},
		});
		running.push(again);
		expect(await served(again.base)).toEqual(["io.github.e2e/old-complete"]);
		expect(tempFiles(s.dir)).toEqual([]);
		expect(again.logs()).toContain("Removed leftover temporary file");
	}, 30_000);

	test("SIGTERM during a long poll exits 0 within 5 s; SIGHUP reloads from disk", async () => {
		const s = await site({ env: { MCP_REGISTRY_SQS_WAIT_TIME_SECONDS: "20" } });
		writeFileSync(s.file, registryJson("io.github.e2e/from-disk"));
		s.registry.proc.kill("SIGHUP");
		await until("the reload", async () =>
			(await served(s.registry.base)).includes("io.github.e2e/from-disk"),
		);
		await until("a long poll in progress", async () =>
			sqs.requests.some(
				(r) =>
					r.target === "AmazonSQS.ReceiveMessage" &&
					r.body.QueueUrl === s.queueUrl &&
					r.body.WaitTimeSeconds === 20,
			),
		);
		const t = performance.now();
		const code = await s.registry.stop("SIGTERM");
		expect(code).toBe(0);
		expect(performance.now() - t).toBeLessThan(5000);
		expect(s.registry.logs()).toContain("SQS listener stopped");
	}, 30_000);

	test("a download slower than the visibility timeout is not redelivered: the heartbeat extends it", async () => {
		const stand = s3StandIn(registryJson("io.github.e2e/slow"), () => "slow");
		const s = await site({
			env: { AWS_ENDPOINT_URL_S3: stand.url, MCP_REGISTRY_SQS_VISIBILITY_TIMEOUT: "2" },
		});
		await sqs.send(s.queueUrl, JSON.stringify({ s3_url: "s3://registry/slow.json" }));
		await until("the slow data", async () => (await served(s.registry.base)).includes("io.github.e2e/slow"), {
			timeoutMs: 20_000,
		});
		await s.registry.waitForLog("Deleted message from queue");
		expect(count(s.registry.logs(), "Received SQS message")).toBe(1);
		const beats = sqs.requests.filter(
			(r) => r.target === "AmazonSQS.ChangeMessageVisibility" && r.body.QueueUrl === s.queueUrl,
		);
		expect(beats.length).toBeGreaterThanOrEqual(3);
		expect(beats.every((b) => b.body.VisibilityTimeout === 2)).toBe(true);
		expect(await queueDepth(s.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
	}, 30_000);
});

describe("S3_URL bootstrap and polling, s3:// seeds", () => {
	test("a new replica fetches S3_URL at start and polls it with If-None-Match", async () => {
		const d = tempDir("registry-poll-");
		dirs.push(d);
		const file = join(d.path, "registry.json");
		writeFileSync(file, registryJson("io.github.e2e/stale"));
		await s3.put("poll/registry.json", registryJson("io.github.e2e/bootstrapped"));
		const r = await startRegistry({
			cmd: [binary],
			cwd: d.path,
			env: {
				...awsClientEnv({ home: d.path, s3: s3.endpoint }),
				MCP_REGISTRY_JSON_FILE_PATH: file,
				MCP_REGISTRY_S3_URL: "s3://registry/poll/registry.json",
				MCP_REGISTRY_S3_POLL_SECONDS: "1",
				MCP_REGISTRY_HEALTH_DETAIL: "true",
			},
		});
		running.push(r);
		await until("the bootstrap", async () => (await served(r.base)).includes("io.github.e2e/bootstrapped"));
		// The next polls are conditional: unchanged, nothing is rewritten.
		await r.waitForLog("s3://registry/poll/registry.json unchanged: S3 answered 304", 10_000);
		expect(count(r.logs(), "Database reloaded successfully")).toBe(1);
		await s3.put("poll/registry.json", registryJson("io.github.e2e/polled"));
		await until("the polled update", async () => (await served(r.base)).includes("io.github.e2e/polled"), {
			timeoutMs: 10_000,
		});
		expect(readFileSync(file, "utf8")).toBe(registryJson("io.github.e2e/polled"));
		const health = (await (await fetch(`${r.base}/v0/health`)).json()) as {
			sync: { enabled: boolean; s3_url: { url: string; last_check_at: string } };
		};
		expect(health.sync.enabled).toBe(false);
		expect(health.sync.s3_url.url).toBe("s3://registry/poll/registry.json");
	}, 30_000);

	test("MCP_REGISTRY_SEED_FROM=s3://… writes the registry file when there is none", async () => {
		const d = tempDir("registry-seed-");
		dirs.push(d);
		const file = join(d.path, "registry.json");
		const content = registryJson("io.github.e2e/seeded-from-s3");
		await s3.put("seed/registry.json", content);
		const r = await startRegistry({
			cmd: [binary],
			cwd: d.path,
			env: {
				...awsClientEnv({ home: d.path, s3: s3.endpoint }),
				MCP_REGISTRY_JSON_FILE_PATH: file,
				MCP_REGISTRY_SEED_FROM: "s3://registry/seed/registry.json",
			},
		});
		running.push(r);
		expect(await served(r.base)).toEqual(["io.github.e2e/seeded-from-s3"]);
		expect(readFileSync(file, "utf8")).toBe(content);
		expect(tempFiles(d.path)).toEqual([]);
		expect(r.logs()).toContain(`Seeded ${file} with 1 entries from s3://registry/seed/registry.json`);
	});
});

describe("ordering", () => {
	test("a batch is processed one message at a time, oldest SentTimestamp first", async () => {
		const s = await site({ env: { MCP_REGISTRY_SQS_MAX_MESSAGES: "10" } });
		for (const k of ["a", "b", "c"])
			await s3.put(`order/${k}.json`, registryJson(`io.github.e2e/order-${k}`));
		const message = (k: string, sent: number) => {
			const body = JSON.stringify({ s3_url: `s3://registry/order/${k}.json` });
			return {
				MessageId: `00000000-0000-4000-8000-00000000000${sent}`,
				ReceiptHandle: `handle-${k}`,
				MD5OfBody: createHash("md5").update(body).digest("hex"),
				Body: body,
				Attributes: { ApproximateReceiveCount: "1", SentTimestamp: String(1_700_000_000_000 + sent) },
			};
		};
		let served_ = false;
		sqs.intercept((r) => {
			if (r.body.QueueUrl !== s.queueUrl) return undefined;
			if (r.target === "AmazonSQS.ReceiveMessage" && !served_) {
				served_ = true;
				// Out of order on purpose: c was sent last, a first.
				return Response.json({ Messages: [message("c", 3), message("a", 1), message("b", 2)] });
			}
			if (r.target === "AmazonSQS.DeleteMessage" || r.target === "AmazonSQS.ChangeMessageVisibility") {
				return Response.json({});
			}
			return undefined;
		});
		try {
			await until("three deletes", async () => count(s.registry.logs(), "Deleted message from queue") === 3);
			const order = [...s.registry.logs().matchAll(/Downloading s3:\/\/registry\/order\/(\w)\.json/g)].map(
				(m) => m[1],
			);
			expect(order).toEqual(["a", "b", "c"]);
			expect(await served(s.registry.base)).toEqual(["io.github.e2e/order-c"]);
		} finally {
			sqs.intercept(undefined);
		}
	});
});
