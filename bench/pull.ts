/**
 * `registry pull` timed and its peak memory measured: a generated registry (bench/generate.ts)
 * served by the registry from source on a free port, pulled whole by `registry pull URL -o FILE`
 * as a child process; then CHANGES entries changed in the served file (updatedAt bumped, the
 * description changed), the server reloaded (SIGHUP), and the same file pulled again
 * incrementally; then once more with nothing changed. Each pull RUNS times (a full pull into a
 * fresh file, an incremental one into a copy of a full pull's file): the median wall time, and
 * the highest peak RSS (VmHWM of the pull and anything it starts, sampled every 10 ms; the
 * child's maximum RSS from getrusage beside it).
 *
 *   bun bench/pull.ts [ENTRIES] [CHANGES] [RUNS]     default 10000 50 3
 *
 * Linux only (it reads /proc). A measurement, not a test: it checks only that each pull did what
 * it says (exit 0, the number of entries and changes), so a broken pull is not timed as a fast one.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnv, startRegistry } from "../test/support/process.ts";
import { vmKiB, watchTree } from "./procfs.ts";

const ROOT = join(import.meta.dir, "..");
const OFFICIAL = "io.modelcontextprotocol.registry/official";

type Entry = { server: Record<string, unknown>; _meta: Record<string, Record<string, unknown>> };
const statusOf = (e: Entry) => e._meta[OFFICIAL]?.status;

interface Measured {
	seconds: number;
	/** Peak RSS of the pull (with anything it started), KiB, sampled. */
	peakKiB: number;
	/** The pull's maximum RSS from getrusage, KiB. */
	maxRssKiB: number;
	stdout: string;
}

