/**
 * The compiled binary's commands: `validate` agrees with the server's own loader on every fixture
 * (same accept/reject, same messages), `healthcheck` answers for container health checks, and
 * `--help` lists every variable with its default.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { VARIABLES } from "../../src/config.ts";
import { loadRegistryFile, RegistryLoadError } from "../../src/registry/load.ts";
import { describeProblem } from "../../src/registry/report.ts";
import { buildBinary } from "../support/binary.ts";
import { cleanEnv, ROOT, type RunningRegistry, startRegistry, tempDir } from "../support/process.ts";

let binary = "";
const work = tempDir("registry-cli-");
const running: RunningRegistry[] = [];

beforeAll(async () => {
	binary = await buildBinary();
}, 120_000);

afterAll(async () => {
	for (const r of running) await r.stop("SIGKILL");
	work.cleanup();
});

function run(args: string[], env: Record<string, string> = {}): { code: number; stdout: string } {
	const p = Bun.spawnSync([binary, ...args], { env: cleanEnv(env), cwd: work.path });
	return { code: p.exitCode ?? -1, stdout: p.stdout.toString() };
}

const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json";
const doc = (name: unknown, version: unknown, extra: Record<string, unknown> = {}) => ({
	$schema: SCHEMA,
	name,
	description: "A server",
	version,
	...extra,
});

/** Every fixture the tests have, plus broken ones written here. */
function fixtures(): string[] {
	const dir = join(ROOT, "test", "fixtures");
	const files = readdirSync(dir).map((f) => join(dir, f));
	const write = (name: string, content: string) => {
		const f = join(work.path, name);
		writeFileSync(f, content);
		files.push(f);
	};
	write("sample.json", readFileSync(join(ROOT, "data", "registry.json"), "utf8"));
	write("broken-json.json", '{"servers": [\n  {"server": {}\n]');
	write("empty.json", "");
	write("wrong-shape.json", '{"entries": []}');
	write(
		"bad-entries.json",
		JSON.stringify([
			doc("no-slash", "1.0.0"),
			doc("io.github.a/b", "latest"),
			doc("io.github.a/c", "1.0.0", { packages: "npm" }),
		]),
	);
	write("duplicates.json", JSON.stringify([doc("io.github.a/b", "1.0.0"), doc("io.github.a/b", "1.0.0")]));
	write(
		"bad-status.json",
		JSON.stringify({
			servers: [
				{
					server: doc("io.github.a/b", "1.0.0"),
					_meta: { "io.modelcontextprotocol.registry/official": { status: "gone" } },
				},
			],
		}),
	);
	write("warnings-only.json", JSON.stringify([{ name: "io.github.a/b", description: "", version: "1.0.0" }]));
	write(
		"fork-mismatch.json",
		JSON.stringify({
			servers: [{ server_name: "io.github.a/x", version: "1.0.0", value: doc("io.github.a/y", "1.0.0") }],
		}),
	);
	return files;
}

interface JsonResult {
	file: string;
	ok: boolean;
	error?: string;
	errors: { entry: string; field: string; message: string }[];
	warnings: { entry: string; field: string; message: string }[];
}

