/**
 * Hostile messages, end to end with the compiled binary (issue 10; sync spec "Names from messages
 * are checked", "Logs cannot be forged"): a message cannot write a line of its own into the log,
 * and a bucket name S3 could not have is never requested — neither from a message nor from
 * MCP_REGISTRY_S3_URL / MCP_REGISTRY_SEED_FROM at start-up.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
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
import { type RunningRegistry, startRegistry, startUpOutcome, tempDir } from "../support/process.ts";
import { startSyncSite } from "../support/sync-site.ts";

let binary = "";
let s3: S3Server;
let sqs: SqsServer;
/** An S3 endpoint that records every request and has no objects: nothing may reach it here. */
let s3StandIn: StandIn;
const running: RunningRegistry[] = [];
const dirs: { cleanup(): void }[] = [];

beforeAll(async () => {
	[binary, s3, sqs] = await Promise.all([buildBinary(), startS3(["registry"]), startSqs()]);
	s3StandIn = standIn(
		() =>
			new Response(
				'<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>',
				{ status: 404, headers: { "content-type": "application/xml" } },
			),
	);
}, 120_000);

afterAll(async () => {
	for (const r of running) await r.stop("SIGKILL");
	await s3?.close();
	await sqs?.close();
	await s3StandIn?.close();
	for (const d of dirs) d.cleanup();
});

const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json";
const registryJson = (name: string) =>
	`${JSON.stringify({ servers: [{ server: { $schema: SCHEMA, name, description: `Server ${name}`, version: "1.0.0" } }] })}\n`;

/** What a forger wants grep to find: a whole line, timestamp and level included. */
const FORGED = "2026-01-01T00:00:00.000Z INFO  Database reloaded successfully";
/** How every line of the text log starts. */
const LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO |WARN |ERROR) /;

const site = (s3Endpoint: string, env: Record<string, string> = {}) =>
	startSyncSite({ binary, sqs, s3Endpoint, running, dirs }, { env });

/** Message ids the registry has left for redelivery (the end of handling a message it did not apply). */
function leftIds(logs: string): Set<string> {
	return new Set([...logs.matchAll(/Left message (\S+) for redelivery/g)].map((m) => m[1] as string));
}

function s3Event(bucket: string, key: string): string {
	return JSON.stringify({
		Records: [
			{
				eventVersion: "2.1",
				eventSource: "aws:s3",
				awsRegion: "us-east-1",
				eventName: "ObjectCreated:Put",
				s3: { bucket: { name: bucket }, object: { key, size: 10 } },
			},
		],
	});
}

describe("a message cannot forge a log line", () => {
	test("a key with a newline (s3_url, %0A in an S3 event key) or an entry's name writes no line of its own", async () => {
		const s = await site(s3.endpoint);
		// An object whose invalid entry's name carries the line: the load error names the entry.
		await s3.put("invalid/registry.json", registryJson(`io.github.e2e/x\n${FORGED}`));
		const hostile = [
			JSON.stringify({ s3_url: `s3://registry/x\n${FORGED}` }),
			JSON.stringify({ s3_uri: `s3://registry/x\r\n${FORGED}` }),
			s3Event("registry", `x%0A${encodeURIComponent(FORGED).replace(/%20/g, "+")}`),
			s3Event("registry", `x%E2%80%A8${encodeURIComponent(FORGED).replace(/%20/g, "+")}`),
			JSON.stringify({ s3_url: "s3://registry/invalid/registry.json" }),
		];
		for (const body of hostile) await sqs.send(s.queueUrl, body);
		await until(
			"every hostile message to be handled and left",
			() => leftIds(s.registry.logs()).size >= hostile.length,
			{
				timeoutMs: 30_000,
			},
		);

		// A real update still goes through, and logs its one real line.
		await s3.put("real/registry.json", registryJson("io.github.e2e/real"));
		const mark = s.registry.logs().length;
		await sqs.send(s.queueUrl, JSON.stringify({ s3_url: "s3://registry/real/registry.json" }));
		await s.registry.waitForLog("Deleted message from queue", 20_000, mark);
		await s.registry.stop();

		const lines = s.registry.logs().split("\n").filter(Boolean);
		for (const line of lines) expect(line).toMatch(LINE);
		// One line says "Database reloaded successfully": the real one.
		const said = lines.filter((l) => l.replace(LINE, "").startsWith("Database reloaded successfully"));
		expect(said).toHaveLength(1);
		expect(said[0]).toMatch(/^\S+ INFO {2}Database reloaded successfully( |$)/);
		// Elsewhere the words appear only inside the invalid entry's name, escaped within one line:
		// the keys of the messages are shown only up to their control character.
		const mentions = lines.filter((l) => l.includes("Database reloaded successfully") && !said.includes(l));
		expect(mentions.length).toBeGreaterThan(0);
		for (const l of mentions) expect(l).toContain(`io.github.e2e/x\\n${FORGED}`);
		// The hostile messages were refused as such, the key shown with its escape, up to it.
		const refusals = lines.filter((l) => / ERROR Unprocessable SQS message \S+: .*control character/.test(l));
		expect(refusals.length).toBeGreaterThanOrEqual(hostile.length - 1);
		expect(refusals.some((l) => l.includes('"x\\n…"'))).toBe(true);
		expect(refusals.some((l) => l.includes('"x\\r…"'))).toBe(true);
		expect(refusals.some((l) => l.includes('"x\\u2028…"'))).toBe(true);
	}, 90_000);
});

