/**
 * Starts the registry as a user would — a real process with its environment — and reads its
 * log to learn the port it bound (tests always ask for port 0); runs its commands (`registry
 * pull`, `diff`, `validate`, …) as processes of their own; crawls what a registry lists.
 */
import { expect } from "bun:test";
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

export const ROOT = join(import.meta.dir, "..", "..");
export const BUN = process.execPath;
/** The registry from source, run with this Bun. */
export const SOURCE_CMD = [BUN, join(ROOT, "src", "main.ts")];

export interface RunningRegistry {
	base: string;
	proc: Subprocess<"ignore", "pipe", "pipe">;
	/** Everything logged so far (stderr). */
	logs(): string;
	/**
	 * Resolves when the log (from character `from` on: pass `logs().length` to wait for a line
	 * still to come) contains `text`; rejects after `ms` or when the process exits without it.
	 */
	waitForLog(text: string | RegExp, ms?: number, from?: number): Promise<void>;
	stop(signal?: NodeJS.Signals): Promise<number>;
}

export interface StartOptions {
	/** The command; default: the source with this Bun. */
	cmd?: string[];
	env?: Record<string, string>;
	cwd?: string;
	/** Wait for the listening line (default) or only for exit. */
	expectListening?: boolean;
	/** The whole environment, nothing inherited (as `env -i`); overrides `env`. */
	bareEnv?: Record<string, string>;
}

/** A clean environment: no MCP_REGISTRY_* or AWS_* from the outside. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
	const env: Record<string, string> = {};
	for (const [k, v] of Object.entries(process.env)) {
		if (v !== undefined && !k.startsWith("MCP_REGISTRY_") && !k.startsWith("AWS_")) env[k] = v;
	}
	return { ...env, MCP_REGISTRY_SERVER_ADDRESS: "127.0.0.1:0", ...extra };
}

export async function startRegistry(options: StartOptions = {}): Promise<RunningRegistry> {
	const proc = Bun.spawn(options.cmd ?? SOURCE_CMD, {
		cwd: options.cwd ?? ROOT,
		env: options.bareEnv ?? cleanEnv(options.env),
		stdin: "ignore",
		stdout: "pipe",
		stderr: "pipe",
	});
	let text = "";
	const waiters: { test: string | RegExp; from: number; resolve: () => void }[] = [];
	const matches = (t: string | RegExp, from = 0) => {
		const since = from > 0 ? text.slice(from) : text;
		return typeof t === "string" ? since.includes(t) : t.test(since);
	};
	const pump = (async () => {
		const decoder = new TextDecoder();
		for await (const chunk of proc.stderr) {
			text += decoder.decode(chunk, { stream: true });
			for (const w of [...waiters]) {
				if (matches(w.test, w.from)) {
					waiters.splice(waiters.indexOf(w), 1);
					w.resolve();
				}
			}
		}
	})();
	const waitForLog = (t: string | RegExp, ms = 15_000, from = 0) =>
		new Promise<void>((resolve, reject) => {
			if (matches(t, from)) return resolve();
			const timer = setTimeout(() => reject(new Error(`timed out waiting for ${t} in log:\n${text}`)), ms);
			waiters.push({
				test: t,
				from,
				resolve: () => {
					clearTimeout(timer);
					resolve();
				},
			});
			proc.exited.then(async () => {
				await pump;
				if (matches(t, from)) resolve();
				else {
					clearTimeout(timer);
					reject(new Error(`process exited (${proc.exitCode}) before ${t}; log:\n${text}`));
				}
			});
		});
	let base = "";
	if (options.expectListening !== false) {
		await waitForLog(/Listening on http:\/\/\S+/);
		const m = /Listening on (http:\/\/\S+)/.exec(text);
		base = m?.[1] ?? "";
	}
	return {
		base,
		proc,
		logs: () => text,
		waitForLog,
		async stop(signal: NodeJS.Signals = "SIGTERM") {
			if (proc.exitCode === null) proc.kill(signal);
			const code = await proc.exited;
			await pump;
			return code;
		},
	};
}

/** Has the registry reload its file (SIGHUP); resolves once it logs `expected` after that. */
export async function reload(r: RunningRegistry, expected: string | RegExp, ms = 15_000): Promise<void> {
	const from = r.logs().length;
	r.proc.kill("SIGHUP");
	await r.waitForLog(expected, ms, from);
}

