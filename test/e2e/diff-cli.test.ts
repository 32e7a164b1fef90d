/**
 * `registry diff` as a user runs it: the real command in a process of its own, on files in a
 * temporary directory. Exit 0 when equal, 1 when different, 2 on an error (with the file and
 * what is wrong on stderr), in each output format, from standard input too.
 */
import { afterAll, describe, expect, test } from "bun:test";
import type { RegistryDiff } from "../../src/pipeline/diff.ts";
import { type CliRun, runCliSync, tempDir } from "../support/process.ts";
import { api, item, type Obj, server } from "../support/registry-docs.ts";

const work = tempDir("registry-diff-cli-");
/** A test runs the command several times: room for a machine busy with other work. */
const SLOW = 30_000;
afterAll(() => work.cleanup());

function run(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}): CliRun {
	return runCliSync(["diff", ...args], { ...options, cwd: work.path });
}

const T0 = "2025-03-01T00:00:00Z";
const doc = (name: string, version: string, extra: Obj = {}) =>
	server(name, version, { description: "A server", ...extra });
const entry = (d: Obj, official: Obj = {}) =>
	item(d, { status: "active", publishedAt: T0, updatedAt: T0, ...official });

/** Writes `name` in the work directory (see tempDir's write); returns the name, relative to it. */
function write(name: string, content: unknown, mtime?: string): string {
	work.write(name, content, mtime === undefined ? undefined : new Date(mtime));
	return name;
}

const A = "io.github.acme/alpha";
const B = "io.github.acme/beta";
const docs = [doc(A, "1.0.0"), doc(A, "1.1.0"), doc(B, "2.0.0")];
const oldApi = write("old.json", api(...docs.map((d) => entry(d))));
// The same registry as a bare array of server.json documents, published when the file was written.
const oldSeed = write("old-seed.json", docs, T0);
const newApi = write(
	"new.json",
	api(
		entry(doc(A, "1.0.0", { description: "Alpha, renamed" })),
		entry(doc(A, "1.1.0"), { status: "deprecated" }),
		entry(doc(A, "1.2.0")),
	),
);

