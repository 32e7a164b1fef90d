/**
 * `make bench`: how fast the compiled registry answers at 50,000 entries, measured with Debian's
 * `wrk` (one thread, 32 connections, in C: on 2 cores the server, not the client, is the
 * bottleneck), against a static baseline (bench/static.ts: a Bun process answering the identical
 * status, headers and bytes from a prebuilt Blob), in alternated rounds, best of each; the CPU time
 * of the server, the client and the rest of the machine for every run; a cache flood; reloads
 * under load; start-up, memory and search speed from 1,000 to 200,000 entries; the memory of a
 * load. Writes the results into BENCHMARKS.md between the bench markers.
 *
 *   bun bench/run.ts            full run (about 10 minutes), results into BENCHMARKS.md
 *   QUICK=1 bun bench/run.ts    sanity check (under a minute, small sizes), results printed only
 *   BENCH_ONLY=flood bun bench/run.ts   (or --only=flood) the cache-flood case alone, printed only
 *
 * Needs `wrk` (installed with apt-get when missing) and Linux (/proc).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { buildBinary } from "../test/support/binary.ts";
import { cleanEnv, type RunningRegistry, startRegistry } from "../test/support/process.ts";
import { memoryReport } from "./memory.ts";
import { resetPeak, type TreePeak, vmKiB, watchTree } from "./procfs.ts";
import { type Baseline, captureResponse, startBaseline } from "./static.ts";
import { uiBench } from "./ui.ts";
import {
	CONNECTIONS,
	ensureWrk,
	type Requests,
	runWrk,
	startWrk,
	THREADS,
	type WrkResult,
	wrkVersion,
} from "./wrk.ts";

const QUICK = process.env.QUICK === "1" || process.argv.includes("--quick");
/** One case alone ("flood"), printed and never written to BENCHMARKS.md. */
const ONLY =
	process.env.BENCH_ONLY ||
	process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length) ||
	undefined;
if (ONLY !== undefined && ONLY !== "flood") throw new Error(`unknown case for BENCH_ONLY/--only: ${ONLY}`);

/** wrk counts whole seconds. */
const SECONDS = QUICK ? 1 : 3;
/** Before the first round of each side in a case (the rounds after it follow within seconds). */
const WARMUP = QUICK ? 0 : 1;
/** R: the registry, B: the baseline; alternated so that a slow spell of the machine hits both. */
const ORDER = QUICK ? "RB" : "RBBRRBBR";
/** Cached cases also measure the floor (F): the baseline that reads the request first. */
const ORDER_CACHED = QUICK ? "RBF" : "RBFFBRRBFFBR";
const FLOOD_SECONDS = QUICK ? 1 : 5;
const ENTRIES = QUICK ? 5_000 : 50_000;
const SCALE = QUICK ? [1_000, ENTRIES] : [1_000, 10_000, ENTRIES, 200_000];
const STARTS = QUICK ? 2 : 5;
const RELOADS = 3;
const ROOT = join(import.meta.dir, "..");
const work = mkdtempSync(join(tmpdir(), "registry-bench-"));
const began = performance.now();
const log = (s: string) =>
	process.stderr.write(`[${((performance.now() - began) / 1000).toFixed(0).padStart(4)} s] ${s}\n`);

// ---------- helpers ----------

const fmt = (n: number) => Math.round(n).toLocaleString("en");
const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
const s2 = (x: number) => x.toFixed(2);
const mib = (kib: number) => `${fmt(kib / 1024)} MiB`;
const enc = (s: string) => encodeURIComponent(s);
const median = (xs: number[]) => {
	const a = [...xs].sort((x, y) => x - y);
	const m = Math.floor(a.length / 2);
	return a.length % 2 ? (a[m] as number) : ((a[m - 1] as number) + (a[m] as number)) / 2;
};

/** Generated in a child process, so this one stays small. */
function generate(path: string, entries: number, seed: number, variant?: string): number {
	const args = [
		join(import.meta.dir, "generate.ts"),
		`${entries}`,
		path,
		`${seed}`,
		...(variant ? [variant] : []),
	];
	const p = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
	if (p.status !== 0) throw new Error(`bench/generate.ts ${entries} failed:\n${p.stderr}`);
	return statSync(path).size;
}

/** The `ms=` of the registry's "Loaded N entries" log line (after `from`), when it has one. */
function loadedMs(logs: string, from = 0): number | undefined {
	const m = /Loaded \d+ entries[^\n]*\bms=(\d+)/.exec(logs.slice(from));
	return m ? Number(m[1]) : undefined;
}