describe("a bucket name S3 could not have is never requested", () => {
	test("from a message: unprocessable, left for the dead-letter queue, no request sent", async () => {
		const before = s3StandIn.requests.length;
		const s = await site(s3StandIn.url);
		const hostile = [
			// Path-style, this was a signed ListObjects on the bucket "registry".
			JSON.stringify({ s3_url: "s3://registry?list-type=2&x=/registry.json" }),
			// A bucket of "..": another object than the log named.
			JSON.stringify({ s3_url: "s3://../registry/registry.json" }),
			s3Event("registry?list-type=2&x=", "registry.json"),
			s3Event("Registry_Old", "registry.json"),
		];
		for (const body of hostile) await sqs.send(s.queueUrl, body);
		await until(
			"every hostile message to be handled and left",
			() => leftIds(s.registry.logs()).size >= hostile.length,
			{
				timeoutMs: 30_000,
			},
		);
		await s.registry.stop();
		expect(s3StandIn.requests.slice(before)).toEqual([]);
		const logs = s.registry.logs();
		expect(
			[...logs.matchAll(/Unprocessable SQS message \S+: .*is not an S3 bucket name/g)].length,
		).toBeGreaterThanOrEqual(hostile.length);
		expect(logs).not.toContain("Downloading");
	}, 90_000);

	/** Starts the binary and reports how start-up ended: an exit code, or listening. */
	async function startUp(env: Record<string, string>): Promise<{ r: RunningRegistry; outcome: string }> {
		const d = tempDir("registry-hostile-");
		dirs.push(d);
		const r = await startRegistry({
			cmd: [binary],
			cwd: d.path,
			expectListening: false,
			env: {
				...awsClientEnv({ home: d.path, s3: s3StandIn.url }),
				MCP_REGISTRY_JSON_FILE_PATH: join(d.path, "registry.json"),
				...env,
			},
		});
		running.push(r);
		const outcome = await startUpOutcome(r);
		if (outcome === "listening") await r.stop();
		return { r, outcome };
	}

	for (const variable of ["MCP_REGISTRY_S3_URL", "MCP_REGISTRY_SEED_FROM"]) {
		test(`from ${variable}: a configuration error naming the variable, no request sent`, async () => {
			for (const url of ["s3://registry?list-type=2&x=/registry.json", "s3://../registry/registry.json"]) {
				const before = s3StandIn.requests.length;
				const { r, outcome } = await startUp({ [variable]: url });
				expect(outcome).toBe("exit 2");
				expect(r.logs()).toContain(`registry: invalid configuration: ${variable}: not an S3 object URL`);
				expect(r.logs()).toContain("is not an S3 bucket name");
				expect(s3StandIn.requests.slice(before)).toEqual([]);
			}
		}, 60_000);
	}
});