describe("registry validate", () => {
	test("agrees with the server's loader on every fixture: same accept/reject, same messages", async () => {
		const files = fixtures();
		expect(files.length).toBeGreaterThanOrEqual(12);
		for (const file of files) {
			let loaderOk = true;
			let loaderError = "";
			let loaderErrors: unknown[] = [];
			let loaderWarnings: unknown[] = [];
			try {
				const data = await loadRegistryFile(file, { invalidEntries: "reject", keepProblems: Infinity });
				loaderWarnings = data.provenance.report.warnings.first;
			} catch (err) {
				if (!(err instanceof RegistryLoadError)) throw err;
				loaderOk = false;
				loaderError = err.message;
				loaderErrors = err.report?.errors.first ?? [];
				loaderWarnings = err.report?.warnings.first ?? [];
			}
			const json = run(["validate", "--format", "json", file]);
			const [result] = JSON.parse(json.stdout) as JsonResult[];
			expect(result?.ok, file).toBe(loaderOk);
			expect(json.code, file).toBe(loaderOk ? 0 : 1);
			expect(result?.errors, file).toEqual(loaderErrors as JsonResult["errors"]);
			expect(result?.warnings, file).toEqual(loaderWarnings as JsonResult["warnings"]);
			if (!loaderOk) expect(loaderError.startsWith(result?.error ?? "\u0000"), file).toBe(true);

			// The text form prints the same problems, one line each.
			const text = run(["validate", file]);
			expect(text.code).toBe(json.code);
			for (const e of loaderErrors) expect(text.stdout).toContain(`error: ${describeProblem(e as never)}`);
			for (const w of loaderWarnings)
				expect(text.stdout).toContain(`warning: ${describeProblem(w as never)}`);
		}
	}, 60_000);

	test("a file the server refuses at start is one validate refuses, and the other way round", async () => {
		const bad = join(work.path, "bad-entries.json");
		const good = join(ROOT, "test", "fixtures", "real-api-page-30-entries.json");
		const refused = await startRegistry({
			cmd: [binary],
			env: { MCP_REGISTRY_JSON_FILE_PATH: bad },
			expectListening: false,
		});
		expect(await refused.proc.exited).toBe(1);
		expect(run(["validate", bad]).code).toBe(1);
		const accepted = await startRegistry({ cmd: [binary], env: { MCP_REGISTRY_JSON_FILE_PATH: good } });
		running.push(accepted);
		expect(run(["validate", good]).code).toBe(0);
	});

	test("several files: exit 1 when any is invalid; bad options are usage errors", () => {
		const good = join(ROOT, "test", "fixtures", "real-seed-358-servers.json");
		const both = run(["validate", good, join(work.path, "duplicates.json")]);
		expect(both.code).toBe(1);
		expect(both.stdout).toContain(`${good}: ok: 358 entries`);
		expect(both.stdout).toContain("duplicate of [0]");
		expect(run(["validate", "--skip-invalid", join(work.path, "duplicates.json")]).code).toBe(0);
		expect(run(["validate"]).code).toBe(2);
		expect(run(["validate", "--format", "xml", good]).code).toBe(2);
		expect(run(["validate", "--nope", good]).code).toBe(2);
	});
});

describe("registry healthcheck", () => {
	test("exit 0 against a healthy server (URL from MCP_REGISTRY_SERVER_ADDRESS or given), 1 otherwise", async () => {
		const r = await startRegistry({
			cmd: [binary],
			env: { MCP_REGISTRY_JSON_FILE_PATH: join(ROOT, "data", "registry.json") },
		});
		running.push(r);
		const port = new URL(r.base).port;
		const byAddress = run(["healthcheck"], { MCP_REGISTRY_SERVER_ADDRESS: `:${port}` });
		expect(byAddress.code).toBe(0);
		expect(byAddress.stdout).toBe(`http://127.0.0.1:${port}/v0/health: ok\n`);
		expect(run(["healthcheck", `${r.base}/v0.1/health`]).code).toBe(0);
		const notHealth = run(["healthcheck", `${r.base}/v0/ping`]);
		expect(notHealth.code).toBe(1);
		expect(notHealth.stdout).toContain("unhealthy");
		await r.stop();
		const down = run(["healthcheck"], { MCP_REGISTRY_SERVER_ADDRESS: `127.0.0.1:${port}` });
		expect(down.code).toBe(1);
		expect(down.stdout).toContain("unreachable");
	});
});

describe("registry --help", () => {
	test("lists every variable with its default", () => {
		const help = run(["--help"]);
		expect(help.code).toBe(0);
		for (const v of VARIABLES) {
			expect(help.stdout).toContain(`MCP_REGISTRY_${v.name}`);
			expect(help.stdout).toContain(`Default: ${v.default ?? "(unset)"}`);
		}
		expect(help.stdout).toContain("registry validate");
		expect(help.stdout).toContain("registry healthcheck");
	});
});