/** The `loader=` of the last "Loaded N entries" log line (how the registry built the data). */
function loaderOf(logs: string): string {
	const lines = logs.match(/Loaded \d+ entries[^\n]*/g) ?? [];
	return /\bloader=(\S+)/.exec(lines.at(-1) ?? "")?.[1] ?? "?";
}

/** The peak of the processes a server started (a build process), if it started any. */
const childPeak = (t: TreePeak) =>
	t.children === 0 ? "" : `build process ${mib(t.child)}, with the server at most ${mib(t.together)}`;

/** Processes to end if the bench stops early (the baselines end with this process by themselves). */
const children = new Set<{ kill(): void }>();
process.on("exit", () => {
	for (const c of children) c.kill();
	rmSync(work, { recursive: true, force: true });
});
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => process.exit(130));

async function startServed(file: string): Promise<RunningRegistry> {
	const registry = await startRegistry({
		cmd: [binary],
		cwd: work,
		env: { MCP_REGISTRY_JSON_FILE_PATH: file, MCP_REGISTRY_LOG_LEVEL: "info" },
	});
	children.add(registry.proc);
	await registry.waitForLog(/Loaded \d+ entries/, 300_000);
	return registry;
}

async function stopServed(registry: RunningRegistry): Promise<void> {
	await registry.stop();
	children.delete(registry.proc);
}

/** SIGHUP with `next` copied over the served file; resolves with the load's logged ms. */
async function reload(registry: RunningRegistry, served: string, next: string): Promise<number> {
	copyFileSync(next, served);
	const from = registry.logs().length;
	const t0 = performance.now();
	registry.proc.kill("SIGHUP");
	await registry.waitForLog(/Loaded \d+ entries/, 300_000, from);
	return loadedMs(registry.logs(), from) ?? Math.round(performance.now() - t0);
}

const cpuSplit = (r: WrkResult) =>
	`server ${s2(r.cpu.server)} s, client ${s2(r.cpu.client)} s, other ${s2(r.cpu.other)} s of CPU in ${s2(r.cpu.wall)} s`;
const failures = (r: WrkResult) =>
	r.non2xx3xx + r.socketErrors === 0
		? ""
		: `${fmt(r.non2xx3xx)} not 2xx/3xx, ${fmt(r.socketErrors)} socket errors (${JSON.stringify(r.errors)})`;
const brief = (r: WrkResult) =>
	`${fmt(r.rps)} req/s, p50 ${ms(r.p50)} p99 ${ms(r.p99)} max ${ms(r.max)} ms; ${cpuSplit(r)}${failures(r) ? `; ${failures(r)}` : ""}`;

// ---------- set-up ----------

const wrk = ensureWrk();
const wrkV = wrkVersion(wrk);
const binary = await buildBinary();
const bunVersion = execFileSync(process.execPath, ["--version"]).toString().trim();
log(
	`registry bench: ${QUICK ? "quick" : ONLY ? `only ${ONLY}` : "full"} run, ${ENTRIES.toLocaleString("en")} entries, Bun ${bunVersion}, wrk ${wrkV}, work dir ${work}`,
);

const file = join(work, "registry.json");
const fileBytes = generate(file, ENTRIES, 1);
const registry = await startServed(file);
const base = registry.base;
const pid = registry.proc.pid;

// Fixtures for the cases: a popular name, its versions, cursors deep in the list.
const page = (await (await fetch(`${base}/v0.1/servers?limit=100&version=latest`)).json()) as {
	servers: { server: { name: string; version: string } }[];
};
const some = page.servers[17]?.server as { name: string; version: string };
const deepCursors: string[] = [];
{
	// Walk to the second half of the list with big pages, collecting cursors on the way.
	let cursor = "";
	for (let i = 0; i < Math.ceil(ENTRIES / 100); i++) {
		const body = (await (
			await fetch(`${base}/v0.1/servers?limit=100${cursor ? `&cursor=${cursor}` : ""}`)
		).json()) as { metadata: { nextCursor?: string } };
		cursor = body.metadata.nextCursor ?? "";
		if (!cursor) break;
		if (i > ENTRIES / 200) deepCursors.push(cursor);
	}
}
const listEtag =
	(await captureResponse(base, "/v0.1/servers")).headers.find(([k]) => k.toLowerCase() === "etag")?.[1] ?? "";

// ---------- a flood of unique queries ----------

