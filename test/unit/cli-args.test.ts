/**
 * The command line, read with parseArgs: what `registry [serve]` makes of --help / --version /
 * anything else, and how `validate` and `healthcheck` read their options (same messages and
 * exit codes as the end-to-end tests of the binary expect).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
	HEALTHCHECK_USAGE,
	healthcheckCommand,
	parseCommandLine,
	VALIDATE_USAGE,
	validateCommand,
} from "../../src/cli.ts";

describe("parseCommandLine", () => {
	const cases: [string[], ReturnType<typeof parseCommandLine>][] = [
		[[], { command: "serve" }],
		[["serve"], { command: "serve" }],
		[["--help"], { command: "help" }],
		[["-h"], { command: "help" }],
		[["serve", "--help"], { command: "help" }],
		[["bogus", "--help"], { command: "help" }],
		[["--version", "--help"], { command: "help" }],
		[["--version"], { command: "version" }],
		[["-v"], { command: "version" }],
		[["serve", "-v"], { command: "version" }],
		[
			["validate", "--format", "json", "a.json"],
			{ command: "validate", args: ["--format", "json", "a.json"] },
		],
		[["validate"], { command: "validate", args: [] }],
		[["healthcheck", "http://x/v0/health"], { command: "healthcheck", args: ["http://x/v0/health"] }],
		[["bogus"], { command: "usage-error", message: 'unknown argument "bogus"; see registry --help' }],
		[
			["serve", "serve"],
			{ command: "usage-error", message: 'unknown argument "serve"; see registry --help' },
		],
		[["--nope", "x"], { command: "usage-error", message: 'unknown argument "--nope"; see registry --help' }],
		// Options count only as written alone.
		[["-hv"], { command: "usage-error", message: 'unknown argument "-hv"; see registry --help' }],
		[
			["--help=yes"],
			{ command: "usage-error", message: 'unknown argument "--help=yes"; see registry --help' },
		],
	];
	for (const [argv, expected] of cases) {
		test(`${JSON.stringify(argv)} → ${JSON.stringify(expected)}`, () => {
			expect(parseCommandLine(argv)).toEqual(expected);
		});
	}
});

/** Runs a command, collecting what it prints. */
async function run(
	command: (out: (s: string) => void) => Promise<number>,
): Promise<{ code: number; out: string }> {
	let out = "";
	const code = await command((s) => {
		out += s;
	});
	return { code, out };
}

