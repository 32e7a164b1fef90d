/**
 * The server as a process: start-up, configuration errors, SIGHUP reloads that never replace
 * good data with bad, seeding, log formats, and real data end to end.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { awsClientEnv, startS3 } from "../support/aws-servers.ts";
import {
	BUN,
	cleanEnv,
	listAll,
	ROOT,
	type RunningRegistry,
	startRegistry,
	tempDir,
} from "../support/process.ts";

const FIXTURES = join(ROOT, "test", "fixtures");
const dirs: { cleanup(): void }[] = [];
const running: RunningRegistry[] = [];

afterAll(async () => {
	for (const r of running) await r.stop("SIGKILL");
	for (const d of dirs) d.cleanup();
});

function dir(): string {
	const d = tempDir();
	dirs.push(d);
	return d.path;
}

async function start(env: Record<string, string>): Promise<RunningRegistry> {
	const r = await startRegistry({ env });
	running.push(r);
	return r;
}

function entry(name: string, version: string, extra: Record<string, unknown> = {}) {
	return {
		server: {
			$schema: "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json",
			name,
			description: `The ${name} server`,
			version,
			...extra,
		},
		_meta: {
			"io.modelcontextprotocol.registry/official": {
				status: "active",
				publishedAt: "2025-10-01T00:00:00Z",
				updatedAt: "2025-10-01T00:00:00Z",
				isLatest: true,
			},
		},
	};
}

const registry = (...servers: unknown[]) => `${JSON.stringify({ servers }, null, 2)}\n`;

async function names(base: string): Promise<string[]> {
	const res = await fetch(`${base}/v0.1/servers?limit=100`);
	const body = (await res.json()) as { servers: { server: { name: string; version: string } }[] };
	return body.servers.map((s) => `${s.server.name}@${s.server.version}`);
}

/** Sends SIGHUP and waits for the reload to finish (its success or failure line, logged after it). */
async function hup(r: RunningRegistry, outcome: RegExp): Promise<void> {
	const before = r.logs().length;
	r.proc.kill("SIGHUP");
	await r.waitForLog(outcome, 10_000, before);
}

describe("reload on SIGHUP", () => {
	test("a changed file is served after SIGHUP; broken JSON and invalid entries keep the old data", async () => {
		const d = dir();
		const file = join(d, "registry.json");
		writeFileSync(file, registry(entry("io.github.a/one", "1.0.0")));
		const r = await start({ MCP_REGISTRY_JSON_FILE_PATH: file, MCP_REGISTRY_HEALTH_DETAIL: "true" });
		expect(await names(r.base)).toEqual(["io.github.a/one@1.0.0"]);

		writeFileSync(file, registry(entry("io.github.a/one", "1.0.0"), entry("io.github.b/two", "2.0.0")));
		await hup(r, /Loaded 2 entries/);
		expect(await names(r.base)).toEqual(["io.github.a/one@1.0.0", "io.github.b/two@2.0.0"]);

		// Broken JSON: the old data stays, and the error names the file and the position.
		writeFileSync(file, '{"servers": [\n  {"server": {"name": "x"}\n  oops\n]}');
		await hup(r, /Reload failed/);
		expect(r.logs()).toContain(`${file}: invalid JSON at line 3, column 3`);
		expect(await names(r.base)).toEqual(["io.github.a/one@1.0.0", "io.github.b/two@2.0.0"]);

		// A schema-invalid entry under the default reject: the old data stays; entry and field named.
		writeFileSync(file, registry(entry("io.github.a/one", "1.0.0"), entry("no-slash-here", "1.0.0")));
		await hup(r, /Reload failed/);
		expect(r.logs()).toMatch(/servers\[1\] \(no-slash-here 1\.0\.0\): server\.name must match/);
		expect(await names(r.base)).toEqual(["io.github.a/one@1.0.0", "io.github.b/two@2.0.0"]);

		const health = (await (await fetch(`${r.base}/v0/health`)).json()) as {
			data: { entries: number; last_load: { ok: boolean; error: string } };
		};
		expect(health.data.entries).toBe(2);
		expect(health.data.last_load.ok).toBe(false);
		expect(health.data.last_load.error).toContain("no-slash-here");
		const metrics = await (await fetch(`${r.base}/metrics`)).text();
		expect(metrics).toContain('registry_loads_total{result="failure"} 2');
		expect(metrics).toContain('registry_loads_total{result="success"} 2');
	});

	test("a missing file serves an empty registry with a warning, and loads once it exists", async () => {
		const d = dir();
		const file = join(d, "later.json");
		const r = await start({ MCP_REGISTRY_JSON_FILE_PATH: file });
		expect(r.logs()).toContain(`Registry file ${file} does not exist`);
		const res = await fetch(`${r.base}/v0.1/servers`);
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ servers: [], metadata: { count: 0 } });
		writeFileSync(file, registry(entry("io.github.a/late", "0.1.0")));
		await hup(r, /Loaded 1 entries/);
		expect(await names(r.base)).toEqual(["io.github.a/late@0.1.0"]);
	});
});