interface FloodResult {
	before: WrkResult;
	flood: WrkResult;
	after: WrkResult;
	rss: [before: number, afterFlood: number, after: number];
	cache: { entries: number; bytes: number; budget: number };
}

async function cacheGauges(): Promise<FloodResult["cache"]> {
	const text = await (await fetch(`${base}/metrics`)).text();
	const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);
	return {
		entries: value("registry_response_cache_entries"),
		bytes: value("registry_response_cache_bytes"),
		budget: value("registry_response_cache_budget_bytes"),
	};
}

/**
 * Hostile clients: the default list page, then a flood of unique `version=` values (each matches
 * nothing), then the default page again. The response cache admits none of the flood, so the
 * after/before ratio should stay near 100% (target ≥ 80%).
 */
async function floodCase(): Promise<FloodResult> {
	log("case: flood of unique version= values");
	const normal = {
		base,
		serverPid: pid,
		dir: work,
		paths: ["/v0.1/servers"],
		seconds: SECONDS,
		warmup: WARMUP,
	};
	// Before and after: the best of two runs each (one run is at the mercy of the shared machine).
	const bestOf2 = async () => {
		const a = await runWrk(wrk, normal);
		const b = await runWrk(wrk, { ...normal, warmup: 0 });
		return b.rps > a.rps ? b : a;
	};
	const before = await bestOf2();
	const rssBefore = vmKiB(pid, "VmRSS");
	const flood = await runWrk(wrk, {
		base,
		serverPid: pid,
		dir: work,
		seconds: FLOOD_SECONDS,
		fresh: `"/v0.1/servers?version=9." .. n .. ".0"`,
	});
	const rssFlood = vmKiB(pid, "VmRSS");
	const after = await bestOf2();
	for (const [k, r] of Object.entries({ before, flood, after })) log(`  ${k}: ${brief(r)}`);
	return {
		before,
		flood,
		after,
		rss: [rssBefore, rssFlood, vmKiB(pid, "VmRSS")],
		cache: await cacheGauges(),
	};
}

function floodReport(f: FloodResult): string {
	const ratio = f.after.rps / f.before.rps;
	const row = (what: string, r: WrkResult, rss: number) =>
		`| ${what} | ${fmt(r.rps)} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${s2(r.cpu.server)} | ${s2(r.cpu.client)} | ${s2(r.cpu.other)} | ${mib(rss)} |`;
	return `Cache flood: the default list page (best of two runs of ${SECONDS} s), then ${FLOOD_SECONDS} s of unique \`version=\` values
(${fmt(f.flood.requests)} requests, each a value that matches nothing, ${fmt(f.flood.rps)} req/s, server ${s2(f.flood.cpu.server)} s and
client ${s2(f.flood.cpu.client)} s of CPU), then the default page again (best of two); wrk \`-t${THREADS} -c${CONNECTIONS}\`.

| default list page | req/s | p50 | p99 | max | server CPU s | client CPU s | other CPU s | RSS |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${row("before the flood", f.before, f.rss[0])}
${row("after it", f.after, f.rss[2])}

**After/before: ${(ratio * 100).toFixed(0)}%** (target ≥ 80%); RSS right after the flood ${mib(f.rss[1])}. The response
cache after it: ${fmt(f.cache.entries)} entries, ${fmt(f.cache.bytes / 1024)} KiB estimated of a ${fmt(f.cache.budget / 2 ** 20)} MiB budget.`;
}

if (ONLY === "flood") {
	const f = await floodCase();
	await stopServed(registry);
	rmSync(work, { recursive: true, force: true });
	console.log(floodReport(f));
	process.exit(0);
}

// ---------- the cases against the static baseline ----------

interface Case extends Requests {
	name: string;
	cached: boolean;
	/** The path whose response the baseline answers (default: the first of `paths`). */
	example?: string;
}

/** A new search term per request (one that matches nothing: every entry is looked at). */
const SEARCH = `"/v0.1/servers?search=zq" .. n .. "x"`;

/** A fresh instant per request, from 2025-09-01 over the 80 days the generated file spans. */
const freshInstant = `"/v0.1/servers?updated_since=" .. os.date("!%Y-%m-%dT%H:%M:%S", ${Date.UTC(2025, 8, 1) / 1000} + math.floor((n * 7919) % 6912000000 / 1000)) .. string.format(".%03dZ", (n * 7919) % 1000)`;

