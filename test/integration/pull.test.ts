/**
 * `registry pull SOURCE… -o FILE` as a user runs it: a real process against real sources on
 * 127.0.0.1 — the registry itself serving a fixture (behind a logging proxy, to see what each
 * crawl asked for), and the upstream stand-in (raw name:version cursors, 429 and 503 now and
 * then, /v0.1 missing, killed mid-crawl). A first pull, an incremental pull after entries are
 * added, updated, deprecated and deleted at the source (exactly those changes arrive, every other
 * entry byte for byte as it was, the file valid each time), a source killed mid-crawl (FILE
 * untouched), filters, several sources, and hostile or bad input.
 */
import { afterAll, describe, expect, test } from "bun:test";
import {
	copyFileSync,
	existsSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	statSync,
	utimesSync,
	writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { PULL_META } from "../../src/pipeline/records.ts";
import { parseTimestamp } from "../../src/registry/time.ts";
import {
	expectValid,
	listAll,
	ROOT,
	type RunningRegistry,
	reload,
	runCli,
	startRegistry,
	tempDir,
} from "../support/process.ts";
import { rng } from "../support/random.ts";
import { item, server } from "../support/registry-docs.ts";
import {
	type LoggingProxy,
	loggingProxy,
	type Obj,
	OFFICIAL,
	startUpstream,
	type Upstream,
	type UpstreamOptions,
} from "../support/upstream-registry.ts";

const work = tempDir("registry-pull-");
const upstreams: Upstream[] = [];
const proxies: LoggingProxy[] = [];
const registries: RunningRegistry[] = [];

afterAll(async () => {
	for (const r of registries) await r.stop("SIGKILL");
	for (const p of proxies) await p.stop();
	for (const u of upstreams) await u.stop();
	work.cleanup();
});

/** The registry binary (from source) as a child process, in the work directory. */
const registry = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: work.path, env });

const pull = (...args: string[]) => registry(["pull", ...args]);

async function upstream(options: UpstreamOptions) {
	const u = await startUpstream(options);
	upstreams.push(u);
	return u;
}

let dirs = 0;
/** A fresh directory in the work directory, relative to it (where pulls run). */
function dir(): string {
	const d = `case-${++dirs}`;
	mkdirSync(join(work.path, d));
	return d;
}

const at = (rel: string) => join(work.path, rel);
const bytesOf = (rel: string) => readFileSync(at(rel));
const read = (rel: string) => JSON.parse(readFileSync(at(rel), "utf8")) as { servers: Obj[]; metadata: Obj };
const keyOf = (e: Obj) => `${(e.server as Obj).name}@${(e.server as Obj).version}`;
const official = (e: Obj) => (e._meta as Obj)[OFFICIAL] as Obj;
const ours = (e: Obj) => (e._meta as Obj)[PULL_META] as Obj;

/** A written pull's entries, by key, each as its line (the entry's bytes, its comma dropped). */
function lines(rel: string): Map<string, string> {
	const text = readFileSync(at(rel), "utf8");
	const all = text.split("\n");
	expect(all[0]).toBe('{"servers":[');
	expect(all.at(-1)).toBe("");
	expect(all.at(-2)).toMatch(/^\],"metadata":\{"count":\d+,"registry\.self-hosted\/pull":\{.*\}\}\}$/);
	const out = new Map<string, string>();
	for (const line of all.slice(1, -2)) {
		const entry = line.replace(/,$/, "");
		out.set(keyOf(JSON.parse(entry) as Obj), entry);
	}
	return out;
}

/** Names of `count` servers for a stand-in, some with several versions. */
function docs(count: number, seed: number, prefix = "io.github.up"): Obj[] {
	const random = rng(seed);
	const out: Obj[] = [];
	for (let n = 0; out.length < count; n++) {
		const versions = random() < 0.3 ? 3 : 1;
		for (let v = 0; v < versions && out.length < count; v++) {
			out.push(server(`${prefix}-${n % 7}/server-${n}`, `1.${v}.0`, { description: `Server ${n} v${v}` }));
		}
	}
	return out;
}

/** Files in a directory: a failed pull leaves none of its own beside FILE. */
const listing = (rel: string) => readdirSync(at(rel)).sort();