describe("start-up", () => {
	test("an invalid registry file at start stops the process with an error naming it", async () => {
		const d = dir();
		const file = join(d, "bad.json");
		writeFileSync(file, "[1, 2,");
		const r = await startRegistry({ env: { MCP_REGISTRY_JSON_FILE_PATH: file }, expectListening: false });
		expect(await r.proc.exited).toBe(1);
		await r.waitForLog("Cannot load the registry file");
		expect(r.logs()).toContain(`${file}: invalid JSON at line 1, column 7`);
	});

	test("skip mode drops invalid entries, serves the rest and says what it skipped", async () => {
		const d = dir();
		const file = join(d, "mixed.json");
		writeFileSync(file, registry(entry("io.github.a/good", "1.0.0"), entry("io.github.a/bad", "latest")));
		const r = await start({ MCP_REGISTRY_JSON_FILE_PATH: file, MCP_REGISTRY_INVALID_ENTRIES: "skip" });
		expect(await names(r.base)).toEqual(["io.github.a/good@1.0.0"]);
		expect(r.logs()).toContain("Skipped 1 invalid entries");
		expect(r.logs()).toContain('servers[1] (io.github.a/bad latest): server.version must not be "latest"');
	});

	const configCases: [Record<string, string>, string][] = [
		[
			{ MCP_REGISTRY_SQS_MAX_MESSAGES: "11" },
			"MCP_REGISTRY_SQS_MAX_MESSAGES must be an integer from 1 to 10",
		],
		[{ MCP_REGISTRY_SQS_ENABLED: "yes please" }, 'MCP_REGISTRY_SQS_ENABLED must be "true" or "false"'],
		[{ MCP_REGISTRY_DATABASE_TYPE: "postgres" }, "this build serves jsonfile only"],
		[{ MCP_REGISTRY_SERVER_ADDRESS: "nowhere" }, "MCP_REGISTRY_SERVER_ADDRESS must be"],
		[{ MCP_REGISTRY_SQS_ENABLED: "true" }, "MCP_REGISTRY_SQS_QUEUE_URL is required"],
	];
	for (const [env, message] of configCases) {
		test(`bad configuration ${JSON.stringify(env)} stops start-up naming the variable`, async () => {
			const r = await startRegistry({ env, expectListening: false });
			expect(await r.proc.exited).toBe(2);
			await r.stop();
			expect(r.logs()).toContain(message);
		});
	}

	test("an unknown MCP_REGISTRY_ variable is warned about; Go write-side variables are noted once", async () => {
		const r = await start({
			MCP_REGISTRY_JSON_FILE_PATH: join(ROOT, "data", "registry.json"),
			MCP_REGISTRY_JSON_FILE_PAHT: "typo",
			MCP_REGISTRY_JWT_PRIVATE_KEY: "00",
			MCP_REGISTRY_ENABLE_ANONYMOUS_AUTH: "true",
		});
		expect(r.logs()).toContain(
			"unknown variable MCP_REGISTRY_JSON_FILE_PAHT is ignored (did you mean MCP_REGISTRY_JSON_FILE_PATH?)",
		);
		const ignoredLines = r
			.logs()
			.split("\n")
			.filter((l) => l.includes("read-only replica and does not use"));
		expect(ignoredLines).toHaveLength(1);
		expect(ignoredLines[0]).toContain("MCP_REGISTRY_ENABLE_ANONYMOUS_AUTH, MCP_REGISTRY_JWT_PRIVATE_KEY");
	});

	test("MCP_REGISTRY_LOG_FORMAT=json writes one JSON object per line", async () => {
		const r = await start({
			MCP_REGISTRY_JSON_FILE_PATH: join(ROOT, "data", "registry.json"),
			MCP_REGISTRY_LOG_FORMAT: "json",
		});
		await r.stop();
		const lines = r.logs().trim().split("\n");
		expect(lines.length).toBeGreaterThan(2);
		const records = lines.map((l) => JSON.parse(l) as { time: string; level: string; msg: string });
		expect(records.some((x) => x.msg.startsWith("Listening on http://127.0.0.1:"))).toBe(true);
		for (const x of records) expect(typeof x.time === "string" && typeof x.level === "string").toBe(true);
	});

	test("SIGTERM stops the server with exit code 0", async () => {
		const r = await startRegistry({
			env: { MCP_REGISTRY_JSON_FILE_PATH: join(ROOT, "data", "registry.json") },
		});
		expect(await r.stop("SIGTERM")).toBe(0);
		expect(r.logs()).toContain("SIGTERM: shutting down");
	});

	test("--help lists every variable with its default; --version prints the build", async () => {
		const help = Bun.spawnSync([BUN, join(ROOT, "src", "main.ts"), "--help"], { env: cleanEnv() });
		expect(help.exitCode).toBe(0);
		const text = help.stdout.toString();
		for (const v of [
			"MCP_REGISTRY_SERVER_ADDRESS",
			"MCP_REGISTRY_JSON_FILE_PATH",
			"MCP_REGISTRY_SQS_QUEUE_URL",
			"MCP_REGISTRY_INVALID_ENTRIES",
		]) {
			expect(text).toContain(v);
		}
		expect(text).toContain("Default: :8080");
		const version = Bun.spawnSync([BUN, join(ROOT, "src", "main.ts"), "--version"], { env: cleanEnv() });
		expect(version.stdout.toString()).toMatch(/^registry dev /);
	});
});

