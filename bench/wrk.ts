/**
 * The load generator of `make bench`: Debian's `wrk` (a C client), one thread, 32 connections, so
 * that on a 2-core machine the server, not the client, is the bottleneck. Every run records the CPU
 * time both sides used over the same window — the client's from getrusage of the finished wrk
 * process, the server's (and the static baseline's) from /proc/PID/stat, with any process it
 * started — and the rest of the machine's, so a reader can see which side was saturated.
 *
 * What wrk sends is set by a Lua script written to a temporary directory: one fixed path (no
 * `request` function, so wrk reuses one prebuilt request), several paths cycled, or a fresh path
 * per request from a counter; optional extra headers; and a `done` function that prints the
 * results as one JSON line.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { machineCpu, processCpu } from "./procfs.ts";

export const THREADS = 1;
export const CONNECTIONS = 32;

/** What a run sends: one path, several cycled, or a fresh one per request. */
export interface Requests {
	/** Cycled in order (one path: the same request every time). */
	paths?: string[];
	/**
	 * A fresh path per request: a Lua expression of the request counter `n`, which starts at a new
	 * value for every run (so no two runs of a bench send the same path).
	 */
	fresh?: string;
	headers?: Record<string, string>;
}

export interface WrkOptions extends Requests {
	/** http://host:port, no path. */
	base: string;
	/** Whole seconds (wrk counts in seconds). */
	seconds: number;
	connections?: number;
	/** The server's process: its CPU time over the run (with its children's) is recorded. */
	serverPid?: number;
	/** A directory for the Lua script. */
	dir: string;
}

export interface WrkResult {
	requests: number;
	/** Seconds, as wrk measured them. */
	duration: number;
	rps: number;
	/** Latencies in ms. */
	p50: number;
	p99: number;
	max: number;
	errors: { connect: number; read: number; write: number; status: number; timeout: number };
	/** Responses with a status of 400 or more (wrk's errors.status): not 2xx/3xx. */
	non2xx3xx: number;
	/** Socket errors and timeouts. */
	socketErrors: number;
	/** CPU seconds over the run: wrk's (user + system), the server's, and everything else's. */
	cpu: { client: number; server: number; other: number; wall: number };
}

function run(cmd: string[]): boolean {
	process.stderr.write(`$ ${cmd.join(" ")}\n`);
	const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
	return (
		spawnSync(cmd[0] as string, cmd.slice(1), { env, stdio: ["ignore", "ignore", "inherit"] }).status === 0
	);
}

/**
 * The path of `wrk`, installing Debian's package when it is missing (as root, or through
 * `sudo -n`; `apt-get update` first when the install fails). Throws with a clear message when it
 * cannot.
 */
export function ensureWrk(): string {
	const found = Bun.which("wrk");
	if (found) return found;
	process.stderr.write("wrk is not installed: installing Debian's package\n");
	const root = process.getuid?.() === 0;
	const sudo = root ? [] : ["sudo", "-n"];
	if (!root && !Bun.which("sudo")) {
		throw new Error(
			"make bench needs wrk: run `apt-get install -y wrk` as root (not root here, and no sudo)",
		);
	}
	const install = [...sudo, "apt-get", "install", "-y", "wrk"];
	if (!run(install)) {
		run([...sudo, "apt-get", "update"]);
		run(install);
	}
	const installed = Bun.which("wrk");
	if (!installed) {
		throw new Error(
			`make bench needs wrk and could not install it${root ? "" : " (sudo -n)"}: run \`apt-get update && apt-get install -y wrk\` as root, then make bench again`,
		);
	}
	return installed;
}

export function wrkVersion(wrk: string): string {
	const out = spawnSync(wrk, ["-v"]).stdout?.toString() ?? "";
	return /^wrk (\S+)/.exec(out)?.[1] ?? "unknown";
}

/**
 * A Lua string literal for any text: a long bracket whose level does not occur in it. (Where it
 * follows a name, leave a space: `t[ [[k]] ]`, as `t[[k]]` is a call.)
 */
function luaString(s: string): string {
	let eq = "";
	while (s.includes(`]${eq}]`)) eq += "=";
	return `[${eq}[${s}]${eq}]`;
}

/** Counters of successive runs start this far apart: no run sends another's fresh paths. */
let nextStart = Math.floor(Math.random() * 1000) * 10_000_000;