describe("pulling from the registry itself", () => {
	test("a first pull brings every entry with its official metadata; an incremental pull brings exactly the changes", async () => {
		const d = dir();
		const source = at(`${d}/source.json`);
		copyFileSync(join(ROOT, "data", "registry.json"), source);
		const r = await startRegistry({ env: { MCP_REGISTRY_JSON_FILE_PATH: source } });
		registries.push(r);
		const proxy = loggingProxy(r.base);
		proxies.push(proxy);
		const out = `${d}/pulled.json`;
		// What the fixture holds: what a pull keeps by default (not deleted), and its newest change.
		const fixture = (JSON.parse(readFileSync(source, "utf8")) as { servers: Obj[] }).servers;
		const kept = fixture.filter((e) => official(e).status !== "deleted");
		const keptNames = new Set(kept.map((e) => (e.server as Obj).name)).size;
		const newest = kept
			.map((e) => parseTimestamp(official(e).updatedAt as string) as { iso: string; key: string })
			.sort((a, b) => (a.key < b.key ? -1 : 1))
			.at(-1)?.iso as string;

		const before = new Date().toISOString();
		const first = await pull(proxy.base, "-o", out);
		const after = new Date().toISOString();
		expect(first.code).toBe(0);
		expect(first.stdout).toMatch(
			new RegExp(
				`^${proxy.base}: ${fixture.length} entries\\n${out}: ${kept.length} entries \\(${keptNames} servers\\): ${kept.length} added, 0 updated, 0 removed, 0 unchanged in [\\d.]+ s\\n$`,
			),
		);
		expect(proxy.requests).toEqual(["/v0.1/servers?limit=100&include_deleted=true"]);
		await expectValid(at(out));

		// Every entry the source lists, its server.json and official metadata as served there.
		const listed = await listAll(r.base);
		const file = read(out);
		// What the pull was asked for, so the next one knows whether it may be incremental.
		expect(file.metadata).toEqual({
			count: kept.length,
			[PULL_META]: {
				sources: [proxy.base],
				include: [],
				exclude: [],
				status: ["active", "deprecated"],
				latestOnly: false,
			},
		});
		expect(file.servers.map(keyOf)).toEqual(
			listed.filter((e) => official(e).status !== "deleted").map(keyOf),
		);
		file.servers.forEach((e, i) => {
			const s = listed[i] as Obj;
			expect(e.server).toEqual(s.server as Obj);
			expect(official(e)).toEqual(official(s));
			expect(Object.keys(e._meta as Obj)).toEqual([OFFICIAL, PULL_META]);
			expect(ours(e).source).toBe(proxy.base);
			const pulledAt = ours(e).pulledAt as string;
			expect(pulledAt >= before && pulledAt <= after).toBe(true);
		});

		// At the source: one entry added, one updated, one deprecated, one deleted (after all it held).
		expect(newest < "2025-12-01T10:00:00Z").toBe(true);
		const doc = JSON.parse(readFileSync(source, "utf8")) as { servers: Obj[] };
		const stamp = (e: Obj, fields: Obj) => {
			(e._meta as Obj)[OFFICIAL] = { ...official(e), ...fields };
		};
		const active = doc.servers.filter((e) => official(e).status === "active");
		const [updated, deprecated, deleted] = [0, 0.4, 0.8].map(
			(share) => active[Math.floor(share * active.length)] as Obj,
		) as [Obj, Obj, Obj];
		(updated.server as Obj).description = "Updated at the source";
		stamp(updated, { updatedAt: "2025-12-01T10:00:00.000001Z" });
		stamp(deprecated, {
			status: "deprecated",
			statusMessage: "Use something else",
			statusChangedAt: "2025-12-01T10:00:01.5Z",
			updatedAt: "2025-12-01T10:00:01.5Z",
		});
		stamp(deleted, {
			status: "deleted",
			statusChangedAt: "2025-12-01T10:00:02Z",
			updatedAt: "2025-12-01T10:00:02Z",
		});
		doc.servers.push(
			item(server("io.github.pull-test/added", "1.0.0"), {
				status: "active",
				publishedAt: "2025-12-01T10:00:03.25Z",
				updatedAt: "2025-12-01T10:00:03.25Z",
				isLatest: true,
			}),
		);
		writeFileSync(source, JSON.stringify(doc, null, 2));
		await reload(r, `Loaded ${fixture.length + 1} entries`);

		const oldLines = lines(out);
		proxy.requests.length = 0;
		const second = await pull(proxy.base, "-o", out);
		expect(second.code).toBe(0);
		const since = newest;
		expect(second.stdout).toMatch(
			new RegExp(
				`^${proxy.base}: 4 entries updated since ${since}\\n${out}: ${kept.length + 1} entries \\(${keptNames + 1} servers\\): 1 added, 3 updated, 0 removed, ${kept.length - 3} unchanged in [\\d.]+ s\\n$`,
			),
		);
		expect(proxy.requests).toEqual([`/v0.1/servers?limit=100&updated_since=${encodeURIComponent(since)}`]);
		await expectValid(at(out));

		const newLines = lines(out);
		const added = "io.github.pull-test/added@1.0.0";
		const changed = [keyOf(updated), keyOf(deprecated), keyOf(deleted), added];
		expect([...newLines.keys()].sort()).toEqual([...oldLines.keys(), added].sort());
		for (const [key, line] of oldLines) {
			if (!changed.includes(key)) expect(newLines.get(key)).toBe(line);
			else expect(newLines.get(key)).not.toBe(line);
		}
		// Each change as the source now serves it, stamped by this pull.
		const now = new Map((await listAll(r.base)).map((e) => [keyOf(e), e]));
		for (const key of changed) {
			const e = JSON.parse(newLines.get(key) as string) as Obj;
			const s = now.get(key) as Obj;
			expect(e.server).toEqual(s.server as Obj);
			expect(official(e)).toEqual(official(s));
			expect(ours(e).source).toBe(proxy.base);
		}
		const entry = (key: string) => JSON.parse(newLines.get(key) as string) as Obj;
		expect((entry(keyOf(updated)).server as Obj).description).toBe("Updated at the source");
		expect(official(entry(keyOf(deprecated)))).toMatchObject({
			status: "deprecated",
			statusMessage: "Use something else",
		});
		// Deleted there: kept here as deleted (deleted entries are not pulled anew by default).
		expect(official(entry(keyOf(deleted))).status).toBe("deleted");

		// Nothing new: the file is left as it is, not even rewritten.
		const bytes = bytesOf(out);
		const mtime = statSync(at(out)).mtimeMs;
		const third = await pull(proxy.base, "-o", out);
		expect(third.code).toBe(0);
		expect(third.stdout).toMatch(
			new RegExp(
				`^${proxy.base}: 0 entries updated since 2025-12-01T10:00:03\\.25Z\\n${out}: unchanged: ${kept.length + 1} entries`,
			),
		);
		expect(bytesOf(out).equals(bytes)).toBe(true);
		expect(statSync(at(out)).mtimeMs).toBe(mtime);
	});
});

