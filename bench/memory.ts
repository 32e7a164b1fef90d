/**
 * Peak memory of a load, as a multiple of the file size: for generated registries of a few sizes,
 * the peak RSS (VmHWM) of the server's start-up load, of a SIGHUP reload, and of
 * `registry validate`, each above the same process idle.
 *
 * - start-up: the server's peak once the file is loaded, less the peak of a server started with
 *   no file (it serves an empty registry);
 * - reload: the peak while a SIGHUP reload of a changed file of the same size is built, less the
 *   RSS just before it (the process serving the old data); the peak is reset first through
 *   /proc/PID/clear_refs;
 * - when the server builds in a process of its own (its log line's `loader=`), that process's
 *   peak too, and the highest sum of both RSS (sampled every 25 ms), in a column of their own;
 * - validate: the maximum RSS of `registry validate FILE` (getrusage), less that of validating a
 *   file of one entry.
 *
 *   bun bench/memory.ts [ENTRIES...]     default 20000 50000 (about 20 and 50 MB), from source
 *   REGISTRY_CMD="bin/registry" bun bench/memory.ts   the same with a built binary
 *
 * Linux only (it reads /proc).
 */
import { copyFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRegistry } from "../test/support/process.ts";
import { resetPeak, type TreePeak, vmKiB, watchTree } from "./procfs.ts";

const ROOT = join(import.meta.dir, "..");

export interface MemoryRow {
	/** What was measured: "start-up", "reload", "validate" (with the loader in brackets). */
	what: string;
	entries: number;
	fileBytes: number;
	/** Peak RSS above the idle process, bytes. */
	aboveIdle: number;
	/** The same, as a multiple of the file size. */
	multiple: number;
	/** The peak itself and what it was measured above, bytes. */
	peak: number;
	idle: number;
	/** The processes the server started for the load (a build process), if any. */
	child?: TreePeak;
}

/** VmRSS or VmHWM, bytes. */
function status(pid: number, field: "VmHWM" | "VmRSS"): number {
	return vmKiB(pid, field) * 1024;
}

/** The `loader=` of the last "Loaded N entries" line of a log. */
function loaderOf(logs: string, from = 0): string {
	const lines = logs.slice(from).match(/Loaded \d+ entries[^\n]*/g) ?? [];
	return /\bloader=(\S+)/.exec(lines.at(-1) ?? "")?.[1] ?? "?";
}

/** Generated in a child process: this one stays small (see validatePeak). */
function writeRegistry(path: string, entries: number, seed: number): number {
	const p = Bun.spawnSync(
		[process.execPath, join(import.meta.dir, "generate.ts"), `${entries}`, path, `${seed}`],
		{
			stdout: "ignore",
			stderr: "ignore",
		},
	);
	if (p.exitCode !== 0) throw new Error(`bench/generate.ts ${entries} failed`);
	return statSync(path).size;
}

/**
 * The maximum RSS of `registry validate FILE` over its whole run, bytes. A child's maximum RSS
 * (getrusage) starts from its parent's RSS at the fork, so the command runs under a small
 * process of its own (this script with --peak), whatever the size of the caller.
 */
async function validatePeak(cmd: string[], file: string): Promise<number> {
	const p = Bun.spawn([process.execPath, import.meta.path, "--peak", ...cmd, "validate", file], {
		cwd: ROOT,
		stdout: "pipe",
		stderr: "ignore",
	});
	const out = await new Response(p.stdout).text();
	await p.exited;
	return Number(out.trim());
}

/** --peak CMD...: runs CMD (output ignored) and prints its maximum RSS in bytes. */
async function peakOf(cmd: string[]): Promise<void> {
	const p = Bun.spawn(cmd, { cwd: ROOT, stdout: "ignore", stderr: "ignore" });
	await p.exited;
	console.log(p.resourceUsage()?.maxRSS ?? 0);
}

async function settle(ms: number): Promise<void> {
	await Bun.sleep(ms);
}

/** The server's peak with no file at all: the idle process every start-up is compared with. */
async function serverIdle(cmd: string[], work: string, env: Record<string, string>): Promise<number> {
	const registry = await startRegistry({
		cmd,
		cwd: work,
		env: { ...env, MCP_REGISTRY_JSON_FILE_PATH: join(work, "missing.json") },
	});
	await settle(500);
	const peak = status(registry.proc.pid, "VmHWM");
	await registry.stop();
	return peak;
}

