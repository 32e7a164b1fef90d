/**
 * Secrets in URLs, from outside (issue 10, "Secrets"): the password of MCP_REGISTRY_SEED_FROM
 * and of an AWS endpoint override never reaches the log, stderr or /health; a malformed
 * AWS_ENDPOINT_URL* is a clean start-up configuration error (exit 2, no stack trace).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type StandIn, standIn } from "../support/aws-servers.ts";
import { type RunningRegistry, startRegistry, startUpOutcome, tempDir } from "../support/process.ts";

const SECRET = "s3cret-Pa55";
const running: RunningRegistry[] = [];
const closers: (() => unknown)[] = [];

afterAll(async () => {
	for (const r of running) await r.stop("SIGKILL");
	for (const close of closers) await close();
});

function dir(): string {
	const d = tempDir("registry-redact-");
	closers.push(() => d.cleanup());
	return d.path;
}

function track(s: StandIn): StandIn {
	closers.push(() => s.close());
	return s;
}

/** Starts the registry (from source) and reports how start-up ended: an exit code, or listening. */
async function startUp(env: Record<string, string>): Promise<{ r: RunningRegistry; outcome: string }> {
	const home = dir();
	const r = await startRegistry({
		expectListening: false,
		env: {
			HOME: home,
			AWS_EC2_METADATA_DISABLED: "true",
			MCP_REGISTRY_JSON_FILE_PATH: join(home, "registry.json"),
			...env,
		},
	});
	running.push(r);
	return { r, outcome: await startUpOutcome(r) };
}

describe("a malformed AWS endpoint override is a start-up configuration error", () => {
	const cases: [string, Record<string, string>][] = [
		[
			"AWS_ENDPOINT_URL_SQS",
			{
				MCP_REGISTRY_SQS_ENABLED: "true",
				MCP_REGISTRY_SQS_QUEUE_URL: "http://127.0.0.1:9/000000000000/registry-updates",
				AWS_ENDPOINT_URL_SQS: `http://user:${SECRET}@127.0.0.1:99999/`,
			},
		],
		[
			"AWS_ENDPOINT_URL_S3",
			{
				MCP_REGISTRY_S3_URL: "s3://registry/registry.json",
				AWS_ENDPOINT_URL_S3: `http://user:${SECRET}@[::1/`,
			},
		],
		[
			"AWS_ENDPOINT_URL",
			{
				MCP_REGISTRY_SQS_ENABLED: "true",
				MCP_REGISTRY_SQS_QUEUE_URL: "http://127.0.0.1:9/000000000000/registry-updates",
				AWS_ENDPOINT_URL: `user:${SECRET}@localhost:4566`,
			},
		],
	];
	for (const [variable, env] of cases) {
		test(`${variable}: exit 2, the variable named, no password, no stack trace`, async () => {
			const { r, outcome } = await startUp(env);
			expect(outcome).toBe("exit 2");
			const text = r.logs();
			expect(text).toContain(`\nregistry: ${variable}: `);
			expect(text).toContain("***@");
			expect(text).not.toContain(SECRET);
			expect(text).not.toMatch(/^\s+at /m);
		});
	}

	test("a configuration error quoting a URL does not show its password", async () => {
		const envs: Record<string, string>[] = [
			{ MCP_REGISTRY_SQS_ENABLED: "true", MCP_REGISTRY_SQS_QUEUE_URL: `http://user:${SECRET}@ho st/q` },
			{ MCP_REGISTRY_S3_URL: `s3://user:${SECRET}@registry/registry.json` },
		];
		for (const env of envs) {
			const { r, outcome } = await startUp(env);
			expect(outcome).toBe("exit 2");
			expect(r.logs()).toContain("***@");
			expect(r.logs()).not.toContain(SECRET);
		}
	});
});

const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json";
const PAGE = {
	servers: [
		{
			server: { $schema: SCHEMA, name: "io.github.redact/one", description: "One", version: "1.0.0" },
			_meta: {
				"io.modelcontextprotocol.registry/official": {
					status: "active",
					publishedAt: "2025-11-01T00:00:00Z",
					updatedAt: "2025-11-01T00:00:00Z",
					isLatest: true,
				},
			},
		},
	],
	metadata: { count: 1 },
};

describe("the password of MCP_REGISTRY_SEED_FROM", () => {
	test("is sent to the seed registry, and never logged nor shown by /health", async () => {
		const api = track(standIn(() => Response.json(PAGE)));
		const seed = `http://reader:${SECRET}@${api.url.slice("http://".length)}/v0/servers`;
		const { r, outcome } = await startUp({ MCP_REGISTRY_SEED_FROM: seed });
		expect(outcome).toBe("listening");
		// The credentials still do their work: basic authentication on every page.
		expect(api.requests[0]?.headers.authorization).toBe(`Basic ${btoa(`reader:${SECRET}`)}`);
		const health = await (await fetch(`${r.base}/v0/health`)).text();
		await r.stop();
		const text = r.logs();
		expect(text).toContain("Seeded ");
		expect(text).toContain(`http://***@${api.url.slice("http://".length)}/v0/servers`);
		expect(text).not.toContain(SECRET);
		expect(health).not.toContain(SECRET);
	});

	test("nor is a key in its query (?api_key=…): sent, never logged nor shown by /health", async () => {
		const api = track(standIn(() => Response.json(PAGE)));
		const seed = `${api.url}/v0/servers?api_key=${SECRET}`;
		const { r, outcome } = await startUp({
			MCP_REGISTRY_SEED_FROM: seed,
			MCP_REGISTRY_HEALTH_DETAIL: "true",
		});
		expect(outcome).toBe("listening");
		expect(api.requests[0]?.path).toContain(`api_key=${SECRET}`);
		const health = await (await fetch(`${r.base}/v0/health`)).text();
		await r.stop();
		expect(r.logs()).toContain(`${api.url}/v0/servers?api_key=***`);
		expect(r.logs()).not.toContain(SECRET);
		expect(health).not.toContain(SECRET);
	});

	test("is not in the error when the seed registry fails", async () => {
		const api = track(standIn(() => new Response("down", { status: 500 })));
		const seed = `http://reader:${SECRET}@${api.url.slice("http://".length)}/v0/servers`;
		const { r } = await startUp({ MCP_REGISTRY_SEED_FROM: seed });
		await r.waitForLog("Seeding from MCP_REGISTRY_SEED_FROM failed");
		await r.stop();
		const text = r.logs();
		expect(text).toMatch(/Seeding from MCP_REGISTRY_SEED_FROM failed: http:\/\/\*\*\*@\S+: HTTP 500/);
		expect(text).not.toContain(SECRET);
	});
});
