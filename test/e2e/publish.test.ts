/**
 * `registry publish` end to end: the registry run from source as a user starts it, kept current
 * from S3 via SQS (s3rver behind the proxy that checks checksums and conditions, local-aws-sqs
 * behind its signature-checking proxy), and `registry publish` run as a separate process, as a
 * pipeline runs it. What is served changes to the published file: its content hash in /v0/health
 * and its new entry. Then three replicas, each with its own queue (as an SNS fan-out feeds them),
 * all told by one publish. The latencies are printed, not asserted.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import {
	awsClientEnv,
	BUCKET,
	type S3Server,
	type SqsServer,
	startS3,
	startSqs,
} from "../support/aws-servers.ts";
import { until } from "../support/poll.ts";
import { type CliRun, type RunningRegistry, runCli, tempDir } from "../support/process.ts";
import { registryJson } from "../support/registry-docs.ts";
import { type S3ConditionsProxy, startS3Conditions } from "../support/s3-conditions.ts";
import { type SyncSite, startSyncSite } from "../support/sync-site.ts";

let s3: S3Server;
let sqs: SqsServer;
let proxy: S3ConditionsProxy;
const running: RunningRegistry[] = [];
const dirs: { cleanup(): void }[] = [];
const work = tempDir("registry-publish-e2e-");

beforeAll(async () => {
	[s3, sqs] = await Promise.all([startS3(), startSqs()]);
	proxy = await startS3Conditions(s3);
});

afterAll(async () => {
	for (const r of running) await r.stop("SIGKILL");
	await proxy?.close();
	await s3?.close();
	await sqs?.close();
	for (const d of dirs) d.cleanup();
	work.cleanup();
});

const hashOf = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;

/** A registry from source with its own directory, file and queue, listening for updates. */
const replica = (initial: string): Promise<SyncSite> =>
	startSyncSite(
		{ sqs, s3Endpoint: proxy.endpoint, running, dirs },
		// The default long poll: a message ends it at once, as on SQS.
		{ initial, env: { MCP_REGISTRY_SQS_WAIT_TIME_SECONDS: "20" } },
	);

async function contentHash(base: string): Promise<string> {
	const health = (await (await fetch(`${base}/v0/health`)).json()) as { data: { content_hash: string } };
	return health.data.content_hash;
}

/** `registry publish …` as a process of its own, as a pipeline runs it. */
function publish(args: string[]): Promise<CliRun> {
	return runCli(["publish", ...args], {
		cwd: work.path,
		env: awsClientEnv({ home: work.path, s3: proxy.endpoint, sqs: sqs.endpoint }),
	});
}

describe("registry publish → SQS → the running registry", () => {
	test("a published file is served within seconds; the printed ETag guards the next publish", async () => {
		const initial = registryJson("io.github.e2e/initial");
		const { registry, queueUrl } = await replica(initial);
		expect(await contentHash(registry.base)).toBe(hashOf(initial));
		const key = "e2e/registry.json";
		const next = registryJson("io.github.e2e/initial", "io.github.e2e/published");
		const started = performance.now();
		const r = await publish([
			"--queue-url",
			queueUrl,
			work.write("next.json", next),
			`s3://${BUCKET}/${key}`,
		]);
		const exited = performance.now();
		expect(r.stderr).toBe("");
		expect(r.code).toBe(0);
		expect(r.stdout).toContain(`uploaded s3://${BUCKET}/${key}`);
		expect(r.stdout).toContain(`content hash ${hashOf(next)}`);
		await until(
			"the published file served",
			async () => (await contentHash(registry.base)) === hashOf(next),
			{
				timeoutMs: 20_000,
				everyMs: 10,
			},
		);
		const served = performance.now();
		const entry = await fetch(
			`${registry.base}/v0.1/servers/${encodeURIComponent("io.github.e2e/published")}/versions/latest`,
		);
		expect(entry.status).toBe(200);
		console.log(
			`publish → served: ${(served - started).toFixed(0)} ms from starting \`registry publish\` (the command itself ${(exited - started).toFixed(0)} ms, of it Bun's start-up; served ${(served - exited).toFixed(0)} ms after it exited)`,
		);

		// The next pipeline publishes on top of what it saw: the ETag printed.
		const etag = /ETag ("[0-9a-f]{32}")/.exec(r.stdout)?.[1] ?? "";
		expect(etag).not.toBe("");
		const third = registryJson("io.github.e2e/third");
		const guarded = await publish([
			"--if-match",
			etag,
			"--queue-url",
			queueUrl,
			work.write("third.json", third),
			`s3://${BUCKET}/${key}`,
		]);
		expect(guarded.code).toBe(0);
		await until(
			"the guarded publish served",
			async () => (await contentHash(registry.base)) === hashOf(third),
			{
				timeoutMs: 20_000,
			},
		);
		// A pipeline still holding the first ETag is refused; the registry keeps what it serves.
		const late = await publish([
			"--if-match",
			etag,
			"--queue-url",
			queueUrl,
			work.write("late.json", next),
			`s3://${BUCKET}/${key}`,
		]);
		expect(late.code).toBe(1);
		expect(late.stderr).toContain("someone else published");
		expect(await contentHash(registry.base)).toBe(hashOf(third));
	}, 60_000);

	test("three replicas, a queue each (as an SNS fan-out): one publish, all three serve the same content hash", async () => {
		const initial = registryJson("io.github.e2e/fleet");
		const replicas = await Promise.all([replica(initial), replica(initial), replica(initial)]);
		const next = registryJson("io.github.e2e/fleet", "io.github.e2e/fleet-new");
		const queueArgs = replicas.flatMap((r) => ["--queue-url", r.queueUrl]);
		const started = performance.now();
		const r = await publish([
			...queueArgs,
			work.write("fleet.json", next),
			`s3://${BUCKET}/fleet/registry.json`,
		]);
		expect(r.stderr).toBe("");
		expect(r.code).toBe(0);
		expect(r.stdout.match(/^sent message /gm)?.length).toBe(3);
		const times = await Promise.all(
			replicas.map(async ({ registry }) => {
				await until(
					"the replica serving the published file",
					async () => (await contentHash(registry.base)) === hashOf(next),
					{
						timeoutMs: 20_000,
						everyMs: 10,
					},
				);
				return performance.now() - started;
			}),
		);
		const hashes = await Promise.all(replicas.map(({ registry }) => contentHash(registry.base)));
		expect(new Set(hashes)).toEqual(new Set([hashOf(next)]));
		console.log(
			`three replicas: served the published file ${times.map((t) => `${t.toFixed(0)} ms`).join(", ")} after \`registry publish\` started (all within ${(Math.max(...times) - Math.min(...times)).toFixed(0)} ms of each other)`,
		);
	}, 60_000);
});