describe("pulling from an upstream-style registry", () => {
	test.concurrent("a killed source fails the pull with FILE untouched; the next pull completes", async () => {
		const d = dir();
		const u = await upstream({ entries: docs(40, 11) });
		const source = `${u.base}/v0.1/servers?limit=5`;
		const out = `${d}/pulled.json`;
		expect((await pull(source, "-o", out, "--quiet")).code).toBe(0);
		for (const e of u.all().slice(0, 12)) {
			u.update(e.server.name as string, e.server.version as string, (s) => ({
				...s,
				description: "changed",
			}));
		}
		const bytes = bytesOf(out);
		const files = listing(d);
		// Killed while its second page of changes is asked for: connections reset, then refused.
		u.options = { ...u.options, killAfterPages: u.pages + 1 };
		const killed = await pull(source, "-o", out);
		expect(u.killed).toBe(true);
		expect(killed.code).toBe(1);
		const lastLine = killed.stderr.trimEnd().split("\n").at(-1) as string;
		expect(lastLine).toStartWith(`registry pull: ${u.base}/v0.1/servers?limit=5&updated_since=`);
		expect(lastLine).toEndWith(`(gave up after 6 tries); ${out} unchanged`);
		expect(killed.stderr.match(/; retrying in \d+ ms\n/g)).toHaveLength(5);
		expect(killed.stdout).toBe("");
		expect(bytesOf(out).equals(bytes)).toBe(true);
		expect(listing(d)).toEqual(files);

		await u.heal();
		const healed = await pull(source, "-o", out);
		expect(healed.code).toBe(0);
		expect(healed.stdout).toContain(": 0 added, 12 updated, 0 removed, 28 unchanged");
		expect(read(out).servers.filter((e) => (e.server as Obj).description === "changed")).toHaveLength(12);
		await expectValid(at(out));
	}, 60_000);

	test.concurrent("raw name:version cursors, 429 with Retry-After and 503: every entry arrives, retries on stderr", async () => {
		const d = dir();
		const u = await upstream({ entries: docs(45, 7), every429: 3, every503: 5 });
		u.setStatus("io.github.up-1/server-1", "1.0.0", "deprecated");
		const gone = u.all()[9] as { server: Obj };
		u.setStatus(gone.server.name as string, gone.server.version as string, "deleted");
		const out = `${d}/pulled.json`;
		const source = `${u.base}/v0.1/servers?limit=10`;
		const run = await pull(source, "-o", out);
		expect(run.code).toBe(0);
		const wanted = u.all().filter((e) => e.official.status !== "deleted");
		expect(read(out).servers.map(keyOf)).toEqual(wanted.map((e) => keyOf(e as unknown as Obj)));
		// Official metadata as the source serves it; which version is the latest is the loader's
		// choice among the versions pulled (here one name's latest was deleted there, not pulled).
		const withoutLatest = ({ isLatest: _, ...rest }: Obj) => rest;
		expect(read(out).servers.map((e) => withoutLatest(official(e)))).toEqual(
			wanted.map((e) => withoutLatest(official(u.served(e)))),
		);
		const flagged = new Map<string, number>();
		for (const e of read(out).servers) {
			const name = (e.server as Obj).name as string;
			flagged.set(name, (flagged.get(name) ?? 0) + (official(e).isLatest === true ? 1 : 0));
		}
		expect(new Set(flagged.values())).toEqual(new Set([1]));
		expect(run.stderr).toContain(`${source}&include_deleted=true&cursor=`);
		expect(run.stderr).toMatch(/: HTTP 429; retrying in 1000 ms\n/);
		expect(run.stderr).toMatch(/: HTTP 503; retrying in \d+ ms\n/);
		expect(u.requests.filter((q) => q.includes("cursor=io.github.up-"))).not.toHaveLength(0);
		await expectValid(at(out));

		// Changes paged through with raw cursors that carry nothing: updated_since on every page.
		for (const e of wanted.slice(0, 15)) {
			u.update(e.server.name as string, e.server.version as string, (s) => ({ ...s, title: "Retitled" }));
		}
		u.options = { ...u.options, every429: undefined, every503: undefined };
		const sent = u.requests.length;
		const again = await pull(source, "-o", out);
		expect(again.code).toBe(0);
		expect(again.stdout).toContain(": 16 entries updated since ");
		const asked = u.requests.slice(sent);
		expect(asked).toHaveLength(2);
		for (const q of asked) expect(q).toContain("&updated_since=");
		expect(read(out).servers.filter((e) => (e.server as Obj).title === "Retitled")).toHaveLength(15);
	}, 30_000);

	test.concurrent("a registry without /v0.1 is crawled through /v0", async () => {
		const d = dir();
		const u = await upstream({ entries: docs(12, 3), v0Only: true });
		const out = `${d}/pulled.json`;
		const run = await pull(u.base, "-o", out);
		expect(run.code).toBe(0);
		expect(u.requests).toEqual([
			"/v0.1/servers?limit=100&include_deleted=true",
			"/v0/servers?limit=100&include_deleted=true",
		]);
		expect(read(out).servers.map(keyOf)).toEqual(u.all().map((e) => keyOf(e as unknown as Obj)));
		expect(ours(read(out).servers[0] as Obj).source).toBe(u.base);
	});

	test.concurrent("a long crawl shows its progress on standard error, not on standard output", async () => {
		const d = dir();
		const u = await upstream({ entries: docs(42, 5) });
		const source = `${u.base}/v0/servers?limit=2`;
		const run = await pull(source, "-o", `${d}/pulled.json`);
		expect(run.code).toBe(0);
		expect(run.stderr).toBe(`${source}: 1 page, 2 entries\n${source}: 20 pages, 40 entries\n`);
		expect(run.stdout.split("\n")[0]).toBe(`${source}: 42 entries`);
	});
});