describe("validate's options", () => {
	const usageErrors: [string[], string][] = [
		[["--format", "xml", "f.json"], "registry validate: --format takes text or json\n"],
		[["--format=xml", "f.json"], "registry validate: --format takes text or json\n"],
		[["f.json", "--format"], "registry validate: --format takes text or json\n"],
		[["--nope", "f.json"], `registry validate: unknown option --nope\n${VALIDATE_USAGE}`],
		[["-x", "f.json"], `registry validate: unknown option -x\n${VALIDATE_USAGE}`],
		[["-hx"], `registry validate: unknown option -hx\n${VALIDATE_USAGE}`],
		[
			["--skip-invalid=yes", "f.json"],
			`registry validate: unknown option --skip-invalid=yes\n${VALIDATE_USAGE}`,
		],
		[["--", "f.json"], `registry validate: unknown option --\n${VALIDATE_USAGE}`],
		[[], VALIDATE_USAGE],
		[["--format", "json"], VALIDATE_USAGE],
	];
	for (const [args, out] of usageErrors) {
		test(`${JSON.stringify(args)} → exit 2`, async () => {
			expect(await run((o) => validateCommand(args, o))).toEqual({ code: 2, out });
		});
	}

	for (const help of ["--help", "-h"]) {
		test(`${help} → the usage, exit 0`, async () => {
			expect(await run((o) => validateCommand(["f.json", help], o))).toEqual({
				code: 0,
				out: VALIDATE_USAGE,
			});
		});
	}

	test("--format json and --format=json read the files given, in order", async () => {
		const fixture = join(import.meta.dir, "..", "fixtures", "real-api-page-30-entries.json");
		for (const args of [
			["--format", "json", fixture, "-"],
			["--format=json", "--skip-invalid", fixture, "-"],
		]) {
			// "-" is standard input: here empty, so no registry.
			const empty = (async function* () {})();
			const { code, out } = await run((o) => validateCommand(args, o, {}, empty));
			expect(code).toBe(1);
			const results = JSON.parse(out) as { file: string; ok: boolean }[];
			expect(results.map((r) => [r.file, r.ok])).toEqual([
				[fixture, true],
				["<stdin>", false],
			]);
		}
	});

	test("- reads the standard input given; --strict makes its warnings errors", async () => {
		const bytes = readFileSync(join(import.meta.dir, "..", "fixtures", "real-api-page-30-entries.json"));
		const input = () =>
			(async function* () {
				yield bytes.subarray(0, 100);
				yield bytes.subarray(100);
			})();
		const ok = await run((o) => validateCommand(["-"], o, {}, input()));
		expect(ok.code).toBe(0);
		expect(ok.out).toStartWith("<stdin>: ok: 30 entries");
		const strict = await run((o) => validateCommand(["--strict", "--quiet", "-"], o, {}, input()));
		expect(strict.code).toBe(1);
		expect(strict.out).toStartWith("<stdin>: invalid: 27 entries have warnings, errors with --strict\n");
		expect(strict.out).not.toContain("warning:");
	});
});

describe("healthcheck's argument", () => {
	let answer: (req: Request) => Response = () => Response.json({ status: "ok" });
	const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => answer(req) });
	afterAll(() => server.stop(true));
	const address = { hostname: "0.0.0.0", port: server.port as number };
	const healthUrl = `http://127.0.0.1:${server.port}/v0/health`;

	test("no URL: /v0/health at the listen address, on loopback", async () => {
		answer = () => Response.json({ status: "ok" });
		expect(await run((o) => healthcheckCommand([], address, o))).toEqual({
			code: 0,
			out: `${healthUrl}: ok\n`,
		});
	});

	test("a URL given is asked instead", async () => {
		const url = `http://127.0.0.1:${server.port}/v0.1/health`;
		expect(await run((o) => healthcheckCommand([url], { hostname: "::1", port: 1 }, o))).toEqual({
			code: 0,
			out: `${url}: ok\n`,
		});
	});

	test("an answer without an ok status, or not an object, is unhealthy", async () => {
		answer = () => Response.json({ status: "degraded" }, { status: 503 });
		expect(await run((o) => healthcheckCommand([], address, o))).toEqual({
			code: 1,
			out: `${healthUrl}: unhealthy: HTTP 503, status "degraded"\n`,
		});
		answer = () => Response.json(null);
		expect(await run((o) => healthcheckCommand([], address, o))).toEqual({
			code: 1,
			out: `${healthUrl}: unhealthy: HTTP 200\n`,
		});
	});

	test("an option is a usage error", async () => {
		const { code, out } = await run((o) => healthcheckCommand(["--verbose"], address, o));
		expect(code).toBe(2);
		expect(out).toStartWith(
			"registry healthcheck: unknown option --verbose\nUsage: registry healthcheck [URL]",
		);
	});

	test("a base URL (path empty or /) asks its /v0/health; any other path is asked as given", async () => {
		answer = (req) =>
			new URL(req.url).pathname === "/v0/health"
				? Response.json({ status: "ok" })
				: new Response(null, { status: 302, headers: { location: "/docs" } });
		for (const base of [`http://127.0.0.1:${server.port}`, `http://127.0.0.1:${server.port}/`]) {
			expect(await run((o) => healthcheckCommand([base], address, o))).toEqual({
				code: 0,
				out: `${healthUrl}: ok\n`,
			});
		}
		const docs = `http://127.0.0.1:${server.port}/docs`;
		expect(await run((o) => healthcheckCommand([docs], address, o))).toEqual({
			code: 1,
			out: `${docs}: unhealthy: HTTP 302\n`,
		});
	});

	for (const help of ["--help", "-h"]) {
		test(`${help} → the usage, exit 0, nothing asked`, async () => {
			answer = () => {
				throw new Error("asked");
			};
			for (const args of [[help], [`http://127.0.0.1:${server.port}`, help]]) {
				expect(await run((o) => healthcheckCommand(args, address, o))).toEqual({
					code: 0,
					out: HEALTHCHECK_USAGE,
				});
			}
		});
	}

	const usageErrors: [string[], string][] = [
		[["--verbose"], "unknown option --verbose"],
		[["-x"], "unknown option -x"],
		[["-hx"], "unknown option -hx"],
		[["--help=yes"], "unknown option --help=yes"],
		[["--"], "unknown option --"],
		[["http://a/v0/health", "--timeout", "5"], "unknown option --timeout"],
		[["http://a/v0/health", "extra"], 'unexpected argument "extra"'],
		[["http://a/v0/health", "http://b/v0/health"], 'unexpected argument "http://b/v0/health"'],
		[["localhost:8080"], '"localhost:8080" is not an http(s) URL'],
		[["not a url"], '"not a url" is not an http(s) URL'],
	];
	for (const [args, message] of usageErrors) {
		test(`${JSON.stringify(args)} → exit 2: ${message}`, async () => {
			expect(await run((o) => healthcheckCommand(args, address, o))).toEqual({
				code: 2,
				out: `registry healthcheck: ${message}\n${HEALTHCHECK_USAGE}`,
			});
		});
	}
});