const CASES: Case[] = [
	{ name: "list, default page", cached: true, paths: ["/v0.1/servers"] },
	{ name: "list, limit=100", cached: true, paths: ["/v0.1/servers?limit=100"] },
	{ name: "list, version=latest", cached: true, paths: ["/v0.1/servers?version=latest"] },
	{ name: "get versions/latest", cached: true, paths: [`/v0.1/servers/${enc(some.name)}/versions/latest`] },
	{
		name: "get exact version",
		cached: true,
		paths: [`/v0.1/servers/${enc(some.name)}/versions/${enc(some.version)}`],
	},
	{ name: "versions of one name", cached: true, paths: [`/v0.1/servers/${enc(some.name)}/versions`] },
	{ name: "health", cached: true, paths: ["/v0/health"] },
	{
		name: "If-None-Match → 304",
		cached: true,
		paths: ["/v0.1/servers"],
		headers: { "If-None-Match": listEtag },
	},
	{
		name: "search, a new term each request",
		cached: false,
		fresh: SEARCH,
		example: "/v0.1/servers?search=zq0x",
	},
	{
		name: "updated_since, a new instant each request",
		cached: false,
		fresh: freshInstant,
		example: "/v0.1/servers?updated_since=2025-09-01T00:00:00.000Z",
	},
	{
		name: `deep cursor (${deepCursors.length} cycled)`,
		cached: false,
		paths: deepCursors.map((c) => `/v0.1/servers?cursor=${c}`),
	},
];

interface CaseResult {
	c: Case;
	/** The best round of each (highest req/s). */
	r: WrkResult;
	b: WrkResult;
	all: { R: WrkResult[]; B: WrkResult[]; F: WrkResult[] };
	/** The floor's best round (cached cases). */
	f?: WrkResult;
}

async function measureCase(c: Case, k: number): Promise<CaseResult> {
	log(`case: ${c.name}`);
	const example = c.example ?? (c.paths?.[0] as string);
	const response = await captureResponse(base, example, c.headers);
	if (response.status >= 400) throw new Error(`${c.name}: ${example} answered ${response.status}`);
	const baseline: Baseline = await startBaseline(join(work, `baseline-${k}`), response, {
		path: example,
		...(c.headers ? { headers: c.headers } : {}),
	});
	const floor = c.cached
		? await startBaseline(
				join(work, `floor-${k}`),
				response,
				{ path: example, ...(c.headers ? { headers: c.headers } : {}) },
				true,
			)
		: undefined;
	const all: CaseResult["all"] = { R: [], B: [], F: [] };
	try {
		for (const side of (floor ? ORDER_CACHED : ORDER) as Iterable<"R" | "B" | "F">) {
			const other = side === "F" ? (floor as Baseline) : baseline;
			const target = side === "R" ? { base, serverPid: pid } : { base: other.base, serverPid: other.pid };
			const r = await runWrk(wrk, {
				...target,
				dir: work,
				seconds: SECONDS,
				warmup: all[side].length === 0 ? WARMUP : 0,
				...(c.paths ? { paths: c.paths } : {}),
				...(c.fresh ? { fresh: c.fresh } : {}),
				...(c.headers ? { headers: c.headers } : {}),
			});
			all[side].push(r);
			log(`  ${{ R: "registry", B: "baseline", F: "floor" }[side]}: ${brief(r)}`);
		}
	} finally {
		await baseline.stop();
		await floor?.stop();
	}
	const best = (rs: WrkResult[]) => rs.reduce((a, b) => (b.rps > a.rps ? b : a));
	return { c, r: best(all.R), b: best(all.B), all, ...(all.F.length ? { f: best(all.F) } : {}) };
}

const results: CaseResult[] = [];
for (const [k, c] of CASES.entries()) results.push(await measureCase(c, k));

const flood = await floodCase();
await stopServed(registry);

// ---------- reloads under load ----------