describe("seeding (MCP_REGISTRY_SEED_FROM)", () => {
	test("a local seed file becomes the registry file when there is none, and is then served", async () => {
		const d = dir();
		const target = join(d, "registry.json");
		const r = await start({
			MCP_REGISTRY_JSON_FILE_PATH: target,
			MCP_REGISTRY_SEED_FROM: join(FIXTURES, "fork-loader-format-4-records.json"),
		});
		expect(existsSync(target)).toBe(true);
		expect(readFileSync(target, "utf8")).toBe(
			readFileSync(join(FIXTURES, "fork-loader-format-4-records.json"), "utf8"),
		);
		expect((await names(r.base)).length).toBe(4);
	});

	test("an existing registry file wins over the seed", async () => {
		const d = dir();
		const target = join(d, "registry.json");
		writeFileSync(target, registry(entry("io.github.a/kept", "1.0.0")));
		const r = await start({
			MCP_REGISTRY_JSON_FILE_PATH: target,
			MCP_REGISTRY_SEED_FROM: join(FIXTURES, "fork-loader-format-4-records.json"),
		});
		expect(await names(r.base)).toEqual(["io.github.a/kept@1.0.0"]);
	});

	test("another registry's /v0/servers is crawled page by page, official metadata kept", async () => {
		const source = await start({ MCP_REGISTRY_JSON_FILE_PATH: join(ROOT, "data", "registry.json") });
		const d = dir();
		const target = join(d, "registry.json");
		const copy = await start({
			MCP_REGISTRY_JSON_FILE_PATH: target,
			MCP_REGISTRY_SEED_FROM: `${source.base}/v0/servers`,
		});
		const all = (base: string) => listAll(base, "");
		const original = await all(source.base);
		expect(original.length).toBe(100);
		expect(await all(copy.base)).toEqual(original);
		expect(copy.logs()).toContain(`Seeded ${target} with 100 entries`);
	});

	test("a seed that does not validate is not written, and start-up fails (exit 1) with the reason", async () => {
		const d = dir();
		const seed = join(d, "seed.json");
		writeFileSync(seed, JSON.stringify([{ name: "bad" }]));
		const target = join(d, "registry.json");
		const r = await startRegistry({
			env: { MCP_REGISTRY_JSON_FILE_PATH: target, MCP_REGISTRY_SEED_FROM: seed },
			expectListening: false,
		});
		running.push(r);
		expect(await r.proc.exited).toBe(1);
		expect(existsSync(target)).toBe(false);
		expect(r.logs()).toContain("Seeding from MCP_REGISTRY_SEED_FROM failed");
		expect(r.logs()).toContain(`Not starting: ${target} does not exist and its seed failed`);
		expect(r.logs()).not.toContain("Listening on");
	});

	test("with S3 sync configured, a failed seed serves an empty registry, says so, and S3 brings the file", async () => {
		const s3 = await startS3();
		try {
			const d = dir();
			const seed = join(d, "seed.json");
			writeFileSync(seed, JSON.stringify([{ name: "bad" }]));
			await s3.put("lifecycle/registry.json", registry(entry("io.github.a/from-s3", "1.0.0")));
			// A folder that does not exist yet: made for the S3 object even though the seed failed.
			const target = join(d, "state", "registry.json");
			const r = await start({
				...awsClientEnv({ home: d, s3: s3.endpoint }),
				MCP_REGISTRY_JSON_FILE_PATH: target,
				MCP_REGISTRY_SEED_FROM: seed,
				MCP_REGISTRY_S3_URL: "s3://registry/lifecycle/registry.json",
			});
			expect(r.logs()).toContain("Seeding from MCP_REGISTRY_SEED_FROM failed");
			expect(r.logs()).toContain(`Serving an empty registry until the S3 sync brings ${target}`);
			await r.waitForLog("Database reloaded successfully");
			expect(await names(r.base)).toEqual(["io.github.a/from-s3@1.0.0"]);
			expect(existsSync(target)).toBe(true);
		} finally {
			await s3.close();
		}
	});
});

describe("real data", () => {
	test("the 358 real servers (a bare array without $schema) load and are all served", async () => {
		const d = dir();
		const file = join(d, "seed.json");
		copyFileSync(join(FIXTURES, "real-seed-358-servers.json"), file);
		const r = await start({ MCP_REGISTRY_JSON_FILE_PATH: file });
		const expected = (JSON.parse(readFileSync(file, "utf8")) as { name: string }[]).map((s) => s.name).sort();
		const seen: string[] = [];
		let cursor = "";
		do {
			const res = await fetch(`${r.base}/v0.1/servers?limit=100${cursor ? `&cursor=${cursor}` : ""}`);
			const body = (await res.json()) as {
				servers: { server: { name: string }; _meta: Record<string, { isLatest: boolean }> }[];
				metadata: { nextCursor?: string };
			};
			for (const s of body.servers) {
				seen.push(s.server.name);
				expect(s._meta["io.modelcontextprotocol.registry/official"]?.isLatest).toBe(true);
			}
			cursor = body.metadata.nextCursor ?? "";
		} while (cursor);
		expect(seen).toEqual(expected);
		expect(r.logs()).toContain("358 entries: $schema is missing");
		expect(r.logs()).toContain("65 entries: description is empty");
	});
});