describe("what the commands echo back", () => {
	test("healthcheck never shows a URL's password, and keeps its line whole", async () => {
		const { code, out } = await run((o) =>
			healthcheckCommand(
				["http://admin:SECRET@127.0.0.1:1/v0/health"],
				{ hostname: "127.0.0.1", port: 1 },
				o,
			),
		);
		expect(code).toBe(1);
		expect(out).not.toContain("SECRET");
		expect(out).toStartWith("http://***@127.0.0.1:1/v0/health: unreachable: ");
		const bad = await run((o) =>
			healthcheckCommand(["http://127.0.0.1:1", "x:PW@y\nforged"], { hostname: "127.0.0.1", port: 1 }, o),
		);
		expect(bad.code).toBe(2);
		expect(bad.out).not.toContain("PW");
	});

	test("validate shows a whole-file error quoting the file's bytes escaped, on one line", async () => {
		const dir = mkdtempSync(join(tmpdir(), "cli-echo-"));
		const file = join(dir, "raw.json");
		writeFileSync(file, '{"servers":[\u2028\u009b]}');
		const { code, out } = await run((o) => validateCommand([file], o));
		rmSync(dir, { recursive: true, force: true });
		expect(code).toBe(1);
		expect(out.trimEnd().split("\n")).toHaveLength(1);
		expect(out).not.toMatch(/[\u2028\u009b]/);
	});
});

describe("validate --format json on a refused file", () => {
	test("its error is the summary alone, without the colon that introduces the text report's list", async () => {
		const dir = mkdtempSync(join(tmpdir(), "cli-json-"));
		const file = join(dir, "bad.json");
		writeFileSync(file, JSON.stringify([{ name: "io.github.a/x", description: "d", version: 7 }]));
		const { code, out } = await run((o) => validateCommand(["--format", "json", file], o));
		rmSync(dir, { recursive: true, force: true });
		expect(code).toBe(1);
		const [r] = JSON.parse(out) as { ok: boolean; error: string; errors: unknown[] }[];
		expect(r?.ok).toBe(false);
		expect(r?.error).toEndWith('"skip" drops them)');
		expect(r?.errors.length).toBeGreaterThan(0);
	});
});