describe("registry diff", () => {
	test(
		"the same registry in two shapes: exit 0, in every format",
		() => {
			expect(run([oldApi, oldSeed])).toEqual({
				code: 0,
				stdout: "old.json → old-seed.json: no differences\n",
				stderr: "",
			});
			const json = run(["--format", "json", oldSeed, oldApi]);
			expect(json.code).toBe(0);
			expect((JSON.parse(json.stdout) as RegistryDiff).summary.versionsChanged).toBe(0);
			expect(run(["--format=markdown", oldApi, oldApi]).stdout).toBe(
				"### Registry diff: `old.json` → `old.json`\n\nNo differences.\n",
			);
		},
		SLOW,
	);

	test(
		"different registries: exit 1, what changed in text, json and markdown",
		() => {
			const text = run([oldApi, newApi]);
			expect(text.code).toBe(1);
			expect(text.stderr).toBe("");
			expect(text.stdout).toBe(
				[
					"old.json → new.json: 1 server removed, 1 version added, 1 version changed, 1 status change, 1 latest change",
					"",
					"Servers removed (1):",
					`  - ${B}: 2.0.0`,
					"",
					"Versions added (1):",
					`  + ${A} 1.2.0`,
					"",
					"Versions changed (1):",
					`  ~ ${A} 1.0.0: description`,
					"",
					"Status changes (1):",
					`  ${A} 1.1.0: active → deprecated`,
					"",
					"Latest-version changes (1):",
					`  ${A}: 1.1.0 → 1.2.0`,
					"",
				].join("\n"),
			);

			const json = run(["--format", "json", oldSeed, newApi]);
			expect(json.code).toBe(1);
			const d = JSON.parse(json.stdout) as RegistryDiff;
			expect(d.serversRemoved).toEqual([{ name: B, versions: ["2.0.0"], latest: "2.0.0" }]);
			expect(d.versionsChanged).toEqual([{ name: A, version: "1.0.0", fields: ["description"], meta: [] }]);
			expect(d.statusChanges).toEqual([{ name: A, version: "1.1.0", from: "active", to: "deprecated" }]);
			expect(d.latestChanges).toEqual([{ name: A, from: "1.1.0", to: "1.2.0" }]);

			const md = run(["--format", "markdown", oldApi, newApi]);
			expect(md.code).toBe(1);
			expect(md.stdout).toStartWith("### Registry diff: `old.json` → `new.json`\n\n**1 server removed,");
			expect(md.stdout).toContain("| Versions changed | 1 |\n");
			expect(md.stdout).toContain(`#### Status changes (1)\n\n- \`${A}\` \`1.1.0\`: active → deprecated\n`);
		},
		SLOW,
	);

	test(
		"- reads one of the files from standard input",
		() => {
			const stdin = JSON.stringify(api(...docs.map((d) => entry(d))));
			expect(run(["-", oldApi], { stdin })).toEqual({
				code: 0,
				stdout: "<stdin> → old.json: no differences\n",
				stderr: "",
			});
			const changed = run([oldApi, "-"], { stdin: JSON.stringify([doc(A, "1.0.0")]) });
			expect(changed.code).toBe(1);
			expect(changed.stdout).toStartWith("old.json → <stdin>: 1 server removed, 1 version removed, ");
			const broken = run(["-", oldApi], { stdin: '{"servers": [' });
			expect(broken.code).toBe(2);
			expect(broken.stderr).toStartWith("registry diff: <stdin>: invalid JSON");
		},
		SLOW,
	);

	test(
		"a file that cannot be read or would not load: exit 2, the file and what is wrong on stderr",
		() => {
			const missing = run([oldApi, "nope.json"]);
			expect(missing).toEqual({ code: 2, stdout: "", stderr: "registry diff: nope.json: no such file\n" });

			const broken = write("broken.json", '{"servers": [\n  {"server": {}\n]');
			const bad = run([broken, oldApi]);
			expect(bad.code).toBe(2);
			expect(bad.stdout).toBe("");
			expect(bad.stderr).toMatch(/^registry diff: broken\.json: invalid JSON at line 3/);

			// Invalid entries: refused by default, as the server refuses them; dropped with --skip-invalid.
			const invalid = write("invalid.json", [...docs, doc("no-slash", "1.0.0")], T0);
			const refused = run([oldApi, invalid]);
			expect(refused.code).toBe(2);
			expect(refused.stderr).toContain("registry diff: invalid.json: 1 invalid entry of 4");
			expect(refused.stderr).toContain("[3] (no-slash 1.0.0): name must match");
			const both = run([invalid, "nope.json"]);
			expect(both.code).toBe(2);
			expect(both.stderr).toContain("registry diff: invalid.json: 1 invalid entry of 4");
			expect(both.stderr).toContain("registry diff: nope.json: no such file\n");
			const skipped = run(["--skip-invalid", invalid, oldSeed]);
			expect(skipped).toEqual({
				code: 0,
				stdout: "invalid.json → old-seed.json: no differences\n",
				stderr: "registry diff: invalid.json: 1 invalid entry skipped\n",
			});

			// Over MCP_REGISTRY_MAX_FILE_BYTES: refused unread, as the server refuses it.
			const limited = run([oldApi, newApi], { env: { MCP_REGISTRY_MAX_FILE_BYTES: "100" } });
			expect(limited.code).toBe(2);
			expect(limited.stderr).toContain("over the limit of 100 bytes (MCP_REGISTRY_MAX_FILE_BYTES)");
			expect(run([oldApi, newApi], { env: { MCP_REGISTRY_MAX_FILE_BYTES: "lots" } }).stderr).toStartWith(
				"registry diff: MCP_REGISTRY_MAX_FILE_BYTES must be",
			);
		},
		SLOW,
	);

	test(
		"arguments: --help exits 0; anything else wrong exits 2 with the usage on stderr",
		() => {
			const help = run(["--help"]);
			expect(help.code).toBe(0);
			expect(help.stdout).toStartWith(
				"Usage: registry diff [--format text|json|markdown] [--skip-invalid] OLD NEW",
			);
			expect(run([oldApi, "-h", newApi]).code).toBe(0);
			for (const [args, message] of [
				[[], "two files to compare are needed"],
				[[oldApi], "two files to compare are needed"],
				[[oldApi, newApi, oldSeed], "unexpected argument old-seed.json"],
				[["--format", "xml", oldApi, newApi], "--format takes text, json or markdown"],
				[["--nope", oldApi, newApi], "unknown option --nope"],
				[["--skip-invalid=yes", oldApi, newApi], "unknown option --skip-invalid=yes"],
				[["-", "-"], "- (standard input) can be given once"],
			] as const) {
				const r = run([...args]);
				expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: "" });
				expect(r.stderr).toStartWith(`registry diff: ${message}\nUsage: registry diff`);
			}
		},
		SLOW,
	);
});
