/**
 * Starts the registry as a user would — a real process with its environment — and reads its
 * log to learn the port it bound (tests always ask for port 0).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

export const ROOT = join(import.meta.dir, "..", "..");
export const BUN = process.execPath;

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
	const proc = Bun.spawn(options.cmd ?? [BUN, join(ROOT, "src", "main.ts")], {
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

/** A temporary directory removed after the test file. */
export function tempDir(prefix = "registry-test-"): { path: string; cleanup(): void } {
	const path = mkdtempSync(join(tmpdir(), prefix));
	return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
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