describe("filters and sources", () => {
	test.concurrent("another filter or source list than the last pull's crawls whole: a wider --include brings what it now matches", async () => {
		const d = dir();
		const u = await upstream({ entries: [...docs(6, 3, "io.github.a"), ...docs(6, 4, "io.github.b")] });
		const out = `${d}/pulled.json`;
		expect((await pull(u.base, "--include", "io.github.a*", "-o", out)).code).toBe(0);
		const first = read(out).servers.map(keyOf);
		expect(first.every((k) => k.startsWith("io.github.a"))).toBe(true);
		// The same again: incremental (updated_since), nothing changes.
		const again = await pull(u.base, "--include", "io.github.a*", "-o", out);
		expect(again.stdout).toContain("unchanged");
		expect(u.requests.at(-1)).toContain("updated_since=");
		// Wider: every source crawled whole, and the servers it now matches arrive.
		const wider = await pull(u.base, "--include", "io.github.a*", "--include", "io.github.b*", "-o", out);
		expect(wider.code).toBe(0);
		expect(wider.stderr).toContain("the sources or filters differ from the last pull");
		expect(u.requests.at(-1)).not.toContain("updated_since=");
		expect(
			read(out)
				.servers.map(keyOf)
				.filter((k) => k.startsWith("io.github.b")),
		).toHaveLength(6);
	});

	test.concurrent("a registry file's entries: touching the file changes nothing; an invalid entry fails the pull unless --skip-invalid", async () => {
		const d = dir();
		writeFileSync(at(`${d}/internal.json`), JSON.stringify([server("com.acme/tool", "1.0.0")]));
		const out = `${d}/pulled.json`;
		expect((await pull(`${d}/internal.json`, "-o", out)).code).toBe(0);
		const bytes = bytesOf(out);
		// A seed-shape file has no timestamps: the loader takes its modification time.
		utimesSync(at(`${d}/internal.json`), new Date("2030-01-01T00:00:00Z"), new Date("2030-01-01T00:00:00Z"));
		const touched = await pull(`${d}/internal.json`, "-o", out);
		expect(touched.stdout).toContain("unchanged");
		expect(bytesOf(out).equals(bytes)).toBe(true);

		writeFileSync(
			at(`${d}/internal.json`),
			JSON.stringify([
				server("com.acme/tool", "1.0.0"),
				server("com.acme/wiki", "1.0.0", { remotes: [{ type: "sse", url: "not a url" }] }),
			]),
		);
		const invalid = await pull(`${d}/internal.json`, "-o", out);
		expect(invalid.code).toBe(1);
		expect(invalid.stderr).toContain("com.acme/wiki");
		expect(invalid.stderr).toContain(`${out} unchanged`);
		expect(bytesOf(out).equals(bytes)).toBe(true);
		const skipped = await pull(`${d}/internal.json`, "--skip-invalid", "-o", out);
		expect(skipped.code).toBe(0);
		expect(skipped.stderr).toContain("1 invalid entry skipped");
		expect(read(out).servers.map(keyOf)).toEqual(["com.acme/tool@1.0.0"]);
	});

	const SEED = join(ROOT, "test", "fixtures", "real-seed-358-servers.json");
	const seedNames = () =>
		(JSON.parse(readFileSync(SEED, "utf8")) as Obj[]).map(
			(s) => `${s.name as string}@${s.version as string}`,
		);

	test.concurrent("a registry file in seed shape is a source; --include and --exclude repeat", async () => {
		const d = dir();
		const whole = await pull(SEED, "-o", `${d}/all.json`);
		expect(whole.code).toBe(0);
		expect(read(`${d}/all.json`).servers.map(keyOf).sort()).toEqual(seedNames().sort());
		expect(ours(read(`${d}/all.json`).servers[0] as Obj).source).toBe(SEED);

		const run = await pull(
			SEED,
			"-o",
			`${d}/some.json`,
			"--include",
			"io.github.*",
			"--include",
			"COM.*",
			"--exclude",
			"*mcp*",
			"--exclude",
			"*-server",
		);
		expect(run.code).toBe(0);
		const expected = seedNames().filter((k) => {
			const name = k.slice(0, k.lastIndexOf("@")).toLowerCase();
			return (
				(name.startsWith("io.github.") || name.startsWith("com.")) &&
				!name.includes("mcp") &&
				!name.endsWith("-server")
			);
		});
		expect(expected.length).toBeGreaterThan(10);
		expect(expected.length).toBeLessThan(seedNames().length / 2);
		expect(read(`${d}/some.json`).servers.map(keyOf).sort()).toEqual(expected.sort());
		await expectValid(at(`${d}/some.json`));
	});

	test.concurrent("--status picks the statuses pulled; --latest-only one version a server", async () => {
		const d = dir();
		const u = await upstream({ entries: docs(30, 21) });
		const all = u.all();
		u.setStatus(all[1]?.server.name as string, all[1]?.server.version as string, "deprecated");
		u.setStatus(all[2]?.server.name as string, all[2]?.server.version as string, "deleted");
		u.setStatus(all[7]?.server.name as string, all[7]?.server.version as string, "deleted");
		const statuses = (rel: string) => new Set(read(rel).servers.map((e) => official(e).status));
		const count = (...wanted: string[]) => u.all().filter((e) => wanted.includes(e.official.status)).length;

		expect((await pull(u.base, "-o", `${d}/default.json`)).code).toBe(0);
		expect(statuses(`${d}/default.json`)).toEqual(new Set(["active", "deprecated"]));
		expect(read(`${d}/default.json`).servers).toHaveLength(count("active", "deprecated"));

		expect((await pull(u.base, "-o", `${d}/da.json`, "--status", "deleted,active")).code).toBe(0);
		expect(statuses(`${d}/da.json`)).toEqual(new Set(["active", "deleted"]));
		expect(read(`${d}/da.json`).servers).toHaveLength(count("active", "deleted"));

		const two = await pull(u.base, "-o", `${d}/dd.json`, "--status", "deprecated", "--status", "deleted");
		expect(two.code).toBe(0);
		expect(read(`${d}/dd.json`).servers).toHaveLength(3);

		// Every status: the versions the source flags latest, one a server.
		const everyStatus = ["--status", "active,deprecated,deleted"];
		expect((await pull(u.base, "-o", `${d}/latest.json`, "--latest-only", ...everyStatus)).code).toBe(0);
		const latest = read(`${d}/latest.json`).servers;
		expect(latest.map(keyOf).sort()).toEqual(
			u
				.all()
				.filter((e) => official(u.served(e)).isLatest === true)
				.map((e) => keyOf(e as unknown as Obj))
				.sort(),
		);
		expect(latest).toHaveLength(new Set(u.all().map((e) => e.server.name)).size);
		expect(latest.every((e) => official(e).isLatest === true)).toBe(true);
		// The default statuses: one version of each server that has one not deleted.
		expect((await pull(u.base, "-o", `${d}/latest-live.json`, "--latest-only")).code).toBe(0);
		const live = read(`${d}/latest-live.json`).servers;
		const liveNames = new Set(
			u
				.all()
				.filter((e) => e.official.status !== "deleted")
				.map((e) => e.server.name),
		);
		expect(live.map((e) => (e.server as Obj).name)).toEqual([...liveNames].sort());
		expect(live.every((e) => official(e).status !== "deleted" && official(e).isLatest === true)).toBe(true);

		const bad = await pull(u.base, "-o", `${d}/bad.json`, "--status", "active,gone");
		expect(bad.code).toBe(2);
		expect(bad.stderr).toStartWith(
			'registry pull: --status takes active, deprecated, deleted (got "gone")\n',
		);
		expect(existsSync(at(`${d}/bad.json`))).toBe(false);
	});

	test.concurrent("several sources: a later one wins for the same name and version", async () => {
		const d = dir();
		const u = await upstream({
			entries: [
				server("io.github.two/shared", "1.0.0", { description: "from the registry" }),
				server("io.github.two/only-there", "1.0.0"),
			],
		});
		writeFileSync(
			at(`${d}/local.json`),
			JSON.stringify([
				server("io.github.two/shared", "1.0.0", { description: "from the file" }),
				server("io.github.two/only-here", "2.0.0"),
			]),
		);
		const out = `${d}/pulled.json`;
		const run = await pull(u.base, `${d}/local.json`, "-o", out);
		expect(run.code).toBe(0);
		expect(run.stdout.split("\n").slice(0, 2)).toEqual([
			`${u.base}: 2 entries`,
			`${d}/local.json: 2 entries`,
		]);
		const got = read(out).servers.map((e) => [keyOf(e), (e.server as Obj).description, ours(e).source]);
		expect(got).toEqual([
			["io.github.two/only-here@2.0.0", "A test server", `${d}/local.json`],
			["io.github.two/only-there@1.0.0", "A test server", u.base],
			["io.github.two/shared@1.0.0", "from the file", `${d}/local.json`],
		]);
		// The other order: the registry wins.
		const swapped = await pull(`${d}/local.json`, u.base, "-o", `${d}/swapped.json`);
		expect(swapped.code).toBe(0);
		const shared = read(`${d}/swapped.json`).servers.find((e) => keyOf(e) === "io.github.two/shared@1.0.0");
		expect((shared as Obj).server).toMatchObject({ description: "from the registry" });
	});

	test.concurrent("a registry that answers with no entries, where FILE holds entries pulled from it: exit 1, FILE unchanged; an emptied file or filter is another matter", async () => {
		const d = dir();
		writeFileSync(at(`${d}/local.json`), JSON.stringify([server("io.github.e/one", "1.0.0")]));
		const u = await upstream({ entries: docs(5, 9) });
		const out = `${d}/pulled.json`;
		expect((await pull(u.base, `${d}/local.json`, "-o", out)).code).toBe(0);
		const bytes = bytesOf(out);
		const files = listing(d);

		for (const e of u.all()) u.remove(e.server.name as string, e.server.version as string);
		const emptyRegistry = await pull(u.base, `${d}/local.json`, "-o", out, "--full");
		expect(emptyRegistry.code).toBe(1);
		expect(emptyRegistry.stderr).toContain(
			`registry pull: ${u.base} answered with no entries; keeping the 5 entries pulled from it before (a registry that empties is taken for a broken one); ${out} unchanged\n`,
		);
		expect(bytesOf(out).equals(bytes)).toBe(true);
		expect(listing(d)).toEqual(files);

		// A file emptied on purpose is no broken registry: its entries go.
		writeFileSync(at(`${d}/local.json`), '{"servers":[]}');
		for (const e of docs(5, 9)) u.add(e);
		const emptyFile = await pull(u.base, `${d}/local.json`, "-o", out);
		expect(emptyFile.code).toBe(0);
		expect(read(out).servers.map(keyOf)).not.toContain("io.github.e/one@1.0.0");

		// A pull that would leave nothing (a mistyped filter): refused unless asked for.
		const mistyped = await pull(u.base, `${d}/local.json`, "-o", out, "--include", "io.github.nobody/*");
		expect(mistyped.code).toBe(1);
		expect(mistyped.stderr).toContain('warning: --include "io.github.nobody/*" matches no server');
		expect(mistyped.stderr).toContain(
			"the pull would remove all 5 entries: refused, as a filter that matches nothing is most likely mistyped",
		);
	});
});