log("reload under load");
// The same names and versions with changed descriptions: every reload really swaps the data and
// no URL of the load breaks.
const variants = ["v2", "v3"].map((v) => {
	const p = join(work, `registry-${v}.json`);
	generate(p, ENTRIES, 1, v);
	return p;
});
const served = join(work, "served.json");
copyFileSync(file, served);
const reloaded = await startServed(served);
const peakAfterStart = vmKiB(reloaded.proc.pid, "VmHWM");
const rssAfterStart = vmKiB(reloaded.proc.pid, "VmRSS");
const reloadPaths = [
	"/v0.1/servers",
	"/v0.1/servers?limit=100",
	`/v0.1/servers/${enc(some.name)}/versions/latest`,
	`/v0.1/servers/${enc(some.name)}/versions/${enc(some.version)}`,
	`/v0.1/servers/${enc(some.name)}/versions`,
];
const underLoad = startWrk(wrk, {
	base: reloaded.base,
	serverPid: reloaded.proc.pid,
	dir: work,
	seconds: 600,
	paths: reloadPaths,
});
const underLoadChild = { kill: underLoad.stop };
children.add(underLoadChild);
await Bun.sleep(QUICK ? 500 : 2000);
resetPeak(reloaded.proc.pid);
const reloadWatch = watchTree(reloaded.proc.pid);
const reloadMs: number[] = [];
for (const next of [...variants, file]) {
	reloadMs.push(await reload(reloaded, served, next));
	await Bun.sleep(QUICK ? 300 : 1500);
}
underLoad.stop();
children.delete(underLoadChild);
const duringReloads = await underLoad.result;
const peakAcrossReloads = vmKiB(reloaded.proc.pid, "VmHWM");
const reloadTree = reloadWatch.stop();
const reloadLoader = loaderOf(reloaded.logs());
const rssAfterReloads = vmKiB(reloaded.proc.pid, "VmRSS");
await stopServed(reloaded);
log(`  ${brief(duringReloads)}; peak ${mib(peakAcrossReloads)} ${childPeak(reloadTree)}`);

// ---------- scale: start-up, memory, reloads, search from 1k to 200k entries ----------

interface ScaleRow {
	entries: number;
	bytes: number;
	loadMs: number[];
	startMs: number[];
	rss: number[];
	peak: number[];
	/** The start-ups' build processes (the highest), and the reloads'. */
	startTree: TreePeak;
	reloadTree: TreePeak;
	loader: string;
	reloadMs: number[];
	reloadPeak: number;
	search: WrkResult;
}

function freePort(): number {
	const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
	const port = s.port;
	s.stop(true);
	return port;
}

/** Exec of the binary to its first 200 of `/v0.1/servers?limit=1`; the process is left running. */
async function startTimed(path: string) {
	const port = freePort();
	const t0 = performance.now();
	const proc = Bun.spawn([binary], {
		cwd: work,
		env: cleanEnv({ MCP_REGISTRY_JSON_FILE_PATH: path, MCP_REGISTRY_SERVER_ADDRESS: `127.0.0.1:${port}` }),
		stdin: "ignore",
		stdout: "ignore",
		stderr: "pipe",
	});
	children.add(proc);
	const watch = watchTree(proc.pid);
	let logs = "";
	const pump = (async () => {
		const decoder = new TextDecoder();
		for await (const chunk of proc.stderr) logs += decoder.decode(chunk, { stream: true });
	})();
	// Asks once the listening line is out (cheaper for a busy 2-core machine than asking all along).
	while (!logs.includes("Listening on")) {
		if (proc.exitCode !== null) throw new Error(`the registry exited (${proc.exitCode}):\n${logs}`);
		await Bun.sleep(1);
	}
	for (;;) {
		try {
			const res = await fetch(`http://127.0.0.1:${port}/v0.1/servers?limit=1`);
			await res.arrayBuffer();
			if (res.status === 200) break;
		} catch {}
		await Bun.sleep(1);
	}
	const elapsed = performance.now() - t0;
	return {
		proc,
		port,
		elapsed,
		/** The processes it started on its way (a build process), sampled. */
		tree: watch.stop(),
		logs: () => logs,
		async stop() {
			proc.kill();
			await proc.exited;
			await pump;
			children.delete(proc);
		},
	};
}

