/**
 * The same src/ under Deno (installed from npm as a dev dependency): serving, SIGHUP reload,
 * and one update through the SQS → S3 pipeline. Bun-only APIs stay behind src/runtime.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { awsClientEnv, type S3Server, type SqsServer, startS3, startSqs } from "../support/aws-servers.ts";
import { ROOT, type RunningRegistry, startRegistry, tempDir } from "../support/process.ts";

const DENO = join(ROOT, "node_modules", ".bin", "deno");
/** The permissions the README lists for running under Deno. */
export const DENO_PERMISSIONS = [
	"--allow-net",
	"--allow-read",
	"--allow-write",
	"--allow-env",
	"--allow-sys",
	"--allow-run",
];

let s3: S3Server;
let sqs: SqsServer;
const work = tempDir("registry-deno-");
const running: RunningRegistry[] = [];

beforeAll(async () => {
	[s3, sqs] = await Promise.all([startS3(), startSqs()]);
});

afterAll(async () => {
	for (const r of running) await r.stop("SIGKILL");
	await s3?.close();
	await sqs?.close();
	work.cleanup();
});

const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json";
const registry = (name: string, version = "1.0.0") =>
	JSON.stringify([{ $schema: SCHEMA, name, description: `The ${name} server`, version }]);

describe("under Deno", () => {
	test("serves health, a list page and a version lookup; SIGHUP reloads; an S3 update arrives by SQS", async () => {
		const file = join(work.path, "registry.json");
		writeFileSync(file, registry("io.github.deno/first", "1.2.3"));
		const queueUrl = await sqs.createQueue("deno");
		const r = await startRegistry({
			cmd: [DENO, "run", ...DENO_PERMISSIONS, join(ROOT, "src", "main.ts")],
			env: {
				...awsClientEnv({ home: work.path, s3: s3.endpoint, sqs: sqs.endpoint }),
				NO_COLOR: "1",
				MCP_REGISTRY_JSON_FILE_PATH: file,
				MCP_REGISTRY_SQS_ENABLED: "true",
				MCP_REGISTRY_SQS_QUEUE_URL: queueUrl,
				MCP_REGISTRY_SQS_WAIT_TIME_SECONDS: "1",
			},
		});
		running.push(r);

		const health = (await (await fetch(`${r.base}/v0/health`)).json()) as {
			status: string;
			data: { entries: number };
		};
		expect(health).toMatchObject({ status: "ok", data: { entries: 1 } });
		const list = (await (await fetch(`${r.base}/v0.1/servers?limit=5`)).json()) as {
			servers: { server: { name: string } }[];
			metadata: { count: number };
		};
		expect(list.metadata.count).toBe(1);
		expect(list.servers[0]?.server.name).toBe("io.github.deno/first");
		const latest = await fetch(`${r.base}/v0.1/servers/io.github.deno%2Ffirst/versions/latest`);
		expect(latest.status).toBe(200);
		expect(((await latest.json()) as { server: { version: string } }).server.version).toBe("1.2.3");
		const exact = await fetch(`${r.base}/v0.1/servers/io.github.deno%2Ffirst/versions/1.2.3`);
		expect(exact.status).toBe(200);
		expect(exact.headers.get("etag")).toMatch(/^"[A-Za-z0-9_-]+"$/);

		// Asked again and again, the page is answered from the front (src/http/front.ts); Deno puts the
		// Host header's text into the URL, so a Host that ends in a path must not reach those answers.
		for (let i = 0; i < 3; i++) expect((await fetch(`${r.base}/v0.1/servers?limit=5`)).status).toBe(200);
		const authority = new URL(r.base).host;
		expect(await rawStatus(r.base, "/v0.1/servers?limit=5", authority)).toBe(200);
		expect(await rawStatus(r.base, "/servers?limit=5", `${authority}/v0.1`)).toBe(404);

		writeFileSync(file, registry("io.github.deno/reloaded"));
		// The reload's own line (the start-up load logged the same words): the data is swapped by then.
		const beforeHup = r.logs().length;
		r.proc.kill("SIGHUP");
		await r.waitForLog("Loaded 1 entries (1 servers) from", 10_000, beforeHup);
		const reloaded = (await (await fetch(`${r.base}/v0.1/servers`)).json()) as {
			servers: { server: { name: string } }[];
		};
		expect(reloaded.servers.map((s) => s.server.name)).toEqual(["io.github.deno/reloaded"]);
		const page = (await (await fetch(`${r.base}/v0.1/servers?limit=5`)).json()) as {
			servers: { server: { name: string } }[];
		};
		expect(page.servers.map((s) => s.server.name)).toEqual(["io.github.deno/reloaded"]);

		await s3.put("deno/registry.json", registry("io.github.deno/from-s3"));
		await sqs.send(queueUrl, JSON.stringify({ s3_url: "s3://registry/deno/registry.json" }));
		await r.waitForLog("Deleted message from queue", 20_000);
		const after = (await (await fetch(`${r.base}/v0.1/servers`)).json()) as {
			servers: { server: { name: string } }[];
		};
		expect(after.servers.map((s) => s.server.name)).toEqual(["io.github.deno/from-s3"]);
		expect(await r.stop("SIGTERM")).toBe(0);
	}, 60_000);
});