describe("bad input", () => {
	test.concurrent("usage errors exit 2 with the usage, and write nothing", async () => {
		const d = dir();
		const unknown = await pull("http://127.0.0.1:9/", "-o", `${d}/x.json`, "--bogus");
		expect(unknown.code).toBe(2);
		expect(unknown.stderr).toStartWith("registry pull: Unknown option '--bogus'");
		expect(unknown.stderr).toContain("Usage: registry pull SOURCE... -o FILE");
		const noOutput = await pull("http://127.0.0.1:9/");
		expect(noOutput.code).toBe(2);
		expect(noOutput.stderr).toStartWith("registry pull: -o FILE is required\n");
		const noSource = await pull("-o", `${d}/x.json`);
		expect(noSource.code).toBe(2);
		expect(noSource.stderr).toStartWith("registry pull: name at least one SOURCE\n");
		const help = await pull("--help");
		expect(help.code).toBe(0);
		expect(help.stdout).toStartWith("Usage: registry pull SOURCE... -o FILE");
		expect(listing(d)).toEqual([]);
	});

	test.concurrent("an s3:// source is refused: exit 1, FILE not written", async () => {
		const d = dir();
		const run = await pull("s3://bucket/registry.json", "-o", `${d}/x.json`);
		expect(run.code).toBe(1);
		expect(run.stderr).toBe(
			`registry pull: s3://bucket/registry.json: a source is a registry's http(s) URL or a registry file; ${d}/x.json not written\n`,
		);
		expect(listing(d)).toEqual([]);
	});

	test.concurrent("a password in a source URL is never printed nor written", async () => {
		const d = dir();
		const u = await upstream({ entries: docs(3, 1) });
		const secret = `http://reader:hunter2@127.0.0.1:${u.port}`;
		const shown = `http://***@127.0.0.1:${u.port}`;
		const ok = await pull(secret, "-o", `${d}/ok.json`);
		expect(ok.code).toBe(0);
		expect(ok.stdout.split("\n")[0]).toBe(`${shown}: 3 entries`);
		expect(ours(read(`${d}/ok.json`).servers[0] as Obj).source).toBe(shown);

		const missing = await upstream({ hook: () => new Response("no", { status: 404 }) });
		const failed = await pull(`http://reader:hunter2@127.0.0.1:${missing.port}/`, "-o", `${d}/failed.json`);
		expect(failed.code).toBe(1);
		expect(failed.stderr).toBe(
			`registry pull: http://***@127.0.0.1:${missing.port}/v0/servers?limit=100&include_deleted=true: HTTP 404; ${d}/failed.json not written\n`,
		);
		// Not even a URL: the password holds a /, so it parses as no URL at all.
		const broken = await pull("http://reader:hunt/er2@127.0.0.1:1/", "-o", `${d}/broken.json`);
		expect(broken.code).toBe(2);
		expect(broken.stderr).toStartWith("registry pull: http://***@127.0.0.1:1/ is not a valid URL\n");
		for (const run of [ok, failed, broken]) {
			expect(run.stdout + run.stderr).not.toContain("hunter2");
			expect(run.stdout + run.stderr).not.toContain("hunt/er2");
		}
		expect(readFileSync(at(`${d}/ok.json`), "utf8")).not.toContain("hunter2");
	});

	test.concurrent("a name or cursor with a newline from the source never forges a line of output", async () => {
		const d = dir();
		const forged = "io.github.forged/line: 1 entries";
		const u = await upstream({
			entries: [server("io.github.ok/one", "1.0.0"), server(`io.github.evil/x\n${forged}`, "1.0.0")],
		});
		const run = await pull(u.base, "-o", `${d}/pulled.json`);
		expect(run.code).toBe(0);
		expect(run.stdout.split("\n")).toEqual([
			`${u.base}: 1 entry, 1 invalid skipped`,
			expect.stringMatching(/^case-\d+\/pulled\.json: 1 entry \(1 server\): 1 added, /),
			"",
		]);
		expect(run.stderr).toStartWith(
			`${u.base}: 1 page, 2 entries\nwarning: ${u.base}: 1 invalid entry skipped (first: servers[0] (io.github.evil/x\\n${forged} 1.0.0): `,
		);
		for (const line of (run.stdout + run.stderr).split("\n")) expect(line).not.toStartWith(forged);
		expect(read(`${d}/pulled.json`).servers.map(keyOf)).toEqual(["io.github.ok/one@1.0.0"]);

		const looping = await upstream({
			hook: () =>
				Response.json({
					servers: [{ server: server("io.github.ok/one", "1.0.0") }],
					metadata: { nextCursor: `x\n${forged}` },
				}),
		});
		const loop = await pull(looping.base, "-o", `${d}/loop.json`);
		expect(loop.code).toBe(1);
		// The first page's progress line, then the error: nothing the cursor says makes a line of its own.
		expect(loop.stderr.split("\n")).toHaveLength(3);
		expect(loop.stderr).toEndWith(`returned cursor "x\\n${forged}" twice; ${d}/loop.json not written\n`);
		expect(existsSync(at(`${d}/loop.json`))).toBe(false);
	});
});

