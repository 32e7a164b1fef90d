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
	// Hostile files: what JSON parsers read differently, nesting that overflows a stack, controls.
	write(
		"duplicate-keys.json",
		`[${JSON.stringify(doc("io.github.a/x", "1.0.0")).replace("}", ',"version":"2.0.0"}')}]`,
	);
	write(
		"duplicate-servers.json",
		`{"servers":[],"serv\\u0065rs":[${JSON.stringify({ server: doc("io.github.a/x", "1.0.0") })}]}`,
	);
	write("deep-nesting.json", deepNesting());
	write(
		"control-version.json",
		JSON.stringify([doc("io.github.a/x", "1.0.0\u0000"), doc("io.github.a/y", "1.0.0")]),
	);
	return files;
}

/** A valid entry, then one whose _meta is nested 100,000 levels deep. */
function deepNesting(): string {
	const deep = `${'{"x":'.repeat(100_000)}1${"}".repeat(100_000)}`;
	return `{"servers":[{"server":${JSON.stringify(doc("io.github.a/ok", "1.0.0"))}},{"server":${JSON.stringify(doc("io.github.a/deep", "1.0.0"))},"_meta":{"io.example/x":${deep}}}]}`;
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
			// Warnings by kind: the first few of each in full (--format json has them all).
			const shown = new Map<string, number>();
			for (const w of loaderWarnings as JsonResult["warnings"]) {
				const kind = `${w.field} ${w.message}`;
				const n = (shown.get(kind) ?? 0) + 1;
				shown.set(kind, n);
				if (n <= 3) expect(text.stdout).toContain(`warning: ${describeProblem(w as never)}`);
			}
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

	test("hostile files: each problem named by entry and field, as an error, never a stack trace", () => {
		const deep = join(work.path, "deep-nesting.json");
		writeFileSync(deep, deepNesting());
		const text = run(["validate", deep]);
		expect(text.code).toBe(1);
		expect(text.stdout).toBe(
			`${deep}: invalid: 1 invalid entry of 2 (MCP_REGISTRY_INVALID_ENTRIES=reject refuses the whole file; "skip" drops them):\n` +
				`  error: servers[1]: _meta["io.example/x"].x.x… is nested deeper than 64 levels\n`,
		);
		const skipped = run(["validate", "--skip-invalid", deep]);
		expect(skipped.code).toBe(0);
		expect(skipped.stdout).toStartWith(
			`${deep}: ok: 1 entries (1 servers, api shape), 1 invalid entries skipped`,
		);
		const dup = join(work.path, "duplicate-keys.json");
		expect(run(["validate", dup]).stdout).toContain('error: [0]: the entry has a duplicate key "version"');
		const servers = join(work.path, "duplicate-servers.json");
		expect(run(["validate", servers])).toEqual({
			code: 1,
			stdout: `${servers}: the top-level object has a duplicate key "servers"\n`,
		});
		const control = join(work.path, "control-version.json");
		expect(run(["validate", control]).stdout).toContain(
			'error: [0] (io.github.a/x 1.0.0\\u0000): version must not contain control characters (got "1.0.0\\u0000")',
		);
	});

	test("MCP_REGISTRY_MAX_FILE_BYTES (or its older name): validate and the server refuse a larger file unread", async () => {
		const file = join(ROOT, "test", "fixtures", "real-api-page-30-entries.json");
		const size = Bun.file(file).size;
		const refused = `${file}: the file is ${size} bytes, over the limit of ${size - 1} bytes (MCP_REGISTRY_MAX_FILE_BYTES); not loaded\n`;
		const limits: Record<string, string>[] = [
			{ MCP_REGISTRY_MAX_FILE_BYTES: `${size - 1}` },
			{ MCP_REGISTRY_S3_MAX_BYTES: `${size - 1}` },
			// the new name wins when both are set
			{ MCP_REGISTRY_MAX_FILE_BYTES: `${size - 1}`, MCP_REGISTRY_S3_MAX_BYTES: "1GiB" },
		];
		for (const env of limits) {
			expect(run(["validate", file], env), JSON.stringify(env)).toEqual({ code: 1, stdout: refused });
		}
		expect(run(["validate", file], { MCP_REGISTRY_MAX_FILE_BYTES: `${size}` }).code).toBe(0);
		expect(
			run(["validate", file], { MCP_REGISTRY_MAX_FILE_BYTES: "1GiB", MCP_REGISTRY_S3_MAX_BYTES: "1" }).code,
		).toBe(0);
		const malformed = run(["validate", file], { MCP_REGISTRY_MAX_FILE_BYTES: "lots" });
		expect(malformed.code).toBe(2);
		expect(malformed.stdout).toStartWith(
			"registry validate: MCP_REGISTRY_MAX_FILE_BYTES must be a positive byte count",
		);
		// The server at start: refused, the error in the log, exit 1 (nothing else to serve).
		const server = await startRegistry({
			cmd: [binary],
			env: { MCP_REGISTRY_JSON_FILE_PATH: file, MCP_REGISTRY_MAX_FILE_BYTES: `${size - 1}` },
			expectListening: false,
		});
		expect(await server.proc.exited).toBe(1);
		expect(server.logs()).toContain(refused.trim());
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

describe("registry healthcheck's command line", () => {
	test("--help prints the usage (exit 0); the server's base URL asks its /v0/health", async () => {
		for (const help of ["--help", "-h"]) {
			const h = run(["healthcheck", help]);
			expect(h.code).toBe(0);
			expect(h.stdout).toStartWith("Usage: registry healthcheck [URL]");
			expect(h.stdout).not.toContain("unreachable");
		}
		const r = await startRegistry({
			cmd: [binary],
			env: { MCP_REGISTRY_JSON_FILE_PATH: join(ROOT, "data", "registry.json") },
		});
		running.push(r);
		for (const base of [r.base, `${r.base}/`]) {
			expect(run(["healthcheck", base])).toEqual({ code: 0, stdout: `${r.base}/v0/health: ok\n` });
		}
		expect(await r.stop()).toBe(0);
	});

	test("an unknown option or a second argument is a usage error naming it (exit 2)", () => {
		const extra = run(["healthcheck", "http://127.0.0.1:1/v0/health", "extra"]);
		expect(extra.code).toBe(2);
		expect(extra.stdout).toStartWith('registry healthcheck: unexpected argument "extra"\n');
		const option = run(["healthcheck", "--timeout=5"]);
		expect(option.code).toBe(2);
		expect(option.stdout).toStartWith("registry healthcheck: unknown option --timeout=5\n");
		const notUrl = run(["healthcheck", "localhost:8080"]);
		expect(notUrl.code).toBe(2);
		expect(notUrl.stdout).toStartWith('registry healthcheck: "localhost:8080" is not an http(s) URL\n');
	});
});

describe("registry validate into a slow pipe", () => {
	test("every byte of a long report reaches a reader that is slow to start (more than a pipe holds)", () => {
		// 3,000 entries, each with a warning: a JSON report of some 80 KB, past the 64 KiB a pipe holds.
		const file = join(work.path, "many-warnings.json");
		writeFileSync(
			file,
			JSON.stringify(
				Array.from({ length: 3000 }, (_, i) => ({
					$schema: "https://example.com/unknown.schema.json",
					name: `io.github.pipe/s${i}`,
					description: "d",
					version: "1.0.0",
				})),
			),
		);
		const direct = Bun.spawnSync([binary, "validate", "--format", "json", file], { env: cleanEnv() });
		const size = direct.stdout.byteLength;
		expect(size).toBeGreaterThan(70_000);
		const piped = Bun.spawnSync(
			["sh", "-c", `'${binary}' validate --format json '${file}' | (sleep 1; wc -c)`],
			{
				env: cleanEnv(),
			},
		);
		expect(Number(piped.stdout.toString().trim())).toBe(size);
	});
});

describe("registry validate --strict, -, --quiet and the warning summary", () => {
	const seed = join(ROOT, "test", "fixtures", "real-seed-358-servers.json");

	test("--strict: warnings are errors (exit 1); a file without any still passes", () => {
		const strict = run(["validate", "--strict", seed]);
		expect(strict.code).toBe(1);
		expect(strict.stdout).toStartWith(`${seed}: invalid: 358 entries have warnings, errors with --strict\n`);
		expect(strict.stdout).toContain(
			"error: [19] (io.github.clickhouse/mcp-clickhouse 0.0.1-seed): description is empty",
		);
		const json = JSON.parse(run(["validate", "--strict", "--format", "json", seed]).stdout) as JsonResult[];
		expect(json[0]?.ok).toBe(false);
		expect(json[0]?.warnings).toEqual([]);
		expect(json[0]?.errors.length).toBe(501);
		const clean = join(work.path, "clean.json");
		writeFileSync(clean, JSON.stringify([doc("io.github.a/clean", "1.0.0")]));
		expect(run(["validate", "--strict", clean])).toEqual({
			code: 0,
			stdout: `${clean}: ok: 1 entries (1 servers, seed shape), 0 warnings\n`,
		});
		expect(run(["validate", "--strict", "--skip-invalid", clean]).code).toBe(2);
	});

	test("strict errors: a remote of an unknown type, a bad URL, a range version fail the load", () => {
		const bad = join(work.path, "strict-errors.json");
		writeFileSync(
			bad,
			JSON.stringify([
				doc("io.github.a/r", "1.0.0", { remotes: [{ type: "carrier-pigeon", url: "not a url" }] }),
				doc("io.github.a/t", "^1.0.0", {
					packages: [{ registryType: "npm", identifier: "x", transport: { type: "smoke-signal" } }],
				}),
			]),
		);
		const r = run(["validate", bad]);
		expect(r.code).toBe(1);
		expect(r.stdout).toContain(
			'error: [0] (io.github.a/r 1.0.0): remotes[0].type must be one of streamable-http, sse (got "carrier-pigeon")',
		);
		expect(r.stdout).toContain("error: [0] (io.github.a/r 1.0.0): remotes[0].url must be an http(s) URL");
		expect(r.stdout).toContain(
			'error: [1] (io.github.a/t ^1.0.0): version must be a specific version, not a range (got "^1.0.0"',
		);
		expect(r.stdout).toContain(
			'error: [1] (io.github.a/t ^1.0.0): packages[0].transport.type must be one of stdio, streamable-http, sse (got "smoke-signal")',
		);
	});

	test("- reads standard input, named <stdin>", () => {
		const piped = (args: string[], input: string | Uint8Array, env: Record<string, string> = {}) => {
			const p = Bun.spawnSync([binary, ...args], {
				env: cleanEnv(env),
				cwd: work.path,
				stdin: Buffer.from(input),
			});
			return { code: p.exitCode ?? -1, stdout: p.stdout.toString() };
		};
		const bytes = readFileSync(seed);
		const ok = piped(["validate", "-"], bytes);
		expect(ok.code).toBe(0);
		expect(ok.stdout).toStartWith("<stdin>: ok: 358 entries (358 servers, seed shape), 501 warnings\n");
		expect(piped(["validate", "--strict", "-"], bytes).code).toBe(1);
		const bad = piped(["validate", "-"], JSON.stringify([doc("no-slash", "1.0.0")]));
		expect(bad.code).toBe(1);
		expect(bad.stdout).toContain("error: [0] (no-slash 1.0.0): name must match");
		const large = piped(["validate", "-"], bytes, { MCP_REGISTRY_MAX_FILE_BYTES: "1000" });
		expect(large).toEqual({
			code: 1,
			stdout:
				"<stdin>: the file is more than 1000 bytes, over the limit of 1000 bytes (MCP_REGISTRY_MAX_FILE_BYTES); not loaded\n",
		});
		expect(piped(["validate", "-", "-"], "[]").code).toBe(2);
	});

	test("by default warnings are summarised by kind; --quiet prints errors and the summary line only", () => {
		const text = run(["validate", seed]);
		expect(text.code).toBe(0);
		const lines = text.stdout.trimEnd().split("\n");
		expect(lines[0]).toBe(`${seed}: ok: 358 entries (358 servers, seed shape), 501 warnings`);
		expect(lines.filter((l) => l.startsWith("  warning: ")).length).toBe(9);
		expect(lines).toContain("    … and 355 more: $schema is missing (358 entries in all)");
		expect(lines).toContain("    … and 62 more: description is empty (65 entries in all)");
		expect(lines).toContain(
			"    … and 75 more: description is longer than 100 characters (78 entries in all)",
		);
		expect(lines.length).toBe(13);
		expect(run(["validate", "--quiet", seed])).toEqual({
			code: 0,
			stdout: `${seed}: ok: 358 entries (358 servers, seed shape), 501 warnings\n`,
		});
		const quietStrict = run(["validate", "--quiet", "--strict", seed]).stdout.trimEnd().split("\n");
		expect(quietStrict.length).toBe(502);
		expect(quietStrict.slice(1).every((l) => l.startsWith("  error: "))).toBe(true);
		// json keeps every warning
		const json = JSON.parse(run(["validate", "--format", "json", seed]).stdout) as JsonResult[];
		expect(json[0]?.warnings.length).toBe(501);
	});

	test("--help (top level and validate's) lists every validate option", () => {
		const top = run(["--help"]).stdout;
		const own = run(["validate", "--help"]);
		expect(own.code).toBe(0);
		for (const option of ["--strict", "--skip-invalid", "--quiet", "--format", "-"]) {
			expect(top).toContain(option);
			expect(own.stdout).toContain(option);
		}
		expect(own.stdout).toContain("- reads standard input");
	});
});
