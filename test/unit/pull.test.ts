/**
 * `registry pull` in process: name globs and statuses, and pullRecords merging what sources give
 * into what a file holds (first pull, incremental pull, full pull, a later source winning, a
 * source that empties, a source killed mid-crawl) against the upstream stand-in on 127.0.0.1 and
 * registry files, with an injected clock and sleep. The command itself, as a process, is in
 * test/integration/pull.test.ts.
 */
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
	globTest,
	nameFilter,
	PullError,
	type PullOptions,
	type PullResult,
	parseStatuses,
	pullCommand,
	pulledBytes,
	pullRecords,
} from "../../src/pipeline/pull.ts";
import { PULL_META, type RegistryRecord, readRegistryBytes } from "../../src/pipeline/records.ts";
import { RegistryLoadError } from "../../src/registry/report.ts";
import { rejection } from "../support/assert.ts";
import { tempDir } from "../support/process.ts";
import { server } from "../support/registry-docs.ts";
import {
	type Obj,
	OFFICIAL,
	pullFilters,
	startUpstream,
	type Upstream,
} from "../support/upstream-registry.ts";

const work = tempDir("registry-pull-unit-");
const started: Upstream[] = [];
afterEach(async () => {
	for (const u of started.splice(0)) await u.stop();
});
afterAll(() => work.cleanup());

const NOW = new Date("2026-02-03T04:05:06.789Z");
const LATER = new Date("2026-02-04T00:00:00.000Z");
const decoder = new TextDecoder();

async function upstream(options: Parameters<typeof startUpstream>[0] = {}) {
	const u = await startUpstream(options);
	started.push(u);
	return u;
}

/** Pulls with no waiting between retries and a fixed clock. */
const pull = (o: Partial<PullOptions> & { sources: string[] }) =>
	pullRecords({ filters: pullFilters(), now: () => NOW, crawl: { sleep: async () => {} }, ...o });

/** What a pull wrote, read back as the next pull reads FILE. */
const reread = (r: PullResult) => readRegistryBytes(pulledBytes(r.records, "FILE"), "FILE", "reject").records;

const doc = (r: RegistryRecord) => JSON.parse(decoder.decode(r.json)) as { server: Obj; _meta: Obj };
const keys = (rs: readonly RegistryRecord[]) => rs.map((r) => `${r.name}@${r.version}`);
const pullMeta = (r: RegistryRecord) => doc(r)._meta[PULL_META];

describe("name globs", () => {
	test("* is any run of characters, / too; ? is one; case-insensitive; nothing else is special", () => {
		expect(globTest("io.github.*")("io.github.a/b")).toBe(true);
		expect(globTest("io.github.*")("ioXgithubXa/b")).toBe(false);
		expect(globTest("*/weather")("com.example/weather")).toBe(true);
		expect(globTest("*/weather")("com.example/weather-pro")).toBe(false);
		expect(globTest("io.github.?/x")("io.github.a/x")).toBe(true);
		expect(globTest("io.github.?/x")("io.github.ab/x")).toBe(false);
		expect(globTest("IO.GitHub.*")("io.github.a/b")).toBe(true);
		expect(globTest("a+b/(c)[d]")("a+b/(c)[d]")).toBe(true);
		expect(globTest("a+b/(c)[d]")("aab/c")).toBe(false);
	});

	test("many stars against a long name: linear, not backtracking (a regular expression took 26 s here)", () => {
		expect(globTest("*a*a*a*a*a*a*a*a*b")("a".repeat(72))).toBe(false);
		expect(globTest("*-*-*-*-*-mcp")("-".repeat(5000))).toBe(false);
		expect(globTest("*-*-*-*-*-mcp")(`${"-".repeat(5000)}mcp`)).toBe(true);
		expect(globTest("a*b*c")("axxbyyc")).toBe(true);
		expect(globTest("a*b*c")("axxbyy")).toBe(false);
		expect(globTest("*")("")).toBe(true);
		expect(globTest("*.mcp")("x.mcp.mcp")).toBe(true);
	});

	test("an include list is any of them; exclude wins; no include is every name", () => {
		const f = nameFilter({ include: ["io.github.*", "com.example/*"], exclude: ["*test*"] });
		expect(f("io.github.a/b")).toBe(true);
		expect(f("com.example/tool")).toBe(true);
		expect(f("ai.other/tool")).toBe(false);
		expect(f("io.github.a/test-server")).toBe(false);
		expect(nameFilter({ include: [], exclude: [] })("anything/at-all")).toBe(true);
		expect(nameFilter({ include: [], exclude: ["ai.*"] })("ai.x/y")).toBe(false);
	});
});