function luaScript(r: Requests): string {
	const lines: string[] = [];
	for (const [k, v] of Object.entries(r.headers ?? {}))
		lines.push(`wrk.headers[ ${luaString(k)} ] = ${luaString(v)}`);
	if (r.fresh) {
		nextStart += 10_000_000;
		lines.push(
			`local n = ${nextStart}`,
			"request = function()",
			"  n = n + 1",
			`  return wrk.format(nil, ${r.fresh})`,
			"end",
		);
	} else if (r.paths && r.paths.length > 1) {
		lines.push(
			`local paths = {${r.paths.map(luaString).join(", ")}}`,
			"local requests = {}",
			// Built in init: before it, wrk.headers has no Host yet.
			"init = function(args)",
			"  for i, p in ipairs(paths) do requests[i] = wrk.format(nil, p) end",
			"end",
			"local i = 0",
			"request = function()",
			"  i = i % #requests + 1",
			"  return requests[i]",
			"end",
		);
	}
	lines.push(
		"done = function(summary, latency, requests)",
		"  local e = summary.errors",
		'  io.write(string.format("\\nWRK_JSON {\\"requests\\":%d,\\"duration_us\\":%d,\\"p50_us\\":%d,\\"p99_us\\":%d,\\"max_us\\":%d,\\"connect\\":%d,\\"read\\":%d,\\"write\\":%d,\\"status\\":%d,\\"timeout\\":%d}\\n",',
		"    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,",
		"    e.connect, e.read, e.write, e.status, e.timeout))",
		"end",
	);
	return `${lines.join("\n")}\n`;
}

let scripts = 0;

/** The URL and script arguments of one wrk run. */
function wrkArgs(o: WrkOptions, seconds: number): string[] {
	const script = join(o.dir, `wrk-${++scripts}.lua`);
	writeFileSync(script, luaScript(o));
	const path = !o.fresh && o.paths?.length === 1 ? (o.paths[0] as string) : "/";
	return [
		`-t${THREADS}`,
		`-c${o.connections ?? CONNECTIONS}`,
		`-d${seconds}s`,
		"-s",
		script,
		`${o.base}${path}`,
	];
}

/** A running wrk: `stop()` ends it early (SIGINT: wrk still reports), `result` its numbers. */
export interface WrkRun {
	result: Promise<WrkResult>;
	stop(): void;
}

export function startWrk(wrk: string, o: WrkOptions): WrkRun {
	const args = wrkArgs(o, o.seconds);
	const server0 = o.serverPid ? processCpu(o.serverPid) : 0;
	const machine0 = machineCpu();
	const t0 = performance.now();
	const proc = Bun.spawn([wrk, ...args], { stdout: "pipe", stderr: "pipe" });
	const result = (async () => {
		const [out, err] = await Promise.all([
			new Response(proc.stdout).text(),
			new Response(proc.stderr).text(),
		]);
		const code = await proc.exited;
		const wall = (performance.now() - t0) / 1000;
		const server = o.serverPid ? processCpu(o.serverPid) - server0 : 0;
		const machine = machineCpu() - machine0;
		const line = /^WRK_JSON (.*)$/m.exec(out)?.[1];
		if (code !== 0 || !line || /\.lua:\d+:/.test(out + err))
			throw new Error(`wrk ${args.join(" ")} failed (exit ${code}):\n${out}${err}`);
		const j = JSON.parse(line) as Record<string, number>;
		const usage = proc.resourceUsage();
		const client = usage ? Number(usage.cpuTime.total) / 1e6 : 0;
		const duration = (j.duration_us ?? 0) / 1e6;
		const errors = {
			connect: j.connect ?? 0,
			read: j.read ?? 0,
			write: j.write ?? 0,
			status: j.status ?? 0,
			timeout: j.timeout ?? 0,
		};
		return {
			requests: j.requests ?? 0,
			duration,
			rps: duration > 0 ? (j.requests ?? 0) / duration : 0,
			p50: (j.p50_us ?? 0) / 1000,
			p99: (j.p99_us ?? 0) / 1000,
			max: (j.max_us ?? 0) / 1000,
			errors,
			non2xx3xx: errors.status,
			socketErrors: errors.connect + errors.read + errors.write + errors.timeout,
			cpu: { client, server, other: Math.max(0, machine - client - server), wall },
		};
	})();
	return { result, stop: () => proc.kill("SIGINT") };
}

/** One run of `seconds`, after an optional warm-up run (its numbers dropped). */
export async function runWrk(wrk: string, o: WrkOptions & { warmup?: number }): Promise<WrkResult> {
	if (o.warmup && o.warmup > 0) await startWrk(wrk, { ...o, seconds: o.warmup }).result;
	return startWrk(wrk, o).result;
}