async function scaleRow(entries: number): Promise<ScaleRow> {
	log(`scale: ${entries.toLocaleString("en")} entries`);
	const reuse = entries === ENTRIES;
	const original = reuse ? file : join(work, `scale-${entries}.json`);
	const variant = reuse ? (variants[0] as string) : join(work, `scale-${entries}-v2.json`);
	if (!reuse) {
		generate(original, entries, 1);
		generate(variant, entries, 1, "v2");
	}
	const bytes = statSync(original).size;
	const target = join(work, `scale-served.json`);
	copyFileSync(original, target);
	const startMs: number[] = [];
	const loadMs: number[] = [];
	const rss: number[] = [];
	const peak: number[] = [];
	const startTree: TreePeak = { child: 0, together: 0, children: 0 };
	let r: Awaited<ReturnType<typeof startTimed>> | undefined;
	for (let i = 0; i < STARTS; i++) {
		await r?.stop();
		r = await startTimed(target);
		startMs.push(r.elapsed);
		rss.push(vmKiB(r.proc.pid, "VmRSS"));
		peak.push(vmKiB(r.proc.pid, "VmHWM"));
		const logged = loadedMs(r.logs());
		if (logged !== undefined) loadMs.push(logged);
		startTree.child = Math.max(startTree.child, r.tree.child);
		startTree.together = Math.max(startTree.together, r.tree.together);
		startTree.children += r.tree.children;
	}
	if (!r) throw new Error("no start-up");
	// The last start-up stays: uncached searches under load, then reloads with no load.
	const serverPid = r.proc.pid;
	const loader = loaderOf(r.logs());
	const search = await runWrk(wrk, {
		base: `http://127.0.0.1:${r.port}`,
		serverPid,
		dir: work,
		seconds: SECONDS,
		warmup: WARMUP,
		fresh: SEARCH,
	});
	await Bun.sleep(QUICK ? 100 : 500);
	resetPeak(serverPid);
	const watch = watchTree(serverPid);
	const reloadMs: number[] = [];
	for (let k = 0; k < RELOADS; k++) {
		copyFileSync(k % 2 === 0 ? variant : original, target);
		const from = r.logs().length;
		const t0 = performance.now();
		process.kill(serverPid, "SIGHUP");
		while (!/Loaded \d+ entries/.test(r.logs().slice(from))) {
			if (performance.now() - t0 > 300_000) throw new Error(`no reload in 300 s:\n${r.logs()}`);
			await Bun.sleep(5);
		}
		reloadMs.push(loadedMs(r.logs(), from) ?? Math.round(performance.now() - t0));
		await Bun.sleep(QUICK ? 100 : 300);
	}
	const reloadPeak = vmKiB(serverPid, "VmHWM");
	const reloadTree = watch.stop();
	await r.stop();
	const row: ScaleRow = {
		entries,
		bytes,
		loader,
		loadMs,
		startMs,
		rss,
		peak,
		startTree,
		reloadTree,
		reloadMs,
		reloadPeak,
		search,
	};
	log(
		`  start-up ${startMs.map(fmt).join(", ")} ms; loads (${loader}) ${loadMs.join(", ")} ms; search ${brief(search)}; reloads ${reloadMs.join(", ")} ms, peak ${mib(reloadPeak)} ${childPeak(reloadTree)}`,
	);
	if (!reuse) {
		rmSync(original, { force: true });
		rmSync(variant, { force: true });
	}
	rmSync(target, { force: true });
	return row;
}

const scale: ScaleRow[] = [];
for (const n of SCALE) scale.push(await scaleRow(n));
rmSync(work, { recursive: true, force: true });

// ---------- memory of a load ----------

log("memory of a load");
const loadMemory = await memoryReport([binary], QUICK, log);

// ---------- the web UI's page builds ----------

log("web UI page builds");
const uiPages = await uiBench({ entries: QUICK ? 5_000 : ENTRIES, builds: QUICK ? 50 : 300 });
const totalSeconds = (performance.now() - began) / 1000;
log(`done in ${totalSeconds.toFixed(0)} s`);

// ---------- report ----------

const byName = (prefix: string) => results.find((x) => x.c.name.startsWith(prefix)) as CaseResult;
const ratio = (x: CaseResult) => x.r.rps / x.b.rps;
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const yes = (ok: boolean) => (ok ? "yes" : "**no**");
const at = scale.find((r) => r.entries === ENTRIES) as ScaleRow;
const search = byName("search");
const reloadsClean = duringReloads.non2xx3xx + duringReloads.socketErrors === 0;
const n = ENTRIES.toLocaleString("en");

