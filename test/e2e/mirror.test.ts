/**
 * The live mirror (MCP_REGISTRY_MIRROR_FROM), end to end with real processes: a source registry
 * (this registry serving a file it reloads on SIGHUP), mirrors of it, and mirrors of mirrors.
 * Each change at the source (add, update, deprecate, delete, remove) arrives, nothing else
 * changes, the mirror's file always validates, and a source that is down, broken mid-crawl or
 * suddenly empty never costs the mirror its data.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PULL_META } from "../../src/pipeline/records.ts";
import { until } from "../support/poll.ts";
import {
	expectValid,
	listAll,
	type RunningRegistry,
	reload,
	startRegistry,
	startUpOutcome,
	tempDir,
} from "../support/process.ts";
import { item, type Obj, OFFICIAL, server } from "../support/registry-docs.ts";
import { type LoggingProxy, loggingProxy } from "../support/upstream-registry.ts";

const dir = tempDir("registry-mirror-");
const running: RunningRegistry[] = [];
const stands: LoggingProxy[] = [];
afterAll(async () => {
	for (const s of stands) await s.stop();
	await Promise.all(running.map((r) => r.stop("SIGKILL")));
	dir.cleanup();
});

const T0 = "2026-01-01T00:00:00Z";
const at = (minute: number) => `2026-01-01T00:${String(minute).padStart(2, "0")}:00Z`;

function official(updated: string, status = "active", extra: Obj = {}): Obj {
	return { status, publishedAt: T0, updatedAt: updated, statusChangedAt: updated, ...extra };
}

/** A source registry file of `n` servers, one version each, all published at T0. */
function sourceEntries(n: number): Obj[] {
	return Array.from({ length: n }, (_, i) =>
		item(server(`io.github.src/s${String(i).padStart(3, "0")}`, "1.0.0"), official(T0)),
	);
}

let files = 0;
function writeRegistry(path: string, servers: Obj[]): void {
	writeFileSync(path, JSON.stringify({ servers }));
}

async function startSource(servers: Obj[]): Promise<RunningRegistry & { file: string }> {
	const file = join(dir.path, `source-${++files}.json`);
	writeRegistry(file, servers);
	const r = await startRegistry({ env: { MCP_REGISTRY_JSON_FILE_PATH: file } });
	running.push(r);
	return Object.assign(r, { file });
}

/** Rewrites the source's file and has it reload; resolves once it serves the new data. */
async function change(source: RunningRegistry & { file: string }, servers: Obj[]): Promise<void> {
	writeRegistry(source.file, servers);
	await reload(source, /Loaded \d+ entries/);
}

async function startMirror(
	from: string,
	env: Record<string, string> = {},
): Promise<RunningRegistry & { file: string }> {
	const file = join(dir.path, `mirror-${++files}`, "registry.json");
	const r = await startRegistry({
		env: {
			MCP_REGISTRY_JSON_FILE_PATH: file,
			MCP_REGISTRY_MIRROR_FROM: from,
			MCP_REGISTRY_MIRROR_INTERVAL_SECONDS: "0.2",
			MCP_REGISTRY_HEALTH_DETAIL: "true",
			MCP_REGISTRY_LOG_LEVEL: "debug",
			...env,
		},
	});
	running.push(r);
	return Object.assign(r, { file });
}

interface Served {
	server: Obj;
	_meta: Obj;
}

/** Every entry a registry serves, deleted ones too, by "name@version". */
async function served(base: string): Promise<Map<string, Served>> {
	return new Map((await listAll<Served>(base)).map((e) => [`${e.server.name}@${e.server.version}`, e]));
}

/** What an entry says, without our pull metadata: what a mirror must carry unchanged. */
function content(e: Served | undefined): string {
	if (!e) return "missing";
	const meta = { ...e._meta };
	delete meta[PULL_META];
	return JSON.stringify({ server: e.server, _meta: meta });
}

/** A stand-in in front of `target`: a logging proxy, for a test to answer requests in its place. */
function standIn(target: string): LoggingProxy {
	const stand = loggingProxy(target);
	stands.push(stand);
	return stand;
}

const statusOf = (e: Served | undefined) => (e?._meta[OFFICIAL] as Obj | undefined)?.status;

async function health(base: string): Promise<Obj> {
	return (await (await fetch(`${base}/v0/health`)).json()) as Obj;
}