export async function measureMemory(options: {
	cmd: string[];
	sizes: number[];
	/** Also measure with MCP_REGISTRY_LOAD_WORKER=false (the paced loader). */
	paced?: boolean;
	log?: (s: string) => void;
}): Promise<MemoryRow[]> {
	const log = options.log ?? (() => {});
	const { cmd } = options;
	const work = mkdtempSync(join(tmpdir(), "registry-memory-"));
	const rows: MemoryRow[] = [];
	try {
		const tiny = join(work, "tiny.json");
		writeRegistry(tiny, 1, 1);
		const validateIdle = await validatePeak(cmd, tiny);
		const loaders: [string, Record<string, string>][] = [["default", {}]];
		if (options.paced)
			loaders.push(["MCP_REGISTRY_LOAD_WORKER=false", { MCP_REGISTRY_LOAD_WORKER: "false" }]);
		const idle = new Map<string, number>();
		for (const [name, env] of loaders) idle.set(name, await serverIdle(cmd, work, env));
		for (const entries of options.sizes) {
			const file = join(work, `registry-${entries}.json`);
			const fileBytes = writeRegistry(file, entries, 1);
			const other = join(work, `registry-${entries}-b.json`);
			writeRegistry(other, entries, 2);
			const row = (what: string, peak: number, base: number, child?: TreePeak): MemoryRow => ({
				what,
				entries,
				fileBytes,
				peak,
				idle: base,
				aboveIdle: peak - base,
				multiple: (peak - base) / fileBytes,
				...(child?.children ? { child } : {}),
			});
			log(`memory: validate, ${entries} entries`);
			rows.push(row("validate", await validatePeak(cmd, file), validateIdle));
			for (const [name, env] of loaders) {
				log(`memory: server (${name}), ${entries} entries`);
				const target = join(work, `served-${entries}.json`);
				copyFileSync(file, target);
				// Not waiting for it to listen: the processes it starts are watched from the start.
				const registry = await startRegistry({
					cmd,
					cwd: work,
					env: { ...env, MCP_REGISTRY_JSON_FILE_PATH: target },
					expectListening: false,
				});
				const pid = registry.proc.pid;
				let watch = watchTree(pid);
				try {
					await registry.waitForLog(/Loaded \d+ entries/, 120_000);
					await settle(500);
					rows.push(
						row(
							`start-up (${loaderOf(registry.logs())})`,
							status(pid, "VmHWM"),
							idle.get(name) ?? 0,
							watch.stop(),
						),
					);
					// The reload: another file of the same size, built beside the data being served.
					copyFileSync(other, target);
					await settle(1000);
					const before = status(pid, "VmRSS");
					resetPeak(pid);
					watch = watchTree(pid);
					const from = registry.logs().length;
					registry.proc.kill("SIGHUP");
					await registry.waitForLog(/Loaded \d+ entries/, 120_000, from);
					await settle(500);
					rows.push(
						row(
							`SIGHUP reload (${loaderOf(registry.logs(), from)})`,
							status(pid, "VmHWM"),
							before,
							watch.stop(),
						),
					);
				} finally {
					watch.stop();
					await registry.stop();
				}
			}
		}
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
	return rows;
}

const MiB = 2 ** 20;

/** The rows as a Markdown table. */
export function memoryTable(rows: MemoryRow[]): string {
	const children = rows.some((r) => r.child);
	const lines = [
		`| load | entries | file | peak RSS | above | peak above it | ÷ file size |${children ? " build process peak (with the server) |" : ""}`,
		`| --- | ---: | ---: | ---: | ---: | ---: | ---: |${children ? " ---: |" : ""}`,
	];
	const kib = (n: number) => `${Math.round(n / 1024)} MiB`;
	for (const r of rows) {
		const child = r.child ? `${kib(r.child.child)} (${kib(r.child.together)})` : "–";
		lines.push(
			`| ${r.what} | ${r.entries.toLocaleString("en")} | ${(r.fileBytes / MiB).toFixed(1)} MiB | ${Math.round(r.peak / MiB)} MiB | ${Math.round(r.idle / MiB)} MiB | ${Math.round(r.aboveIdle / MiB)} MiB | ${r.multiple.toFixed(1)}× |${children ? ` ${child} |` : ""}`,
		);
	}
	return lines.join("\n");
}

/**
 * `make bench`'s memory section: the registry's peak memory while it loads (start-up, SIGHUP
 * reload, `registry validate`) as a multiple of the file size, with `cmd` (the built binary).
 */
export async function memoryReport(cmd: string[], quick: boolean, log: (s: string) => void): Promise<string> {
	const sizes = quick ? [5_000] : [20_000, 50_000];
	const rows = await measureMemory({ cmd, sizes, paced: !quick, log });
	return `Peak memory of a load (bench/memory.ts): the peak RSS (VmHWM; for \`registry validate\` its maximum RSS)
above the same process idle — for start-up, a server started with no file; for a SIGHUP reload (another
file of the same size), the RSS just before it — as a multiple of the file size; the loader as the
log line names it. Target: at most 4×. When the server builds in a process of its own, the last column has
that process's peak (VmHWM, sampled every 25 ms) and, in brackets, the highest sum of both RSS.

${memoryTable(rows)}`;
}

if (import.meta.main && process.argv[2] === "--peak") {
	await peakOf(process.argv.slice(3));
} else if (import.meta.main) {
	const sizes = process.argv.slice(2).map(Number);
	const cmd = process.env.REGISTRY_CMD?.split(" ") ?? [process.execPath, join(ROOT, "src", "main.ts")];
	const rows = await measureMemory({
		cmd,
		sizes: sizes.length > 0 ? sizes : [20_000, 50_000],
		paced: process.env.PACED === "1",
		log: (s) => process.stderr.write(`${s}\n`),
	});
	console.log(memoryTable(rows));
}
