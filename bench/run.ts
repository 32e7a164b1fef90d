/**
 * `make bench`: how fast the registry answers at 50,000 entries, against a static baseline (a
 * minimal Bun.serve answering the identical bytes and headers from memory); reloads under load;
 * start-up; memory. Writes the results into BENCHMARKS.md between the bench markers.
 *
 *   bun bench/run.ts            full run (several minutes), results into BENCHMARKS.md
 *   QUICK=1 bun bench/run.ts    sanity check (well under a minute), results printed only
 *   BENCH_ONLY=flood bun bench/run.ts   (or --only=flood) the cache-flood case alone, printed only
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { buildBinary } from "../test/support/binary.ts";
import { startRegistry } from "../test/support/process.ts";
import { generateRegistry } from "./generate.ts";
import { memoryReport } from "./memory.ts";

const QUICK = process.env.QUICK === "1" || process.argv.includes("--quick");
/** One case alone ("flood"), printed and never written to BENCHMARKS.md. */
const ONLY =
	process.env.BENCH_ONLY ||
	process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length) ||
	undefined;
if (ONLY !== undefined && ONLY !== "flood") throw new Error(`unknown case for BENCH_ONLY/--only: ${ONLY}`);
// autocannon counts whole seconds: a quick run is one second per case, without warm-up.
const DURATION = QUICK ? 1 : 5;
const WARMUP = QUICK ? 0 : 2;
const CONNECTIONS = 32;
const ENTRIES = QUICK ? 5_000 : 50_000;
const ROOT = join(import.meta.dir, "..");
const work = mkdtempSync(join(tmpdir(), "registry-bench-"));
const log = (s: string) => process.stderr.write(`${s}\n`);

interface LoadResult {
	rps: number;
	total: number;
	p50: number;
	p99: number;
	max: number;
	ok: number;
	notModified: number;
	bad: number;
	errors: number;
}

/** The load generator runs in its own process: Node when present, else Bun. */
const LOAD_RUNTIME = spawnSync("node", ["--version"]).status === 0 ? "node" : process.execPath;

/** Async: the static baseline answers from this very process while the load runs. */
async function load(spec: Record<string, unknown>): Promise<LoadResult> {
	const specFile = join(work, "load-spec.json");
	writeFileSync(specFile, JSON.stringify(spec));
	const p = Bun.spawn([LOAD_RUNTIME, join(import.meta.dir, "load.cjs"), specFile], {
		cwd: ROOT,
		stdout: "pipe",
		stderr: "inherit",
	});
	const out = await new Response(p.stdout).text();
	if ((await p.exited) !== 0) throw new Error("the load generator failed");
	return JSON.parse(out) as LoadResult;
}

function writeRegistry(path: string, entries: number, seed: number): number {
	writeFileSync(path, JSON.stringify(generateRegistry(entries, seed)));
	return statSync(path).size;
}

function vmKiB(pid: number, field: "VmHWM" | "VmRSS"): number {
	const m = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
	return Number(m?.[1] ?? 0);
}

const binary = await buildBinary();
const bunVersion = execFileSync(process.execPath, ["--version"]).toString().trim();
log(
	`registry bench: ${QUICK ? "quick" : "full"} run, ${ENTRIES.toLocaleString("en")} entries, Bun ${bunVersion}`,
);

// ---------- the registry under test ----------
const file = join(work, "registry.json");
const fileBytes = writeRegistry(file, ENTRIES, 1);
const registry = await startRegistry({
	cmd: [binary],
	cwd: work,
	env: { MCP_REGISTRY_JSON_FILE_PATH: file, MCP_REGISTRY_LOG_LEVEL: "info" },
});
await registry.waitForLog(/Loaded \d+ entries/);
const base = registry.base;
const rssAfterLoad = vmKiB(registry.proc.pid, "VmRSS");
const peakAfterLoad = vmKiB(registry.proc.pid, "VmHWM");

// Fixtures for the cases: a popular name, its versions, cursors deep in the list.
const page = (await (await fetch(`${base}/v0.1/servers?limit=100&version=latest`)).json()) as {
	servers: { server: { name: string; version: string } }[];
};
const some = page.servers[17]?.server as { name: string; version: string };
const enc = (s: string) => encodeURIComponent(s);
const deepCursors: string[] = [];
{
	// Walk to the second half of the list with big pages, collecting cursors on the way.
	let cursor = "";
	for (let i = 0; i < Math.ceil(ENTRIES / 100); i++) {
		const body = (await (
			await fetch(`${base}/v0.1/servers?limit=100${cursor ? `&cursor=${cursor}` : ""}`)
		).json()) as {
			metadata: { nextCursor?: string };
		};
		cursor = body.metadata.nextCursor ?? "";
		if (!cursor) break;
		if (i > ENTRIES / 200) deepCursors.push(cursor);
	}
}
const listEtag = (await fetch(`${base}/v0.1/servers`)).headers.get("etag") ?? "";