export interface CliOptions {
	/** The command; default: the source with this Bun (SOURCE_CMD). */
	cmd?: string[];
	/** Default: the repository. */
	cwd?: string;
	env?: Record<string, string>;
	/** The whole environment, nothing inherited (as `env -i`); overrides `env`. */
	bareEnv?: Record<string, string>;
	/** Standard input's text; none: nothing to read. */
	stdin?: string;
}

export interface CliRun {
	code: number;
	stdout: string;
	stderr: string;
}

const spawnOptions = (o: CliOptions) => ({
	cwd: o.cwd ?? ROOT,
	env: o.bareEnv ?? cleanEnv(o.env),
	stdin: o.stdin === undefined ? ("ignore" as const) : Buffer.from(o.stdin),
	stdout: "pipe" as const,
	stderr: "pipe" as const,
});

/** `registry ARGS…` as a process of its own, run to its end. */
export async function runCli(args: string[], o: CliOptions = {}): Promise<CliRun> {
	const p = Bun.spawn([...(o.cmd ?? SOURCE_CMD), ...args], spawnOptions(o));
	const [stdout, stderr, code] = await Promise.all([
		new Response(p.stdout).text(),
		new Response(p.stderr).text(),
		p.exited,
	]);
	return { code, stdout, stderr };
}

/** `runCli`, blocking until the process ends. */
export function runCliSync(args: string[], o: CliOptions = {}): CliRun {
	const p = Bun.spawnSync([...(o.cmd ?? SOURCE_CMD), ...args], spawnOptions(o));
	return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

/** `registry validate --quiet FILE` (the server's own loader) exits 0 and says nothing. */
export async function expectValid(file: string, o: CliOptions = {}): Promise<void> {
	const v = await runCli(["validate", "--quiet", file], o);
	expect({ code: v.code, stderr: v.stderr }).toEqual({ code: 0, stderr: "" });
}

/**
 * Every entry a registry lists, crawled with its own cursors (100 a page); `query` is added to
 * each page's (default: deleted entries too).
 */
export async function listAll<T = Record<string, unknown>>(
	base: string,
	query = "include_deleted=true",
): Promise<T[]> {
	const out: T[] = [];
	let cursor = "";
	do {
		const res = await fetch(
			`${base}/v0.1/servers?limit=100${query ? `&${query}` : ""}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
		);
		const body = (await res.json()) as { servers: T[]; metadata: { nextCursor?: string } };
		out.push(...body.servers);
		cursor = body.metadata.nextCursor ?? "";
	} while (cursor);
	return out;
}

export interface TempDir {
	path: string;
	/**
	 * Writes `name` in the directory: `content` as it is if text, else as JSON; `mtime` its
	 * modification (and access) time. Returns the file's path.
	 */
	write(name: string, content: unknown, mtime?: Date): string;
	cleanup(): void;
}

/** A temporary directory removed after the test file. */
export function tempDir(prefix = "registry-test-"): TempDir {
	const path = mkdtempSync(join(tmpdir(), prefix));
	return {
		path,
		write(name, content, mtime) {
			const file = join(path, name);
			writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
			if (mtime) utimesSync(file, mtime, mtime);
			return file;
		},
		cleanup: () => rmSync(path, { recursive: true, force: true }),
	};
}

export async function getJson(url: string): Promise<{ status: number; body: unknown }> {
	const res = await fetch(url);
	return { status: res.status, body: await res.json() };
}

/**
 * How a start-up ended, for a process started with `expectListening: false`: `"exit N"`, or
 * `"listening"` (then `base` is set); a process that does neither within `ms` is `"no listening
 * line"`. Whatever the outcome, the process has exited or is listening when this resolves.
 */
export async function startUpOutcome(r: RunningRegistry, ms = 20_000): Promise<string> {
	const outcome = await Promise.race([
		r.proc.exited.then((code) => `exit ${code}`),
		r.waitForLog(/Listening on http:\/\/\S+/, ms).then(
			() => "listening",
			() => "no listening line",
		),
	]);
	if (outcome === "listening") r.base = /Listening on (http:\/\/\S+)/.exec(r.logs())?.[1] ?? "";
	else await r.proc.exited;
	return outcome;
}