describe("parseStatuses", () => {
	test("a comma-separated list, spaces and case ignored", () => {
		expect(parseStatuses("deleted, Active")).toEqual(new Set(["deleted", "active"]));
		expect(parseStatuses("deprecated,")).toEqual(new Set(["deprecated"]));
	});

	test("an unknown status or none at all: the problem", () => {
		expect(parseStatuses("active,gone")).toBe('--status takes active, deprecated, deleted (got "gone")');
		expect(parseStatuses(" , ")).toBe("--status needs at least one status");
	});
});

/** Six entries: a, b (two versions), c deprecated, d deleted, e. */
async function sixEntries(options: Parameters<typeof startUpstream>[0] = {}) {
	return upstream({
		...options,
		entries: [
			server("io.github.t/a", "1.0.0"),
			server("io.github.t/b", "1.0.0"),
			server("io.github.t/b", "1.1.0"),
			{ server: server("io.github.t/c", "0.1.0"), official: { status: "deprecated" } },
			{ server: server("io.github.t/d", "2.0.0"), official: { status: "deleted" } },
			server("io.github.t/e", "3.0.0"),
		],
	});
}

describe("pullRecords: a first pull", () => {
	test("every entry of a wanted status, as the source serves it, with our metadata beside the official", async () => {
		const u = await sixEntries();
		const r = await pull({ sources: [u.base] });
		expect(keys(r.records)).toEqual([
			"io.github.t/a@1.0.0",
			"io.github.t/b@1.0.0",
			"io.github.t/b@1.1.0",
			"io.github.t/c@0.1.0",
			"io.github.t/e@3.0.0",
		]);
		expect([r.added, r.updated, r.removed, r.unchanged, r.changed]).toEqual([5, 0, 0, 0, true]);
		expect(r.sources).toEqual([{ source: u.base, since: undefined, received: 6, invalid: 0 }]);
		// Deleted entries were asked for (so a later pull could learn of deletions), then filtered.
		expect(u.requests).toEqual(["/v0.1/servers?limit=100&include_deleted=true"]);
		for (const rec of r.records) {
			const held = u.get(rec.name, rec.version);
			const served = u.served(held as NonNullable<typeof held>) as { server: Obj; _meta: Obj };
			expect(doc(rec)).toEqual({
				server: served.server,
				_meta: {
					[OFFICIAL]: served._meta[OFFICIAL],
					[PULL_META]: { source: u.base, pulledAt: NOW.toISOString() },
				},
			});
		}
	});

	test("a source URL with a password is recorded without it", async () => {
		const u = await sixEntries();
		const r = await pull({ sources: [`http://me:hunter2@127.0.0.1:${u.port}/`] });
		expect(pullMeta(r.records[0] as RegistryRecord)).toEqual({
			source: `http://***@127.0.0.1:${u.port}`,
			pulledAt: NOW.toISOString(),
		});
		expect(r.sources[0]?.source).toBe(`http://***@127.0.0.1:${u.port}`);
	});

	test("statuses, globs and latest-only narrow what is pulled", async () => {
		const u = await sixEntries();
		const deletedOnly = await pull({
			sources: [u.base],
			filters: pullFilters({ statuses: new Set(["deleted"]) }),
		});
		expect(keys(deletedOnly.records)).toEqual(["io.github.t/d@2.0.0"]);
		const globbed = await pull({
			sources: [u.base],
			filters: pullFilters({ include: ["*/b", "*/e"], exclude: ["*/e"] }),
		});
		expect(keys(globbed.records)).toEqual(["io.github.t/b@1.0.0", "io.github.t/b@1.1.0"]);
		const latest = await pull({ sources: [u.base], filters: pullFilters({ latestOnly: true }) });
		expect(keys(latest.records)).toEqual([
			"io.github.t/a@1.0.0",
			"io.github.t/b@1.1.0",
			"io.github.t/c@0.1.0",
			"io.github.t/e@3.0.0",
		]);
	});

	test("an invalid entry at a source is skipped with a note naming it; the rest arrive", async () => {
		const u = await sixEntries();
		u.add(server("no-slash", "1.0.0"));
		const notes: string[] = [];
		const r = await pull({ sources: [u.base], onNote: (t) => notes.push(t) });
		expect(r.records).toHaveLength(5);
		expect(r.sources[0]?.invalid).toBe(1);
		expect(notes).toHaveLength(1);
		expect(notes[0]).toStartWith(`${u.base}: 1 invalid entry skipped (first: servers[`);
		expect(notes[0]).toContain("no-slash");
	});

	test("a later source wins for the same name and version; each entry names its own source", async () => {
		const first = await upstream({
			entries: [server("io.github.t/x", "1.0.0", { description: "first" }), server("io.github.t/y", "1.0.0")],
		});
		const second = await upstream({
			entries: [
				server("io.github.t/x", "1.0.0", { description: "second" }),
				server("io.github.t/z", "1.0.0"),
			],
		});
		const r = await pull({ sources: [first.base, second.base] });
		expect(r.records.map((rec) => [rec.name, doc(rec).server.description, pullMeta(rec)])).toEqual([
			["io.github.t/x", "second", { source: second.base, pulledAt: NOW.toISOString() }],
			["io.github.t/y", "A test server", { source: first.base, pulledAt: NOW.toISOString() }],
			["io.github.t/z", "A test server", { source: second.base, pulledAt: NOW.toISOString() }],
		]);
		expect(r.added).toBe(3);
		// Pulled again whole from both: the winner says what is held, so nothing changed.
		const again = await pull({
			sources: [first.base, second.base],
			base: reread(r),
			full: true,
			now: () => LATER,
		});
		expect(again.changed).toBe(false);
		expect([again.added, again.updated, again.removed, again.unchanged]).toEqual([0, 0, 0, 3]);
	});

	test("a local file in seed shape is a source too; s3:// is refused", async () => {
		const seed = work.write("seed.json", [
			server("io.github.f/one", "1.0.0"),
			server("io.github.f/two", "0.1.0"),
		]);
		const r = await pull({ sources: [seed] });
		expect(keys(r.records)).toEqual(["io.github.f/one@1.0.0", "io.github.f/two@0.1.0"]);
		expect(pullMeta(r.records[0] as RegistryRecord)).toEqual({ source: seed, pulledAt: NOW.toISOString() });
		const err = await rejection(pull({ sources: ["s3://bucket/registry.json"] }));
		expect(err).toBeInstanceOf(PullError);
		expect((err as Error).message).toBe(
			"s3://bucket/registry.json: a source is a registry's http(s) URL or a registry file",
		);
	});
});