describe("for scripts and the mirror", () => {
	test.concurrent("env:NAME takes the source URL from a variable: its password is never on the command line", async () => {
		const d = dir();
		const u = await upstream({ entries: docs(3, 21) });
		const url = `http://reader:hunter2@127.0.0.1:${u.port}`;
		const run = await registry(["pull", "env:SOURCE_URL", "-o", `${d}/out.json`, "--json"], {
			SOURCE_URL: url,
		});
		expect(run.code).toBe(0);
		const summary = JSON.parse(run.stdout) as Obj;
		expect(summary).toMatchObject({ entries: 3, added: 3, written: true });
		expect(run.stdout + run.stderr + readFileSync(at(`${d}/out.json`), "utf8")).not.toContain("hunter2");
		const unset = await pull("env:NOT_SET_ANYWHERE", "-o", `${d}/x.json`);
		expect(unset.code).toBe(2);
		expect(unset.stderr).toContain("env:NOT_SET_ANYWHERE: NOT_SET_ANYWHERE is not set");
	});

	test.concurrent("two sources recorded alike (a hidden query value apart) are refused", async () => {
		const d = dir();
		const run = await pull("http://127.0.0.1:9/?t=a", "http://127.0.0.1:9/?t=b", "-o", `${d}/x.json`);
		expect(run.code).toBe(2);
		expect(run.stderr).toContain("two sources are both recorded as http://127.0.0.1:9/?t=***");
	});

	test.concurrent("--mend: an unreadable FILE is pulled anew and an invalid entry dropped, each with a warning", async () => {
		const d = dir();
		const u = await upstream({ entries: docs(4, 22) });
		writeFileSync(at(`${d}/broken.json`), '{"servers":[{"server":');
		const plain = await pull(u.base, "-o", `${d}/broken.json`);
		expect(plain.code).toBe(1);
		const mended = await pull(u.base, "-o", `${d}/broken.json`, "--mend");
		expect(mended.code).toBe(0);
		expect(mended.stderr).toContain("cannot be read");
		expect(read(`${d}/broken.json`).servers).toHaveLength(4);
		await expectValid(at(`${d}/broken.json`));
	});

	test.concurrent("--tries: how often a page is asked for before the pull fails", async () => {
		const d = dir();
		const u = await upstream({ hook: () => new Response("busy", { status: 503 }) });
		const run = await pull(u.base, "-o", `${d}/x.json`, "--tries=2");
		expect(run.code).toBe(1);
		expect(run.stderr).toContain("HTTP 503 (gave up after 2 tries)");
		expect(u.requests).toHaveLength(2);
		expect((await pull(u.base, "-o", `${d}/x.json`, "--tries=0")).code).toBe(2);
	});

	test.concurrent("--timeout: a source that trickles is given up on, FILE unchanged", async () => {
		const d = dir();
		const u = await upstream({
			hook: () =>
				new Response(new ReadableStream({ start() {} }), { headers: { "content-type": "application/json" } }),
		});
		const started = performance.now();
		const run = await pull(u.base, "-o", `${d}/x.json`, "--timeout=0.5");
		expect(run.code).toBe(1);
		expect(run.stderr).toContain("the pull did not finish within 0.5 s (--timeout)");
		expect(performance.now() - started).toBeLessThan(10_000);
		expect(existsSync(at(`${d}/x.json`))).toBe(false);
	});
});