const mirrorState = async (base: string) => ((await health(base)).sync as Obj).mirror as Obj;

describe("MCP_REGISTRY_MIRROR_FROM", () => {
	test("mirrors the source, then each change there arrives and nothing else changes", async () => {
		const entries = sourceEntries(120);
		const source = await startSource(entries);
		const mirror = await startMirror(source.base);
		await until(
			"the mirror serves the source's 120 entries",
			async () => (await served(mirror.base)).size === 120,
		);
		const first = await served(mirror.base);
		const origin = await served(source.base);
		for (const [key, e] of origin) expect(content(first.get(key))).toBe(content(e));
		// Our own metadata beside the official one: where the entry came from, and when.
		const ours = first.get("io.github.src/s000@1.0.0")?._meta[PULL_META] as Obj;
		expect(ours.source).toBe(source.base);
		expect(typeof ours.pulledAt).toBe("string");
		await expectValid(mirror.file);

		// Add a version, update a description, deprecate one, delete one.
		const next = [...entries];
		next.push(item(server("io.github.src/s000", "2.0.0"), official(at(1))));
		next[1] = item(server("io.github.src/s001", "1.0.0", { description: "Now better" }), official(at(2)));
		next[2] = item(
			server("io.github.src/s002", "1.0.0"),
			official(at(3), "deprecated", { statusMessage: "use s003" }),
		);
		next[3] = item(server("io.github.src/s003", "1.0.0"), official(at(4), "deleted"));
		await change(source, next);
		await until("every change arrives", async () => {
			const m = await served(mirror.base);
			return (
				m.get("io.github.src/s000@2.0.0") !== undefined &&
				m.get("io.github.src/s001@1.0.0")?.server.description === "Now better" &&
				statusOf(m.get("io.github.src/s002@1.0.0")) === "deprecated" &&
				statusOf(m.get("io.github.src/s003@1.0.0")) === "deleted"
			);
		});
		const after = await served(mirror.base);
		const sourceNow = await served(source.base);
		expect(after.size).toBe(121);
		for (const [key, e] of sourceNow) expect(content(after.get(key))).toBe(content(e));
		// Nothing else was rewritten: the untouched entries keep the bytes (and pulledAt) they had.
		for (const key of ["io.github.src/s004@1.0.0", "io.github.src/s119@1.0.0"]) {
			expect(JSON.stringify(after.get(key))).toBe(JSON.stringify(first.get(key)));
		}
		// The deleted entry is kept as deleted (hidden from the default list), as the source has it.
		const list = (await (await fetch(`${mirror.base}/v0.1/servers?search=s003`)).json()) as {
			servers: unknown[];
		};
		expect(list.servers).toHaveLength(0);
		await expectValid(mirror.file);
		// The rounds after the change are incremental: they ask for what changed since the newest entry.
		await mirror.waitForLog(`no changes at ${source.base} since ${at(4)}`);
	}, 60_000);

	test("a source that is down is backed off and shown in /health and the metrics; the data stays", async () => {
		let down = false;
		const source = await startSource(sourceEntries(30));
		const stand = standIn(source.base);
		stand.onRequest = () => (down ? new Response("down", { status: 503 }) : undefined);
		const mirror = await startMirror(stand.base);
		await until("the mirror serves 30 entries", async () => (await served(mirror.base)).size === 30);
		down = true;
		const state = await until(
			"two failed rounds in a row",
			async () => {
				const s = await mirrorState(mirror.base);
				return (s.consecutive_failures as number) >= 2 && s;
			},
			{ timeoutMs: 30_000 },
		);
		expect(String(state.last_error)).toContain("HTTP 503");
		const metrics = await (await fetch(`${mirror.base}/metrics`)).text();
		expect(metrics).toMatch(/registry_mirror_consecutive_failures [1-9]/);
		expect(metrics).toMatch(/registry_mirror_rounds_total\{result="failed"\} [1-9]/);
		// Backing off: the next attempt is further away than one interval.
		const next = Date.parse(String(state.next_attempt_at)) - Date.parse(String(state.last_attempt_at));
		expect(next).toBeGreaterThan(400);
		expect((await served(mirror.base)).size).toBe(30);
		await expectValid(mirror.file);
		down = false;
		await until(
			"the mirror recovers",
			async () => (await mirrorState(mirror.base)).consecutive_failures === 0,
			{
				timeoutMs: 30_000,
			},
		);
		expect(mirror.logs()).toMatch(/Mirror: http:\/\/127\.0\.0\.1:\d+ answers again after \d+ failed rounds/);
	}, 60_000);

	test("a source broken off mid-crawl leaves the file whole; the next round completes", async () => {
		let breakAfter = Number.POSITIVE_INFINITY;
		let pages = 0;
		const entries = sourceEntries(250);
		const source = await startSource(entries);
		const stand = standIn(source.base);
		stand.onRequest = (_n, u) => {
			if (u.pathname.endsWith("/servers") && ++pages > breakAfter) {
				// The body stops short of its length and the connection closes: a source killed mid-crawl.
				return new Response('{"servers":[{"server":', {
					headers: { "content-type": "application/json", "content-length": "100000" },
				});
			}
			return undefined;
		};
		const mirror = await startMirror(stand.base, {
			MCP_REGISTRY_MIRROR_INTERVAL_SECONDS: "0.5",
		});
		await until("the mirror serves 250 entries", async () => (await served(mirror.base)).size === 250);
		const before = readFileSync(mirror.file);
		// 150 changed entries: two pages of them, and the second page breaks off.
		const next = entries.map((e, i) =>
			i < 150
				? item(
						server(`io.github.src/s${String(i).padStart(3, "0")}`, "1.0.0", { description: "v2" }),
						official(at(5)),
					)
				: e,
		);
		pages = 0;
		breakAfter = 1;
		await change(source, next);
		await until(
			"a failed round",
			async () => ((await mirrorState(mirror.base)).consecutive_failures as number) >= 1,
			{ timeoutMs: 30_000 },
		);
		expect(readFileSync(mirror.file).equals(before)).toBe(true);
		expect(readdirSync(join(mirror.file, "..")).filter((f) => f !== "registry.json")).toEqual([]);
		expect(
			[...(await served(mirror.base)).values()].filter((e) => e.server.description === "v2"),
		).toHaveLength(0);
		breakAfter = Number.POSITIVE_INFINITY;
		await until(
			"all 150 changes arrive",
			async () =>
				[...(await served(mirror.base)).values()].filter((e) => e.server.description === "v2").length === 150,
			{ timeoutMs: 30_000 },
		);
		await expectValid(mirror.file);
	}, 60_000);

	test("a source that suddenly answers with nothing never empties the mirror", async () => {
		const source = await startSource(sourceEntries(20));
		const mirror = await startMirror(source.base);
		await until("the mirror serves 20 entries", async () => (await served(mirror.base)).size === 20);
		await change(source, []);
		// Refused on the full round, and on every round after (each crawls whole again until one
		// succeeds): the failures add up where /health and the metrics show them.
		const state = await until(
			"rounds in a row refusing the empty answer",
			async () => {
				const s = await mirrorState(mirror.base);
				return (s.consecutive_failures as number) >= 3 && s;
			},
			{ timeoutMs: 30_000 },
		);
		expect(String(state.last_error)).toContain("answered with no entries");
		expect((await served(mirror.base)).size).toBe(20);
		await expectValid(mirror.file);
	}, 60_000);

	test("a chain of mirrors converges: changes and removals at the centre reach the edge", async () => {
		const entries = sourceEntries(60);
		const centre = await startSource(entries);
		const middle = await startMirror(centre.base);
		const edge = await startMirror(middle.base);
		await until("the edge serves 60 entries", async () => (await served(edge.base)).size === 60);
		const converged = async () => {
			const [c, e] = await Promise.all([served(centre.base), served(edge.base)]);
			return c.size === e.size && [...c].every(([key, entry]) => content(e.get(key)) === content(entry));
		};
		// A change and a new server: incremental rounds carry them.
		const changed = [...entries];
		changed[0] = item(
			server("io.github.src/s000", "1.0.0", { description: "changed at the centre" }),
			official(at(9)),
		);
		changed.push(item(server("io.github.new/one", "0.1.0"), official(at(9))));
		let started = performance.now();
		await change(centre, changed);
		await until("the edge serves the change", converged, { timeoutMs: 45_000 });
		const changeMs = Math.round(performance.now() - started);
		// Ten servers removed outright (not marked deleted): only a whole crawl sees that.
		started = performance.now();
		await change(centre, changed.slice(0, 50).concat(changed.slice(60)));
		await until("the edge serves what the centre serves", converged, { timeoutMs: 45_000 });
		console.log(
			`mirror chain (2 hops, 0.2 s interval): a change reached the edge in ${changeMs} ms, a removal (needing the whole crawl of every 12th round) in ${Math.round(performance.now() - started)} ms`,
		);
		expect((await served(edge.base)).size).toBe(51);
		await expectValid(edge.file);
	}, 90_000);

	test("the filters: include and exclude globs, statuses, latest only", async () => {
		const source = await startSource([
			item(server("com.acme/tool", "1.0.0"), official(T0)),
			item(server("com.acme/tool", "1.1.0"), official(at(1))),
			item(server("com.acme/internal-x", "1.0.0"), official(T0)),
			item(server("com.acme/old", "1.0.0"), official(T0, "deprecated")),
			item(server("com.acme/gone", "1.0.0"), official(T0, "deleted")),
			item(server("io.github.other/thing", "1.0.0"), official(T0)),
		]);
		const mirror = await startMirror(source.base, {
			MCP_REGISTRY_MIRROR_INCLUDE: "com.acme/*",
			// A glob that starts with "-" stays a glob (not an option of the round's pull).
			MCP_REGISTRY_MIRROR_EXCLUDE: "*internal*,-legacy*",
			MCP_REGISTRY_MIRROR_STATUS: "active",
			MCP_REGISTRY_MIRROR_LATEST_ONLY: "true",
		});
		await until("the mirror has pulled", async () => (await served(mirror.base)).size > 0);
		expect([...(await served(mirror.base)).keys()].sort()).toEqual(["com.acme/tool@1.1.0"]);
	}, 30_000);
});