/** Runs `registry pull ARGS` in `cwd` and measures it. */
async function measurePull(args: string[], cwd: string): Promise<Measured> {
	const started = performance.now();
	const p = Bun.spawn([process.execPath, join(ROOT, "src", "main.ts"), "pull", ...args], {
		cwd,
		env: cleanEnv(),
		stdin: "ignore",
		stdout: "pipe",
		stderr: "pipe",
	});
	let peak = 0;
	const tree = watchTree(p.pid, 10);
	const timer = setInterval(() => {
		peak = Math.max(peak, vmKiB(p.pid, "VmHWM"));
	}, 10);
	const [stdout, stderr, code] = await Promise.all([
		new Response(p.stdout).text(),
		new Response(p.stderr).text(),
		p.exited,
	]);
	const seconds = (performance.now() - started) / 1000;
	clearInterval(timer);
	const t = tree.stop();
	if (code !== 0) throw new Error(`registry pull ${args.join(" ")} exited ${code}:\n${stderr}`);
	const maxRssKiB = Math.round((p.resourceUsage()?.maxRSS ?? 0) / 1024);
	return { seconds, peakKiB: Math.max(peak, t.child, t.together), maxRssKiB, stdout };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const mib = (kib: number) => (kib / 1024).toFixed(1);

function expectLine(out: string, pattern: RegExp, what: string): void {
	if (!pattern.test(out)) throw new Error(`${what}: unexpected output:\n${out}`);
}

export async function benchPull(entries: number, changes: number, runs: number) {
	const work = mkdtempSync(join(tmpdir(), "registry-bench-pull-"));
	const source = join(work, "source.json");
	const gen = Bun.spawnSync([process.execPath, join(import.meta.dir, "generate.ts"), `${entries}`, source], {
		stdout: "ignore",
		stderr: "pipe",
	});
	if (gen.exitCode !== 0) throw new Error(`bench/generate.ts failed: ${gen.stderr}`);
	const registry = await startRegistry({ env: { MCP_REGISTRY_JSON_FILE_PATH: source } });
	const rows: { what: string; runs: Measured[]; bytes: number }[] = [];
	try {
		const served = Number(/Loaded (\d+) entries/.exec(registry.logs())?.[1]);
		// What a pull keeps by default: active and deprecated entries.
		const doc = JSON.parse(readFileSync(source, "utf8")) as { servers: Entry[] };
		const kept = doc.servers.filter((s) => statusOf(s) !== "deleted").length;

		// The command's own floor: a pull of a one-entry registry file.
		writeFileSync(
			join(work, "one.json"),
			JSON.stringify([{ name: "io.github.bench/one", description: "One", version: "1.0.0" }]),
		);
		const floor: Measured[] = [];
		for (let i = 0; i < runs; i++) {
			const m = await measurePull(["one.json", "-o", `one-${i}.json`, "--quiet"], work);
			expectLine(m.stdout, /: 1 entry \(1 server\): 1 added/, "one-entry pull");
			floor.push(m);
		}
		rows.push({
			what: "a 1-entry file (the floor)",
			runs: floor,
			bytes: statSync(join(work, "one-0.json")).size,
		});

		const full: Measured[] = [];
		for (let i = 0; i < runs; i++) {
			const m = await measurePull([registry.base, "-o", `full-${i}.json`, "--quiet"], work);
			expectLine(m.stdout, new RegExp(`full-${i}\\.json: ${kept} entries .*: ${kept} added`), "full pull");
			full.push(m);
		}
		rows.push({
			what: `full (${served} served, ${kept} kept)`,
			runs: full,
			bytes: statSync(join(work, "full-0.json")).size,
		});

		// CHANGES active entries spread over the file: a new description, updatedAt now.
		const active = doc.servers.filter((s) => statusOf(s) === "active");
		const step = Math.floor(active.length / changes);
		const at = new Date().toISOString();
		for (let i = 0; i < changes; i++) {
			const s = active[i * step] as Entry;
			s.server.description = `Changed for the bench (${i})`;
			s._meta[OFFICIAL] = { ...s._meta[OFFICIAL], updatedAt: at };
		}
		writeFileSync(source, JSON.stringify(doc));
		const logged = registry.logs().length;
		registry.proc.kill("SIGHUP");
		await registry.waitForLog(/Loaded \d+ entries/, 60_000, logged);

		const incremental: Measured[] = [];
		for (let i = 0; i < runs; i++) {
			copyFileSync(join(work, `full-${i}.json`), join(work, `incr-${i}.json`));
			const m = await measurePull([registry.base, "-o", `incr-${i}.json`, "--quiet"], work);
			// What changed, and any deleted entry newer than the newest one kept (not pulled, so
			// asked for again): the source's count may pass CHANGES a little.
			expectLine(m.stdout, /: \d+ entries updated since /, "incremental pull");
			expectLine(m.stdout, new RegExp(`0 added, ${changes} updated, 0 removed`), "incremental pull");
			incremental.push(m);
		}
		rows.push({
			what: `incremental (${changes} changed)`,
			runs: incremental,
			bytes: statSync(join(work, "incr-0.json")).size,
		});

		const unchanged: Measured[] = [];
		for (let i = 0; i < runs; i++) {
			const m = await measurePull([registry.base, "-o", `incr-${i}.json`, "--quiet"], work);
			expectLine(m.stdout, /: unchanged: /, "pull with nothing changed");
			unchanged.push(m);
		}
		rows.push({
			what: "incremental (nothing changed)",
			runs: unchanged,
			bytes: statSync(join(work, "incr-0.json")).size,
		});
		return { rows, sourceBytes: statSync(source).size, served };
	} finally {
		await registry.stop();
		rmSync(work, { recursive: true, force: true });
	}
}

if (import.meta.main) {
	const [entries = 10_000, changes = 50, runs = 3] = process.argv.slice(2).map(Number);
	const { rows, sourceBytes } = await benchPull(entries, changes, runs);
	console.log(
		`registry pull of ${entries} generated entries (${(sourceBytes / 1e6).toFixed(1)} MB source file), served by the registry from source on 127.0.0.1; ${runs} runs each`,
	);
	console.log("");
	console.log(
		"| pull | wall s (median) | wall s (min–max) | peak RSS MiB (VmHWM) | max RSS MiB (getrusage) | FILE MB |",
	);
	console.log("|---|---|---|---|---|---|");
	for (const r of rows) {
		const s = r.runs.map((m) => m.seconds);
		console.log(
			`| ${r.what} | ${median(s).toFixed(2)} | ${Math.min(...s).toFixed(2)}–${Math.max(...s).toFixed(2)} | ${mib(Math.max(...r.runs.map((m) => m.peakKiB)))} | ${mib(Math.max(...r.runs.map((m) => m.maxRssKiB)))} | ${(r.bytes / 1e6).toFixed(1)} |`,
		);
	}
}