const targets: [string, string, string, boolean][] = [
	...[
		["cached list, default page", "list, default page"],
		["cached list, `limit=100`", "list, limit=100"],
		["cached list, `version=latest`", "list, version=latest"],
		["cached get `versions/latest`", "get versions/latest"],
		["cached `/v0/health`", "health"],
	].map(([label, name]): [string, string, string, boolean] => {
		const x = byName(name as string);
		return [
			`${label}, ratio to static`,
			`${pct(ratio(x))} (${fmt(x.r.rps)} / ${fmt(x.b.rps)} req/s)${x.f ? `; ${pct(x.r.rps / x.f.rps)} of the floor (${fmt(x.f.rps)})` : ""}`,
			"≥ 90%",
			ratio(x) >= 0.9,
		];
	}),
	[
		`uncached search, a new term per request, ${CONNECTIONS} connections`,
		`${fmt(search.r.rps)} req/s, p99 ${ms(search.r.p99)} ms`,
		"≥ 5,000 req/s and p99 ≤ 10 ms",
		search.r.rps >= 5000 && search.r.p99 <= 10,
	],
	[
		`start-up, exec to first 200 of \`?limit=1\` (median of ${STARTS})`,
		`${fmt(median(at.startMs))} ms`,
		"≤ 1,000 ms",
		median(at.startMs) <= 1000,
	],
	[
		"peak RSS (VmHWM) after the start-up load",
		`${mib(Math.max(...at.peak))} (highest of ${STARTS})${at.startTree.children ? `; its ${childPeak(at.startTree)}` : ""}`,
		"≤ 200 MiB",
		Math.max(...at.peak) <= 200 * 1024,
	],
	[
		`peak RSS across ${RELOADS} SIGHUP reloads under load`,
		`${mib(peakAcrossReloads)}${reloadTree.children ? ` (its ${childPeak(reloadTree)})` : ""}; ${fmt(duringReloads.non2xx3xx)} not 2xx/3xx, ${fmt(duringReloads.socketErrors)} socket errors; p99 ${ms(duringReloads.p99)} ms, max ${ms(duringReloads.max)} ms`,
		"≤ 250 MiB, 0 errors",
		peakAcrossReloads <= 250 * 1024 && reloadsClean,
	],
];

const caseRows = results.map((x) => {
	const { r, b } = x;
	return `| ${x.c.name} | ${x.c.cached ? "cached" : "uncached"} | ${fmt(r.rps)} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${s2(r.cpu.server)} | ${s2(r.cpu.client)} | ${s2(r.cpu.other)} | ${fmt(b.rps)} | ${s2(b.cpu.server)} / ${s2(b.cpu.client)} / ${s2(b.cpu.other)} | ${pct(ratio(x))} | ${x.f ? `${fmt(x.f.rps)} (${pct(r.rps / x.f.rps)})` : "–"} | ${failures(r) || "0"} |`;
});

const buildPeak = (t: TreePeak) => (t.children ? `${mib(t.child)} (${mib(t.together)})` : "–");
const scaleRows = scale.map(
	(r) =>
		`| ${r.entries.toLocaleString("en")} | ${(r.bytes / 1e6).toFixed(1)} MB | ${r.loader} | ${r.loadMs.length ? fmt(median(r.loadMs)) : "–"} | ${fmt(median(r.startMs))} (${fmt(Math.min(...r.startMs))}–${fmt(Math.max(...r.startMs))}) | ${mib(median(r.rss))} (${mib(Math.max(...r.peak))}) | ${mib(r.reloadPeak)} (${r.reloadMs.map(fmt).join(", ")}) | ${buildPeak(r.startTree)} / ${buildPeak(r.reloadTree)} | ${fmt(r.search.rps)} (${ms(r.search.p99)}) |`,
);