describe("a mirror's own file", () => {
	test("broken, or with an invalid entry: the mirror heals it rather than stopping on it", async () => {
		const source = await startSource(sourceEntries(12));
		const file = join(dir.path, `mirror-${++files}`, "registry.json");
		mkdirSync(join(file, ".."), { recursive: true });
		writeFileSync(file, '{"servers":[{"server":{"name":"io.x/bad","version":"1"}}');
		const r = await startRegistry({
			env: {
				MCP_REGISTRY_JSON_FILE_PATH: file,
				MCP_REGISTRY_MIRROR_FROM: source.base,
				MCP_REGISTRY_MIRROR_INTERVAL_SECONDS: "0.3",
				MCP_REGISTRY_INVALID_ENTRIES: "skip",
			},
		});
		running.push(r);
		await until("the mirror serves the source's 12 entries", async () => (await served(r.base)).size === 12);
		expect(r.logs()).toContain("cannot be read");
		await expectValid(file);
	}, 30_000);
});

describe("MCP_REGISTRY_MIRROR_FROM start-up", () => {
	test("with MCP_REGISTRY_SQS_ENABLED: a configuration error naming both, and no start", async () => {
		const r = await startRegistry({
			expectListening: false,
			env: {
				MCP_REGISTRY_MIRROR_FROM: "http://127.0.0.1:9/",
				MCP_REGISTRY_SQS_ENABLED: "true",
				MCP_REGISTRY_SQS_QUEUE_URL: "http://127.0.0.1:9/000000000000/q",
				MCP_REGISTRY_JSON_FILE_PATH: join(dir.path, "never.json"),
			},
		});
		running.push(r);
		expect(await startUpOutcome(r)).toBe("exit 2");
		expect(r.logs()).toContain(
			"MCP_REGISTRY_MIRROR_FROM and MCP_REGISTRY_SQS_ENABLED=true exclude each other",
		);
		expect(existsSync(join(dir.path, "never.json"))).toBe(false);
	});

	test("a malformed MCP_REGISTRY_MIRROR_STATUS or _FROM is named", async () => {
		const r = await startRegistry({
			expectListening: false,
			env: { MCP_REGISTRY_MIRROR_FROM: "ftp://x", MCP_REGISTRY_MIRROR_STATUS: "active,gone" },
		});
		running.push(r);
		expect(await startUpOutcome(r)).toBe("exit 2");
		expect(r.logs()).toContain("MCP_REGISTRY_MIRROR_FROM must be");
		expect(r.logs()).toContain("MCP_REGISTRY_MIRROR_STATUS must be");
	});
});