describe("pullRecords: an incremental pull", () => {
	test("asks for what changed since the newest entry held, and merges exactly those changes", async () => {
		const u = await sixEntries();
		const first = await pull({ sources: [u.base] });
		const base = reread(first);
		const newest = u
			.all()
			.filter((e) => e.official.status !== "deleted")
			.map((e) => e.official.updatedAt)
			.sort()
			.at(-1);

		u.update("io.github.t/a", "1.0.0", (s) => ({ ...s, description: "now better" }));
		u.setStatus("io.github.t/b", "1.0.0", "deprecated", "use 1.1.0");
		u.setStatus("io.github.t/e", "3.0.0", "deleted");
		u.add(server("io.github.t/f", "1.0.0"));
		u.add(server("io.github.t/g", "1.0.0"), { status: "deleted" }); // never held: not wanted
		u.requests.length = 0;

		const r = await pull({ sources: [u.base], base, now: () => LATER });
		expect(r.sources).toEqual([{ source: u.base, since: newest, received: 5, invalid: 0 }]);
		expect(u.requests).toEqual([
			`/v0.1/servers?limit=100&updated_since=${encodeURIComponent(newest as string)}`,
		]);
		expect([r.added, r.updated, r.removed, r.unchanged, r.changed]).toEqual([1, 3, 0, 2, true]);
		expect(keys(r.records)).toEqual([
			"io.github.t/a@1.0.0",
			"io.github.t/b@1.0.0",
			"io.github.t/b@1.1.0",
			"io.github.t/c@0.1.0",
			"io.github.t/e@3.0.0",
			"io.github.t/f@1.0.0",
		]);
		const by = new Map(r.records.map((rec) => [`${rec.name}@${rec.version}`, rec]));
		const rec = (k: string) => by.get(k) as RegistryRecord;
		expect(doc(rec("io.github.t/a@1.0.0")).server.description).toBe("now better");
		expect(doc(rec("io.github.t/b@1.0.0"))._meta[OFFICIAL]).toMatchObject({
			status: "deprecated",
			statusMessage: "use 1.1.0",
		});
		// Deleted at the source: kept, as deleted, though deleted is not a status pulled anew.
		expect(rec("io.github.t/e@3.0.0").status).toBe("deleted");
		for (const k of [
			"io.github.t/a@1.0.0",
			"io.github.t/b@1.0.0",
			"io.github.t/e@3.0.0",
			"io.github.t/f@1.0.0",
		]) {
			expect(pullMeta(rec(k))).toEqual({ source: u.base, pulledAt: LATER.toISOString() });
		}
		// The rest is what the file held, the very records, untouched.
		expect(rec("io.github.t/b@1.1.0")).toBe(base[2] as RegistryRecord);
		expect(rec("io.github.t/c@0.1.0")).toBe(base[3] as RegistryRecord);
	});

	test("an entry the source still lists but that no longer validates stays, stale, on a whole read", async () => {
		const u = await sixEntries();
		const base = reread(await pull({ sources: [u.base] }));
		u.update("io.github.t/a", "1.0.0", (doc) => ({ ...doc, remotes: [{ type: "sse", url: "not a url" }] }));
		const notes: string[] = [];
		const r = await pull({ sources: [u.base], base, full: true, onNote: (n) => notes.push(n) });
		expect(keys(r.records)).toContain("io.github.t/a@1.0.0");
		expect(r.removed).toBe(0);
		expect(notes[0]).toContain("1 invalid entry skipped");
		// Gone from the source for real: then it goes.
		u.remove("io.github.t/a", "1.0.0");
		expect(keys((await pull({ sources: [u.base], base, full: true })).records)).not.toContain(
			"io.github.t/a@1.0.0",
		);
	});

	test("which version is the latest stays the source's word when only another version changed", async () => {
		// The source's latest is the last published (1.5.0), not the highest version (2.0.0).
		const u = await upstream({
			entries: [server("io.github.l/x", "2.0.0"), server("io.github.l/x", "1.5.0")],
		});
		const base = reread(await pull({ sources: [u.base] }));
		const latestOf = (rs: readonly RegistryRecord[]) => rs.filter((r) => r.latest).map((r) => r.version);
		expect(latestOf(base)).toEqual(["1.5.0"]);
		u.update("io.github.l/x", "2.0.0", (doc) => ({ ...doc, description: "changed" }));
		const r = await pull({ sources: [u.base], base, now: () => LATER });
		expect(r.sources[0]?.received).toBe(1);
		expect(latestOf(reread(r))).toEqual(["1.5.0"]);
		expect([r.added, r.updated, r.removed]).toEqual([0, 1, 0]);
	});

	test("an entry dated in the far future does not stop later pulls from asking for what changed", async () => {
		const u = await sixEntries();
		u.add(server("io.github.t/future", "1.0.0"), {
			updatedAt: "9999-12-31T23:59:59Z",
			publishedAt: "9999-12-31T23:59:59Z",
		});
		const base = reread(await pull({ sources: [u.base] }));
		// A change at the source after that pull: the next pull must ask for it and get it.
		u.update("io.github.t/a", "1.0.0", (doc) => ({ ...doc, description: "changed after the pull" }));
		const r = await pull({ sources: [u.base], base, now: () => LATER });
		const since = r.sources[0]?.since as string;
		// Dated after it arrived (pulledAt), the far-future entry is no high-water mark.
		expect(since < "2026").toBe(true);
		expect(u.requests.at(-1)).toContain(`updated_since=${encodeURIComponent(since)}`);
		const a = reread(r).find((x) => x.name === "io.github.t/a") as RegistryRecord;
		expect(doc(a).server.description).toBe("changed after the pull");
	});

	test("nothing changed at the source: unchanged, and the records are the file's own", async () => {
		const u = await sixEntries();
		const base = reread(await pull({ sources: [u.base] }));
		const r = await pull({ sources: [u.base], base, now: () => LATER });
		expect(r.changed).toBe(false);
		expect(r.sources[0]?.received).toBe(0);
		expect(r.records).toEqual(base);
		r.records.forEach((rec, i) => {
			expect(rec).toBe(base[i] as RegistryRecord);
		});
	});

	test("a new version published: the file names one latest version of the server", async () => {
		const u = await sixEntries();
		const base = reread(await pull({ sources: [u.base] }));
		u.add(server("io.github.t/a", "1.1.0"));
		const r = await pull({ sources: [u.base], base, now: () => LATER });
		expect(r.added).toBe(1);
		const flagged = reread(r)
			.filter((rec) => rec.name === "io.github.t/a")
			.map((rec) => [rec.version, (doc(rec)._meta[OFFICIAL] as Obj).isLatest]);
		expect(flagged).toEqual([
			["1.0.0", false],
			["1.1.0", true],
		]);
		// In the bytes written too, not only as a load reads them.
		const text = decoder.decode(pulledBytes(r.records, "FILE"));
		const aLines = text.split("\n").filter((l) => l.includes('"name":"io.github.t/a"'));
		expect(aLines.map((l) => l.includes('"isLatest":true'))).toEqual([false, true]);
	});

	test("an entry removed at the source stays on an incremental pull, and goes on a full one", async () => {
		const u = await sixEntries();
		const base = reread(await pull({ sources: [u.base] }));
		u.remove("io.github.t/a", "1.0.0");
		const incremental = await pull({ sources: [u.base], base });
		expect(incremental.changed).toBe(false);
		expect(keys(incremental.records)).toContain("io.github.t/a@1.0.0");
		const full = await pull({ sources: [u.base], base, full: true });
		expect([full.added, full.updated, full.removed, full.unchanged]).toEqual([0, 0, 1, 4]);
		expect(keys(full.records)).not.toContain("io.github.t/a@1.0.0");
		expect(u.requests.at(-1)).toBe("/v0.1/servers?limit=100&include_deleted=true");
	});

	test("a full pull leaves entries of other named sources alone, and drops those of sources no longer named", async () => {
		const u = await sixEntries();
		const other = work.write("other.json", [server("io.github.o/kept", "1.0.0")]);
		const base = reread(await pull({ sources: [other, u.base] }));
		u.remove("io.github.t/e", "3.0.0");
		const both = await pull({ sources: [other, u.base], base, full: true });
		expect(keys(both.records)).toContain("io.github.o/kept@1.0.0");
		expect(both.removed).toBe(1);
		// An incremental pull of one source leaves the other's entries alone.
		expect(keys((await pull({ sources: [u.base], base })).records)).toContain("io.github.o/kept@1.0.0");
		// A full pull says what the file holds: other.json is no longer named, its entry goes.
		const one = await pull({ sources: [u.base], base, full: true });
		expect(keys(one.records)).not.toContain("io.github.o/kept@1.0.0");
		expect(one.removed).toBe(2);
	});

	test("a source that answers with no entries while entries pulled from it are held: refused", async () => {
		const u = await sixEntries();
		const base = reread(await pull({ sources: [u.base] }));
		for (const e of u.all()) u.remove(e.server.name as string, e.server.version as string);
		const err = await rejection(pull({ sources: [u.base], base, full: true }));
		expect(err).toBeInstanceOf(PullError);
		expect((err as Error).message).toBe(
			`${u.base} answered with no entries; keeping the 5 entries pulled from it before (a registry that empties is taken for a broken one)`,
		);
		// The same of a file emptied.
		const f = work.write("emptied.json", [server("io.github.f/one", "1.0.0")]);
		const held = reread(await pull({ sources: [f] }));
		writeFileSync(f, '{"servers":[]}');
		expect(await rejection(pull({ sources: [f], base: held }))).toBeInstanceOf(PullError);
		// With nothing held from it, an empty source is an empty registry.
		const fresh = await pull({ sources: [u.base] });
		expect(fresh.records).toEqual([]);
	});

	test("a source killed mid-crawl: the pull fails whole, and succeeds once it is back", async () => {
		const entries = Array.from({ length: 9 }, (_, i) => server(`io.github.k/s${i}`, "1.0.0"));
		const u = await upstream({ entries, killAfterPages: 2 });
		const source = `${u.base}/v0.1/servers?limit=3`;
		const retries: string[] = [];
		const err = await rejection(
			pull({
				sources: [source],
				crawl: { sleep: async () => {}, attempts: 3, onRetry: (r) => retries.push(r.reason) },
			}),
		);
		expect(u.killed).toBe(true);
		expect((err as Error).message).toStartWith(`${u.base}/v0.1/servers?limit=3&include_deleted=true&cursor=`);
		expect((err as Error).message).toEndWith("(gave up after 3 tries)");
		expect(retries).toHaveLength(2);
		await u.heal();
		const r = await pull({ sources: [source] });
		expect(r.records).toHaveLength(9);
	});
});

