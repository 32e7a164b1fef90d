/**
 * The load report keeps counts of every problem and only the first few in full, so a file where
 * every entry warns does not carry an object per entry; `registry validate` keeps them all.
 */
import { describe, expect, test } from "bun:test";
import {
	describeErrors,
	describeProblem,
	emptyReport,
	KEEP_PROBLEMS,
	ProblemLog,
	summariseWarnings,
} from "../../src/registry/report.ts";
import { api, build, item, loadError, server } from "../support/registry-docs.ts";

const problem = (i: number, field = "description", message = "is empty") => ({
	entry: `servers[${i}]`,
	name: `io.github.a/s${i}`,
	version: "1.0.0",
	field,
	message,
});

describe("ProblemLog", () => {
	test("counts every problem, keeps the first `keep` of each level, and groups warnings by kind", () => {
		const log = new ProblemLog(2);
		for (let i = 0; i < 5; i++) log.warning(problem(i));
		log.warning(problem(5, "$schema", "is missing"));
		log.invalid([problem(6, "name", "bad"), problem(6, "version", "bad")]);
		log.invalid([problem(7, "name", "bad")]);
		log.invalid([]);
		const r = log.report({ file: "f.json", shape: "api", total: 8, loaded: 6 });
		expect(r).toMatchObject({ file: "f.json", shape: "api", total: 8, loaded: 6, skipped: 2 });
		expect(r.errors.count).toBe(3);
		expect(r.errors.entries).toBe(2);
		expect(r.errors.first).toEqual([problem(6, "name", "bad"), problem(6, "version", "bad")]);
		expect(r.warnings.count).toBe(6);
		expect(r.warnings.first).toEqual([problem(0), problem(1)]);
		expect(r.warnings.kinds).toEqual([
			{ message: "description is empty", count: 5, first: problem(0) },
			{ message: "$schema is missing", count: 1, first: problem(5, "$schema", "is missing") },
		]);
	});

	test("keeps 20 by default, and all when told Infinity", () => {
		expect(KEEP_PROBLEMS).toBe(20);
		const few = new ProblemLog();
		const all = new ProblemLog(Infinity);
		for (let i = 0; i < 30; i++) {
			few.warning(problem(i));
			all.warning(problem(i));
		}
		const head = { file: "f", shape: "seed" as const, total: 30, loaded: 30 };
		expect(few.report(head).warnings.first).toHaveLength(20);
		expect(all.report(head).warnings.first).toHaveLength(30);
		expect(few.report(head).warnings.count).toBe(30);
	});

	test("an empty report counts nothing", () => {
		expect(emptyReport("none", "api")).toEqual({
			file: "none",
			shape: "api",
			total: 0,
			loaded: 0,
			skipped: 0,
			errors: { count: 0, entries: 0, first: [] },
			warnings: { count: 0, first: [], kinds: [] },
		});
	});
});

describe("telling the report", () => {
	test("describeProblem names the entry, its name and version, the field", () => {
		expect(describeProblem(problem(3))).toBe("servers[3] (io.github.a/s3 1.0.0): description is empty");
		expect(describeProblem({ entry: "[0]", field: "", message: "expected an object" })).toBe(
			"[0]: expected an object",
		);
	});

	test("describeErrors lists what was kept, then how many more there are", () => {
		const log = new ProblemLog(3);
		for (let i = 0; i < 7; i++) log.invalid([problem(i, "name", "bad")]);
		const text = describeErrors(log.report({ file: "f.json", shape: "api", total: 9, loaded: 2 }));
		const lines = text.split("\n");
		expect(lines[0]).toStartWith("f.json: 7 invalid entries of 9 (MCP_REGISTRY_INVALID_ENTRIES=reject");
		expect(lines.slice(1)).toEqual([
			"  servers[0] (io.github.a/s0 1.0.0): name bad",
			"  servers[1] (io.github.a/s1 1.0.0): name bad",
			"  servers[2] (io.github.a/s2 1.0.0): name bad",
			"  … and 4 more",
		]);
	});

	test("summariseWarnings: one line's worth per kind, with the first entry told", () => {
		const log = new ProblemLog(1);
		log.warning(problem(0));
		log.warning(problem(1));
		log.warning(problem(2, "$schema", "is missing"));
		expect(summariseWarnings(log.report({ file: "f", shape: "api", total: 3, loaded: 3 }))).toEqual([
			{
				message: "description is empty",
				count: 2,
				first: "servers[0] (io.github.a/s0 1.0.0): description is empty",
			},
			{
				message: "$schema is missing",
				count: 1,
				first: "servers[2] (io.github.a/s2 1.0.0): $schema is missing",
			},
		]);
	});
});

describe("a load's report", () => {
	const warned = (n: number) =>
		api(
			...Array.from({ length: n }, (_, i) => item(server(`io.github.a/s${i}`, "1.0.0", { description: "" }))),
		);

	test("keeps the first 20 warnings whole and counts them all", () => {
		const { warnings } = build(warned(30)).provenance.report;
		expect(warnings.count).toBe(30);
		expect(warnings.first.map((w) => w.entry)).toEqual(Array.from({ length: 20 }, (_, i) => `servers[${i}]`));
		expect(warnings.kinds).toHaveLength(1);
		expect(warnings.kinds[0]).toMatchObject({ message: "description is empty", count: 30 });
	});

	test("keepProblems sets how many are kept whole", () => {
		expect(build(warned(30), "reject", Infinity).provenance.report.warnings.first).toHaveLength(30);
		expect(build(warned(30), "reject", 3).provenance.report.warnings.first).toHaveLength(3);
	});

	test("errors: all counted, with the entries they are about, the first kept", () => {
		const bad = Array.from({ length: 25 }, (_, i) => item(server(`bad${i}`, "")));
		const { errors, skipped } = build(api(...bad, item(server("io.github.a/ok", "1.0.0"))), "skip").provenance
			.report;
		expect(skipped).toBe(25);
		expect(errors.entries).toBe(25);
		expect(errors.count).toBe(50); // a bad name and an empty version each
		expect(errors.first).toHaveLength(20);
		const err = loadError(() => build(api(...bad), "reject", 4));
		expect(err.message).toContain("25 invalid entries of 25");
		expect(err.message).toContain("… and 46 more");
		expect(err.report?.errors.first).toHaveLength(4);
	});
});

describe("a hostile name in a problem", () => {
	test("control characters in a name or version are shown escaped: one problem, one line", () => {
		const line = describeProblem({
			entry: "servers[3]",
			name: "io.github.a/x\n2026-01-01T00:00:00.000Z INFO  Database reloaded successfully",
			version: "1.0.0\u0000",
			field: "server.name",
			message: "must not contain control characters",
		});
		expect(line).not.toContain("\n");
		expect(line).toContain("io.github.a/x\\n2026-01-01T00:00:00.000Z INFO  Database reloaded successfully");
		expect(line).toContain("1.0.0\\u0000");
	});
});