const README = readFileSync(join(ROOT, "README.md"), "utf8");
const DENO_SECTION = /^## Deno\n([\s\S]*?)(?=^## )/m.exec(README)?.[1] ?? "";
/** The command the README marks as the narrow grants, as written (continuation lines joined). */
const NARROW_MARKER = "<!-- narrow Deno grants: test/e2e/deno.test.ts runs this command as written -->";

function readmeCommand(after: string): string {
	const at = DENO_SECTION.indexOf(after);
	expect(at, `the README's Deno section has no ${after}`).toBeGreaterThanOrEqual(0);
	const block = /```sh\n([\s\S]*?)```/.exec(DENO_SECTION.slice(at))?.[1] ?? "";
	return block.replace(/\\\n\s*/g, " ").trim();
}

describe("the README's Deno commands", () => {
	test("the full grants are the ones the test above runs with", () => {
		expect(readmeCommand("```sh")).toBe(`deno run ${DENO_PERMISSIONS.join(" ")} src/main.ts`);
	});

	test("the narrow grants, run as written: serves /v0/health, and SIGHUP reloads through the load Worker", async () => {
		const command = readmeCommand(NARROW_MARKER);
		// Split on spaces only: no quoting, so the shell would read it the same way.
		expect(command).not.toMatch(/["'`$\\]/);
		// The placeholders the README documents: the registry file's folder and the listen port.
		expect(command).toContain("/srv/registry");
		expect(command).toContain("MCP_REGISTRY_SERVER_ADDRESS=:8080 ");
		const folder = join(work.path, "narrow");
		mkdirSync(folder);
		const words = command
			.replaceAll("/srv/registry", folder)
			.replace("MCP_REGISTRY_SERVER_ADDRESS=:8080 ", "MCP_REGISTRY_SERVER_ADDRESS=127.0.0.1:0 ")
			.split(/\s+/);
		const env: Record<string, string> = { NO_COLOR: "1" };
		while (/^[A-Z_]+=/.test(words[0] ?? "")) {
			const [name, ...value] = (words.shift() as string).split("=");
			env[name as string] = value.join("=");
		}
		expect(words[0]).toBe("deno");
		const file = env.MCP_REGISTRY_JSON_FILE_PATH ?? "";
		expect(file.startsWith(folder)).toBe(true);
		writeFileSync(file, registry("io.github.deno/narrow"));

		const r = await startRegistry({ cmd: [DENO, ...words.slice(1)], cwd: ROOT, env });
		running.push(r);
		const health = (await (await fetch(`${r.base}/v0/health`)).json()) as {
			status: string;
			data: { entries: number };
		};
		expect(health).toMatchObject({ status: "ok", data: { entries: 1 } });

		writeFileSync(file, registry("io.github.deno/narrow-reloaded"));
		const beforeHup = r.logs().length;
		r.proc.kill("SIGHUP");
		await r.waitForLog(/Loaded 1 entries \(1 servers\) from [^\n]*loader=worker/, 10_000, beforeHup);
		const reloaded = (await (await fetch(`${r.base}/v0.1/servers`)).json()) as {
			servers: { server: { name: string } }[];
		};
		expect(reloaded.servers.map((s) => s.server.name)).toEqual(["io.github.deno/narrow-reloaded"]);
		expect(r.logs()).not.toContain("Requires");
		expect(await r.stop("SIGTERM")).toBe(0);
	}, 60_000);
});

/** The status of a GET of `target` sent as written, with this Host header. */
function rawStatus(base: string, target: string, host: string): Promise<number> {
	const { hostname, port } = new URL(base);
	return new Promise((resolve, reject) => {
		const socket = connect(Number(port), hostname);
		let text = "";
		socket.on("data", (d) => {
			text += d;
		});
		socket.on("error", reject);
		socket.on("end", () => resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0)));
		socket.write(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
	});
}
