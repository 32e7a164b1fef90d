/**
 * The store's one replace path, end to end with the compiled binary, s3rver and the SQS server:
 * SIGHUP reloads and S3 applies share the applied-object state, the lock, the time limit and
 * the report in the log. Each test reproduces a defect seen from outside before the fix.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { type S3Server, type SqsServer, startS3, startSqs } from "../support/aws-servers.ts";
import { buildBinary } from "../support/binary.ts";
import { until } from "../support/poll.ts";
import type { RunningRegistry } from "../support/process.ts";
import { startSyncSite } from "../support/sync-site.ts";

let binary = "";
let s3: S3Server;
let sqs: SqsServer;
const running: RunningRegistry[] = [];
const dirs: { cleanup(): void }[] = [];

beforeAll(async () => {
	[binary, s3, sqs] = await Promise.all([buildBinary(), startS3(["registry"]), startSqs()]);
}, 120_000);

afterAll(async () => {
	for (const r of running) await r.stop("SIGKILL");
	await s3?.close();
	await sqs?.close();
	for (const d of dirs) d.cleanup();
});

const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json";

function entry(name: string, extra: Record<string, unknown> = {}) {
	return {
		server: { $schema: SCHEMA, name, description: `Server ${name}`, version: "1.0.0", ...extra },
		_meta: {
			"io.modelcontextprotocol.registry/official": {
				status: "active",
				publishedAt: "2025-11-01T00:00:00Z",
				updatedAt: "2025-11-01T00:00:00Z",
				isLatest: true,
			},
		},
	};
}

const registryJson = (...entries: unknown[]) => `${JSON.stringify({ servers: entries })}\n`;

async function served(base: string): Promise<string[]> {
	const body = (await (await fetch(`${base}/v0.1/servers?limit=100`)).json()) as {
		servers: { server: { name: string } }[];
	};
	return body.servers.map((s) => s.server.name);
}

async function health(base: string) {
	return (await (await fetch(`${base}/v0/health`)).json()) as {
		status: string;
		data: { source: string; last_load?: { ok: boolean; error?: string } };
		sync: { messages: Record<string, number> };
	};
}

const site = (env: Record<string, string> = {}, initial = registryJson(entry("io.github.e2e/initial"))) =>
	startSyncSite({ binary, sqs, s3Endpoint: s3.endpoint, running, dirs }, { env, initial });

describe("one replace path", () => {
	test("an object applied before a SIGHUP reload is downloaded and served again when its message comes back", async () => {
		const s = await site();
		const x = registryJson(entry("io.github.e2e/x"));
		await s3.put("again/registry.json", x);
		await sqs.send(s.queueUrl, JSON.stringify({ s3_url: "s3://registry/again/registry.json" }));
		await until("X to be served", async () => (await served(s.registry.base)).includes("io.github.e2e/x"));

		writeFileSync(s.file, registryJson(entry("io.github.e2e/y")));
		const before = s.registry.logs().length;
		s.registry.proc.kill("SIGHUP");
		await s.registry.waitForLog("Loaded 1 entries (1 servers)", 10_000, before);
		expect(await served(s.registry.base)).toEqual(["io.github.e2e/y"]);

		// The same bytes again: the same ETag as the object applied before the reload.
		await s3.put("again/registry.json", x);
		const mark = s.registry.logs().length;
		await sqs.send(s.queueUrl, JSON.stringify({ s3_url: "s3://registry/again/registry.json" }));
		await s.registry.waitForLog("Deleted message from queue", 15_000, mark);
		const logs = s.registry.logs().slice(mark);
		expect(logs).not.toContain("already applied");
		expect(logs).toContain("Database reloaded successfully");
		expect(await served(s.registry.base)).toEqual(["io.github.e2e/x"]);
	});

	test("the same S3 event redelivered after a SIGHUP reload of other bytes brings its object back", async () => {
		const s = await site();
		const event = (key: string) =>
			JSON.stringify({
				Records: [
					{
						eventSource: "aws:s3",
						awsRegion: "us-east-1",
						eventName: "ObjectCreated:Put",
						s3: { bucket: { name: "registry" }, object: { key, sequencer: "0055AED6DCD90281E5" } },
					},
				],
			});
		await s3.put("event/registry.json", registryJson(entry("io.github.e2e/x")));
		await sqs.send(s.queueUrl, event("event/registry.json"));
		await until("X to be served", async () => (await served(s.registry.base)).includes("io.github.e2e/x"));

		writeFileSync(s.file, registryJson(entry("io.github.e2e/y")));
		const hup = s.registry.logs().length;
		s.registry.proc.kill("SIGHUP");
		await s.registry.waitForLog("Loaded 1 entries (1 servers)", 10_000, hup);

		// A redelivery (or a redrive from the dead-letter queue) of the very same event.
		const mark = s.registry.logs().length;
		await sqs.send(s.queueUrl, event("event/registry.json"));
		await s.registry.waitForLog("Deleted message from queue", 15_000, mark);
		expect(s.registry.logs().slice(mark)).toContain("Database reloaded successfully");
		expect(await served(s.registry.base)).toEqual(["io.github.e2e/x"]);
	});

	test("after a SIGHUP reload that fails, the object applied before is downloaded again and repairs the file", async () => {
		const s = await site();
		const x = registryJson(entry("io.github.e2e/x"));
		await s3.put("repair/registry.json", x);
		await sqs.send(s.queueUrl, JSON.stringify({ s3_url: "s3://registry/repair/registry.json" }));
		await until("X to be served", async () => (await served(s.registry.base)).includes("io.github.e2e/x"));

		writeFileSync(s.file, "{ truncated");
		const hup = s.registry.logs().length;
		s.registry.proc.kill("SIGHUP");
		await s.registry.waitForLog("Reload failed", 10_000, hup);

		const mark = s.registry.logs().length;
		await sqs.send(s.queueUrl, JSON.stringify({ s3_url: "s3://registry/repair/registry.json" }));
		await s.registry.waitForLog("Deleted message from queue", 15_000, mark);
		expect(s.registry.logs().slice(mark)).not.toContain("already applied");
		expect(readFileSync(s.file, "utf8")).toBe(x);
		expect(await served(s.registry.base)).toEqual(["io.github.e2e/x"]);
	});

	for (const worker of ["true", "false"]) {
		test(`a load slower than the timeout is abandoned and recorded; the S3 update waiting behind it proceeds (MCP_REGISTRY_LOAD_WORKER=${worker})`, async () => {
			const s = await site({
				MCP_REGISTRY_LOAD_TIMEOUT_SECONDS: "0.5",
				MCP_REGISTRY_LOAD_WORKER: worker,
				MCP_REGISTRY_HEALTH_DETAIL: "true",
			});
			// 200,000 servers: a couple of seconds to build here, four times the timeout at least.
			const many = Array.from({ length: 200_000 }, (_, i) => entry(`io.github.slow/s${i}`));
			writeFileSync(s.file, registryJson(...many));
			const mark = s.registry.logs().length;
			s.registry.proc.kill("SIGHUP");
			await s3.put("slow/registry.json", registryJson(entry("io.github.e2e/after-slow")));
			await sqs.send(s.queueUrl, JSON.stringify({ s3_url: "s3://registry/slow/registry.json" }));

			await s.registry.waitForLog(
				`Reload failed; still serving the previous data: ${s.file}: not read and built within 0.5 s`,
				10_000,
				mark,
			);
			const failed = await health(s.registry.base);
			expect(failed.data.last_load?.ok).toBe(false);
			expect(failed.data.last_load?.error).toContain(`${s.file}: not read and built within 0.5 s`);
			expect(await served(s.registry.base)).toEqual(["io.github.e2e/initial"]);
			const metrics = await (await fetch(`${s.registry.base}/metrics`)).text();
			expect(metrics).toMatch(/registry_loads_total\{result="failure"\} 1\n/);
			expect(metrics).toMatch(/registry_load_timeouts_total 1\n/);

			await until(
				"the update behind the abandoned reload to be served",
				async () => (await served(s.registry.base)).includes("io.github.e2e/after-slow"),
				{ timeoutMs: 15_000 },
			);
			// The message goes once its object is served: wait for that, not for the serving.
			await s.registry.waitForLog("Deleted message from queue", 10_000, mark);
			expect(s.registry.logs().slice(mark)).toContain("Downloading s3://registry/slow/registry.json");
			expect((await health(s.registry.base)).data.last_load?.ok).toBe(true);
		});
	}

	test("a FIFO in place of the registry file is refused at once, unread; the S3 update proceeds and replaces it", async () => {
		const s = await site({ MCP_REGISTRY_HEALTH_DETAIL: "true" });
		// A FIFO with no writer: reading it would block for good, as a hung network mount would.
		rmSync(s.file);
		expect(spawnSync("mkfifo", [s.file]).status).toBe(0);
		const mark = s.registry.logs().length;
		s.registry.proc.kill("SIGHUP");
		await s.registry.waitForLog(
			`Reload failed; still serving the previous data: ${s.file}: is a FIFO; a registry file must be a regular file`,
			5_000,
			mark,
		);
		expect((await health(s.registry.base)).data.last_load?.ok).toBe(false);
		expect(await served(s.registry.base)).toEqual(["io.github.e2e/initial"]);

		await s3.put("fifo/registry.json", registryJson(entry("io.github.e2e/after-fifo")));
		await sqs.send(s.queueUrl, JSON.stringify({ s3_url: "s3://registry/fifo/registry.json" }));
		await until("the update to be served", async () =>
			(await served(s.registry.base)).includes("io.github.e2e/after-fifo"),
		);
		// The S3 apply renamed a regular file over the FIFO: a SIGHUP now reads that file.
		const again = s.registry.logs().length;
		s.registry.proc.kill("SIGHUP");
		await s.registry.waitForLog("Loaded 1 entries (1 servers)", 10_000, again);
	});

	test("an S3 apply logs the same report as a SIGHUP reload of the same bytes: skipped entries and warnings", async () => {
		const s = await site({ MCP_REGISTRY_INVALID_ENTRIES: "skip" });
		const bytes = registryJson(entry("io.github.e2e/good"), entry("io.github.e2e/bad", { version: 7 }), {
			...entry("io.github.e2e/warned"),
			server: { name: "io.github.e2e/warned", description: "d", version: "1.0.0" },
		});
		await s3.put("report/registry.json", bytes);
		const mark = s.registry.logs().length;
		await sqs.send(s.queueUrl, JSON.stringify({ s3_url: "s3://registry/report/registry.json" }));
		await s.registry.waitForLog("Deleted message from queue", 15_000, mark);
		const fromS3 = s.registry.logs().slice(mark);

		writeFileSync(s.file, bytes);
		const hup = s.registry.logs().length;
		s.registry.proc.kill("SIGHUP");
		await s.registry.waitForLog("Loaded 2 entries", 10_000, hup);
		await until("the reload's report to be logged", () => s.registry.logs().slice(hup).includes("$schema"));
		const fromFile = s.registry.logs().slice(hup);

		const reportLines = (text: string, source: string) =>
			text
				.split("\n")
				.filter((l) => / (INFO|WARN) {1,2}(Loaded|Skipped|servers\[|\d+ entr)/.test(l))
				.map((l) =>
					l
						.slice(l.indexOf(" ") + 1)
						.replaceAll(source, "SOURCE")
						.replace(/ ms=\d+/, "")
						.replace(/ loader=\w+/, ""),
				);
		const s3Lines = reportLines(fromS3, "s3://registry/report/registry.json");
		expect(s3Lines).toContain(
			"INFO  Loaded 2 entries (2 servers) from SOURCE shape=api skipped=1 warnings=1",
		);
		expect(s3Lines.some((l) => l.startsWith("WARN  Skipped 1 invalid entries of SOURCE"))).toBe(true);
		expect(s3Lines.some((l) => l.includes("servers[1] (io.github.e2e/bad)") && l.includes("version"))).toBe(
			true,
		);
		expect(s3Lines.some((l) => l.includes("$schema"))).toBe(true);
		expect(s3Lines).toEqual(reportLines(fromFile, s.file));
	});
});