describe("pulledBytes", () => {
	test("the API list shape, one entry a line, loadable as it is", async () => {
		const u = await sixEntries();
		const r = await pull({ sources: [u.base] });
		const text = decoder.decode(pulledBytes(r.records, "FILE"));
		const lines = text.split("\n");
		expect(lines[0]).toBe('{"servers":[');
		expect(lines.at(-2)).toBe(`],"metadata":{"count":5}}`);
		expect(JSON.parse(text).servers).toHaveLength(5);
	});

	test("a record the loader would refuse is refused before anything is written", () => {
		const bad: RegistryRecord = {
			name: "no-slash",
			version: "1.0.0",
			status: "active",
			updated: "2025-01-01T00:00:00.000000000Z",
			published: "2025-01-01T00:00:00.000000000Z",
			latest: true,
			json: new TextEncoder().encode(JSON.stringify({ server: server("no-slash", "1.0.0") })),
		};
		expect(() => pulledBytes([bad], "FILE")).toThrow(RegistryLoadError);
	});
});

describe("pullCommand in process", () => {
	const io = () => {
		const out: string[] = [];
		const err: string[] = [];
		return {
			out,
			err,
			io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), env: {} },
		};
	};

	test("on a terminal the progress is one line rewritten in place, ended before the summary", async () => {
		const entries = Array.from({ length: 7 }, (_, i) => server(`io.github.p/s${i}`, "1.0.0"));
		const u = await upstream({ entries });
		const target = join(work.path, "tty.json");
		const c = io();
		expect(await pullCommand([`${u.base}/v0/servers?limit=3`, "-o", target], c.io, true)).toBe(0);
		const err = c.err.join("");
		const progress = [1, 2, 3].map(
			(p) =>
				`\r\u001b[K${u.base}/v0/servers?limit=3: ${p} page${p > 1 ? "s" : ""}, ${Math.min(3 * p, 7)} entries`,
		);
		expect(err).toBe(`${progress.join("")}\n`);
		expect(c.out.join("")).toMatch(/^http:\S+: 7 entries\n\S+tty\.json: 7 entries \(7 servers\): 7 added/);
	});

	test("--quiet: nothing on standard error", async () => {
		const u = await sixEntries();
		const c = io();
		expect(await pullCommand([u.base, "-o", join(work.path, "quiet.json"), "--quiet"], c.io, true)).toBe(0);
		expect(c.err).toEqual([]);
	});
});