// ---------- a flood of unique queries ----------
/**
 * Hostile clients: normal throughput of the default list page, then a flood of unique
 * `version=` values (each matches nothing), then the default page again. The response cache
 * admits none of the flood, so the after/before ratio should stay near 100% (target ≥ 80%).
 */
const FLOOD_SECONDS = QUICK ? 2 : 5;

interface FloodResult {
	before: LoadResult;
	flood: LoadResult;
	after: LoadResult;
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

async function floodCase(): Promise<FloodResult> {
	log("case: flood of unique version= values");
	const normal = {
		url: base,
		connections: CONNECTIONS,
		duration: DURATION,
		warmup: WARMUP,
		paths: ["/v0.1/servers"],
	};
	const pid = registry.proc.pid;
	const before = await load(normal);
	const rssBefore = vmKiB(pid, "VmRSS");
	const flood = await load({
		url: base,
		connections: CONNECTIONS,
		duration: FLOOD_SECONDS,
		warmup: 0,
		random: "/v0.1/servers?version=9.{n}.0",
	});
	const rssFlood = vmKiB(pid, "VmRSS");
	const after = await load(normal);
	return {
		before,
		flood,
		after,
		rss: [rssBefore, rssFlood, vmKiB(pid, "VmRSS")],
		cache: await cacheGauges(),
	};
}

function floodReport(f: FloodResult): string {
	const rps = (r: LoadResult) => Math.round(r.rps).toLocaleString("en");
	const ratio = f.after.rps / f.before.rps;
	return `Cache flood: the default list page at ${CONNECTIONS} connections, then ${FLOOD_SECONDS} s of unique \`version=\` values
(${f.flood.total.toLocaleString("en")} requests, each a value that matches nothing, ${rps(f.flood)} req/s), then the default page again.

| default list page | req/s | p50 | p99 | max | RSS |
| --- | ---: | ---: | ---: | ---: | ---: |
| before the flood | ${rps(f.before)} | ${f.before.p50} | ${f.before.p99} | ${f.before.max} | ${Math.round(f.rss[0] / 1024)} MiB |
| after it | ${rps(f.after)} | ${f.after.p50} | ${f.after.p99} | ${f.after.max} | ${Math.round(f.rss[2] / 1024)} MiB |

**After/before: ${(ratio * 100).toFixed(0)}%** (target ≥ 80%); RSS right after the flood ${Math.round(f.rss[1] / 1024)} MiB. The response
cache after it: ${f.cache.entries.toLocaleString("en")} entries, ${(f.cache.bytes / 1024).toFixed(0)} KiB estimated of a ${(f.cache.budget / 2 ** 20).toFixed(0)} MiB budget.`;
}

if (ONLY === "flood") {
	const f = await floodCase();
	await registry.stop();
	rmSync(work, { recursive: true, force: true });
	console.log(floodReport(f));
	process.exit(0);
}

interface Case {
	name: string;
	cached: boolean;
	path?: string;
	paths?: string[];
	random?: string;
	headers?: Record<string, string>;
}

const CASES: Case[] = [
	{ name: "list, default page", cached: true, path: "/v0.1/servers" },
	{ name: "list, limit=100", cached: true, path: "/v0.1/servers?limit=100" },
	{ name: "list, version=latest", cached: true, path: "/v0.1/servers?version=latest" },
	{ name: "get versions/latest", cached: true, path: `/v0.1/servers/${enc(some.name)}/versions/latest` },
	{
		name: "get exact version",
		cached: true,
		path: `/v0.1/servers/${enc(some.name)}/versions/${enc(some.version)}`,
	},
	{ name: "versions of one name", cached: true, path: `/v0.1/servers/${enc(some.name)}/versions` },
	{ name: "health", cached: true, path: "/v0/health" },
	{
		name: "If-None-Match → 304",
		cached: true,
		path: "/v0.1/servers",
		headers: { "if-none-match": listEtag },
	},
	{ name: "search, a new term each request", cached: false, random: "/v0.1/servers?search=zq{n}x" },
	{
		name: "updated_since, a new instant each request",
		cached: false,
		random: "/v0.1/servers?updated_since=2025-10-{n}Z",
	},
	{ name: "deep cursor", cached: false, paths: deepCursors.map((c) => `/v0.1/servers?cursor=${c}`) },
];
// updated_since needs a valid timestamp: derive one per request from the counter.
const sinceCase = CASES.find((c) => c.name.startsWith("updated_since")) as Case;
sinceCase.random = undefined;
sinceCase.paths = Array.from({ length: 5000 }, (_, i) => {
	const t = new Date(Date.UTC(2025, 8, 1) + i * 1_381_000 + (i % 997));
	return `/v0.1/servers?updated_since=${t.toISOString()}`;
});

/** A static server answering one response's exact bytes and headers from memory. */
async function staticBaseline(c: Case): Promise<{ url: string; stop(): void }> {
	const path = c.path ?? c.paths?.[0] ?? (c.random ?? "").replaceAll("{n}", "1");
	const res = await fetch(`${base}${path}`, { headers: c.headers ?? {} });
	const body = new Uint8Array(await res.arrayBuffer());
	const headers = new Headers(res.headers);
	headers.delete("date");
	headers.delete("content-length");
	const status = res.status;
	const server = Bun.serve({
		port: 0,
		hostname: "127.0.0.1",
		fetch: () => new Response(status === 304 ? null : body, { status, headers }),
	});
	return { url: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
}

const rows: string[] = [];
const oneConnection: string[] = [];
for (const c of CASES) {
	log(`case: ${c.name}`);
	const spec = {
		connections: CONNECTIONS,
		duration: DURATION,
		warmup: WARMUP,
		headers: c.headers,
		...(c.path ? { paths: [c.path] } : {}),
		...(c.paths ? { paths: c.paths } : {}),
		...(c.random ? { random: c.random } : {}),
	};
	const r = await load({ url: base, ...spec });
	const stat = await staticBaseline(c);
	const s = await load({ url: stat.url, ...spec });
	stat.stop();
	const ratio = r.rps / s.rps;
	const ok = r.bad === 0 && r.errors === 0;
	rows.push(
		`| ${c.name} | ${c.cached ? "cached" : "uncached"} | ${Math.round(r.rps).toLocaleString("en")} | ${r.p50} | ${r.p99} | ${r.max} | ${Math.round(s.rps).toLocaleString("en")} | ${(ratio * 100).toFixed(0)}% | ${ok ? "" : `${r.bad} bad, ${r.errors} errors`} |`,
	);
	if (!c.cached) {
		const one = await load({ url: base, ...spec, connections: 1 });
		oneConnection.push(
			`| ${c.name} | ${Math.round(one.rps).toLocaleString("en")} | ${one.p50} | ${one.p99} | ${one.max} |`,
		);
	}
}

const flood = await floodCase();

// ---------- reloads under load ----------
log("reload under load");
// The same servers with changed content, so every reload really swaps data and no URL breaks.
const original = readFileSync(file, "utf8");
const alternates = [2, 3, 4].map((n) => {
	const p = join(work, `registry-${n}.json`);
	writeFileSync(p, original.replaceAll('"description":"', `"description":"(v${n}) `));
	return p;
});
interface Sample {
	start: number;
	ms: number;
	status: number;
}
const samples: Sample[] = [];
const reloadWindows: [number, number][] = [];
let stop = false;
const paths = [
	"/v0.1/servers",
	"/v0.1/servers?limit=100",
	`/v0.1/servers/${enc(some.name)}/versions/latest`,
	`/v0.1/servers/${enc(some.name)}/versions`,
];
const loops = Array.from({ length: CONNECTIONS }, async (_, k) => {
	let i = k;
	while (!stop) {
		const start = performance.now();
		let status = 0;
		try {
			const res = await fetch(`${base}${paths[i++ % paths.length]}`);
			await res.arrayBuffer();
			status = res.status;
		} catch {
			status = -1;
		}
		samples.push({ start, ms: performance.now() - start, status });
	}
});
await Bun.sleep(QUICK ? 500 : 2000);
for (const alt of alternates) {
	writeFileSync(file, readFileSync(alt));
	const before = registry.logs().length;
	const t0 = performance.now();
	registry.proc.kill("SIGHUP");
	while (!/Loaded \d+ entries/.test(registry.logs().slice(before))) await Bun.sleep(5);
	reloadWindows.push([t0, performance.now()]);
	await Bun.sleep(QUICK ? 300 : 1500);
}
stop = true;
await Promise.all(loops);
const during = samples.filter((s) => reloadWindows.some(([a, b]) => s.start + s.ms >= a && s.start <= b));
const outside = samples.filter((s) => !during.includes(s));
const pct = (xs: number[], p: number) => {
	const a = [...xs].sort((x, y) => x - y);
	return a.length ? (a[Math.min(a.length - 1, Math.floor(a.length * p))] as number) : 0;
};
const failed = samples.filter((s) => s.status !== 200 && s.status !== 304).length;
const byStatus = new Map<number, number>();
for (const s of samples) byStatus.set(s.status, (byStatus.get(s.status) ?? 0) + 1);
const statuses = [...byStatus]
	.map(([k, v]) => `${k === -1 ? "network error" : k}: ${v.toLocaleString("en")}`)
	.join(", ");
const reloadMs = reloadWindows.map(([a, b]) => Math.round(b - a));
const rssAfterReloads = vmKiB(registry.proc.pid, "VmRSS");
const peakAfterReloads = vmKiB(registry.proc.pid, "VmHWM");
await registry.stop();

// ---------- start-up ----------
log("start-up");
const startup: string[] = [];
for (const n of QUICK ? [1_000] : [1_000, 10_000, 50_000]) {
	const p = join(work, `startup-${n}.json`);
	const bytes = writeRegistry(p, n, 7);
	const times: number[] = [];
	for (let i = 0; i < (QUICK ? 2 : 5); i++) {
		const port = 20_000 + Math.floor(Math.random() * 20_000);
		const t0 = performance.now();
		const proc = Bun.spawn([binary], {
			env: { MCP_REGISTRY_JSON_FILE_PATH: p, MCP_REGISTRY_SERVER_ADDRESS: `127.0.0.1:${port}` },
			stdout: "ignore",
			stderr: "ignore",
		});
		for (;;) {
			try {
				const res = await fetch(`http://127.0.0.1:${port}/v0.1/servers?limit=1`);
				await res.arrayBuffer();
				if (res.status === 200) break;
			} catch {}
			await Bun.sleep(2);
		}
		times.push(performance.now() - t0);
		proc.kill();
		await proc.exited;
	}
	startup.push(
		`| ${n.toLocaleString("en")} | ${(bytes / 1e6).toFixed(1)} MB | ${Math.round(pct(times, 0.5))} | ${Math.round(Math.min(...times))}–${Math.round(Math.max(...times))} |`,
	);
}
rmSync(work, { recursive: true, force: true });

// ---------- memory of a load ----------
log("memory of a load");
const loadMemory = await memoryReport([binary], QUICK, log);

// ---------- report ----------
const mib = (kib: number) => `${Math.round(kib / 1024)} MiB`;
const date = new Date().toISOString().slice(0, 10);
const report = `<!-- bench:start -->
## \`make bench\`${QUICK ? " (QUICK=1)" : ""}: ${date}

Machine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? "unknown"}), ${Math.round(totalmem() / 2 ** 30)} GiB; Bun ${bunVersion}; load
generator autocannon ${CONNECTIONS} connections, ${WARMUP} s warm-up then ${DURATION} s per case, in its own process
(${LOAD_RUNTIME === "node" ? "Node" : "Bun"}). Registry: ${ENTRIES.toLocaleString("en")} entries (${(fileBytes / 1e6).toFixed(1)} MB), made by
\`bench/generate.ts\`. Baseline: a minimal \`Bun.serve\` answering the identical bytes and headers from
memory, measured right after each case; the ratio is the registry's req/s over the baseline's.
Latencies in ms.

| case | | req/s | p50 | p99 | max | baseline req/s | ratio | failures |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |
${rows.join("\n")}

Uncached cases at 1 connection:

| case | req/s | p50 | p99 | max |
| --- | ---: | ---: | ---: | ---: |
${oneConnection.join("\n")}

${floodReport(flood)}

Reload under load: ${CONNECTIONS} concurrent clients (list pages and gets) while the ${ENTRIES.toLocaleString("en")}-entry file was
replaced and reloaded by SIGHUP ${reloadWindows.length} times (each reload took ${reloadMs.join(", ")} ms):
${samples.length.toLocaleString("en")} requests (${statuses}), **${failed} failed or not 200/304**.

| | requests | p50 | p99 | max |
| --- | ---: | ---: | ---: | ---: |
| during the reloads | ${during.length.toLocaleString("en")} | ${pct(
	during.map((s) => s.ms),
	0.5,
).toFixed(1)} | ${pct(
	during.map((s) => s.ms),
	0.99,
).toFixed(1)} | ${Math.max(0, ...during.map((s) => s.ms)).toFixed(1)} |
| outside them | ${outside.length.toLocaleString("en")} | ${pct(
	outside.map((s) => s.ms),
	0.5,
).toFixed(1)} | ${pct(
	outside.map((s) => s.ms),
	0.99,
).toFixed(1)} | ${Math.max(0, ...outside.map((s) => s.ms)).toFixed(1)} |

Start-up, exec of \`bin/registry\` to the first 200 (ms):

| entries | file | median | min–max |
| --- | ---: | ---: | ---: |
${startup.join("\n")}

Memory at ${ENTRIES.toLocaleString("en")} entries (${(fileBytes / 1e6).toFixed(1)} MB file): RSS ${mib(rssAfterLoad)} after the load (peak ${mib(peakAfterLoad)});
after ${reloadWindows.length} reloads under load RSS ${mib(rssAfterReloads)} (peak ${mib(peakAfterReloads)}).

${loadMemory}
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