const date = new Date().toISOString().slice(0, 10);
const report = `<!-- bench:start -->
## \`make bench\`${QUICK ? " (QUICK=1)" : ""}: ${date}

Machine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? "unknown"}), ${Math.round(totalmem() / 2 ** 30)} GiB; Bun ${bunVersion}; wrk
${wrkV}. Registry: the compiled binary, ${n} entries (${(fileBytes / 1e6).toFixed(1)} MB) made by \`bench/generate.ts\`.
Load: \`wrk -t${THREADS} -c${CONNECTIONS}\`,${WARMUP ? ` ${WARMUP} s warm-up before the first round of each side,` : ""} ${SECONDS} s per round; each case in
alternated rounds ${ORDER.split("").join(" ")} (R the registry, B the static baseline), best of each. The baseline
(\`bench/static.ts\`) is a separate Bun process answering the registry's own response for the case
(status, headers and bytes; for several paths, the first one's) from a \`Blob\` and \`Headers\` built
once; the ratio is the registry's req/s over the baseline's. For the cached cases, the floor (F,
rounds ${ORDER_CACHED.split("").join(" ")}) is the same baseline reading first what any handler that looks at its
request must read — its URL, method, \`If-None-Match\` and \`Accept-Encoding\` — which the static
baseline never does: Bun makes the URL string and the headers object for JavaScript only when
asked, and for a small answer that costs a fifth of the request. Latencies in ms. The run took
${(totalSeconds / 60).toFixed(1)} minutes.

**Reading the CPU split.** For each best round, the CPU seconds used over the same ${SECONDS} s by the
server process (all its threads and any process it started, from \`/proc/PID/stat\`), by wrk
(user + system) and by everything else on the machine (\`/proc/stat\` less those two). The registry answers from one JavaScript thread: a
server near ${SECONDS} s (one core-second per second) with wrk well below it means the server was the
bottleneck, which is what the bench means to measure; wrk near ${SECONDS} s would mean the client was the
limit. The three add up to at most ${cpus().length} × ${SECONDS} s on this ${cpus().length}-core machine: a large "other" means the shared
machine took a core away during that round, and server and client then shared what was left. So
compare the registry with its baseline (alternated rounds, for this reason), not absolute req/s
across runs.

| measure (${n} entries) | measured | target | met? |
| --- | --- | --- | --- |
${targets.map(([m, v, t, ok]) => `| ${m} | ${v} | ${t} | ${yes(ok)} |`).join("\n")}

| case | | req/s | p50 | p99 | max | server CPU s | client CPU s | other CPU s | baseline req/s | baseline CPU s (server / client / other) | ratio | floor req/s (ratio) | not 2xx/3xx, socket errors |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
${caseRows.join("\n")}

${floodReport(flood)}

Reload under load: wrk \`-t${THREADS} -c${CONNECTIONS}\` cycling ${reloadPaths.length} list pages and gets the whole time (${s2(duringReloads.duration)} s,
${fmt(duringReloads.requests)} requests, ${fmt(duringReloads.rps)} req/s) while the ${n}-entry file was replaced (same names and
versions, other descriptions) and reloaded by SIGHUP ${RELOADS} times (loads logged: ${reloadMs.map(fmt).join(", ")} ms):
**${fmt(duringReloads.non2xx3xx)} not 2xx/3xx, ${fmt(duringReloads.socketErrors)} socket errors**, latency p50 ${ms(duringReloads.p50)}, p99 ${ms(duringReloads.p99)}, max
${ms(duringReloads.max)} ms; server ${s2(duringReloads.cpu.server)} s, client ${s2(duringReloads.cpu.client)} s of CPU (loader: ${reloadLoader}). The process: RSS ${mib(rssAfterStart)} after its start-up load (peak
${mib(peakAfterStart)}); peak ${mib(peakAcrossReloads)} across the reloads (VmHWM reset just before the first)${reloadTree.children ? `; ${childPeak(reloadTree)} (${reloadTree.children} build processes, sampled every 25 ms)` : ""}; RSS ${mib(rssAfterReloads)} after them.

Scale: for each size, ${STARTS} start-ups of the binary (exec to the first 200 of \`/v0.1/servers?limit=1\`;
the load time is the \`ms=\` of the "Loaded N entries" log line; RSS read right after the first 200,
median, and the highest peak). The last process then serves uncached searches (a new term per
request, wrk \`-t${THREADS} -c${CONNECTIONS}\`, ${SECONDS} s) and is reloaded by SIGHUP ${RELOADS} times with no load, alternating
two files of the same size (peak RSS across the reloads, the VmHWM reset before them). RSS and
peaks are the server process's; when it builds in a process of its own (the loader of the log
line), that process's peak (its VmHWM, sampled every 25 ms) and, in brackets, the highest sum of
both processes' RSS are in the build process column, at start-up / across the reloads.

| entries | file | loader | load ms (median) | start-up ms, median (min–max) | RSS after load (peak) | peak RSS across ${RELOADS} reloads (load ms) | build process peak (with the server) | search req/s (p99 ms) |
| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |
${scaleRows.join("\n")}

${loadMemory}

${uiPages}
<!-- bench:end -->`;

// A full run replaces the results in BENCHMARKS.md; a quick one only prints (it is a sanity check).
if (!QUICK) {
	const benchmarks = join(ROOT, "BENCHMARKS.md");
	const current = readFileSync(benchmarks, "utf8");
	const marked = /<!-- bench:start -->[\s\S]*<!-- bench:end -->/;
	writeFileSync(
		benchmarks,
		marked.test(current) ? current.replace(marked, report) : current.replace(/\n*$/, `\n\n${report}\n`),
	);
	// The tables as the project's formatter lays them out, so `make check` stays clean.
	spawnSync(join(ROOT, "node_modules", ".bin", "biome"), ["format", "--write", benchmarks], {
		stdio: "ignore",
	});
}
console.log(report);
