/**
 * One instance per address: the compiled binary binds its port exclusively (no SO_REUSEPORT), so
 * a second instance started on the first one's address stops at once, non-zero, with an error
 * naming the address, and the first keeps answering every request.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { buildBinary } from "../support/binary.ts";
import { ROOT, type RunningRegistry, startRegistry, tempDir } from "../support/process.ts";

const work = tempDir("registry-listen-");
const cwd = join(work.path, "site");
let binary = "";
const running: RunningRegistry[] = [];

beforeAll(async () => {
	binary = await buildBinary();
	mkdirSync(join(cwd, "data"), { recursive: true });
	copyFileSync(join(ROOT, "data", "registry.json"), join(cwd, "data", "registry.json"));
}, 120_000);

afterAll(async () => {
	for (const r of running) await r.stop("SIGKILL");
	work.cleanup();
});

async function start(address: string, env: Record<string, string> = {}, expectListening = true) {
	const r = await startRegistry({
		cmd: [binary],
		cwd,
		env: { MCP_REGISTRY_SERVER_ADDRESS: address, ...env },
		expectListening,
	});
	running.push(r);
	return r;
}

/** The second instance's exit code; fails at once should it listen instead (both would answer). */
async function exitCode(r: RunningRegistry): Promise<number> {
	const listening = r.waitForLog("Listening on", 20_000).then(
		() => "listening",
		() => "no",
	);
	const outcome = await Promise.race([r.proc.exited, listening]);
	if (outcome === "listening") throw new Error(`the second instance listens too:\n${r.logs()}`);
	return r.proc.exited;
}

/** The error lines of a text log, message only. */
const errors = (log: string) =>
	log
		.split("\n")
		.filter((l) => / ERROR /.test(l))
		.map((l) => l.replace(/^\S+ ERROR +/, ""));

describe("a second instance on an address in use", () => {
	const cases: [label: string, host: string, shown: string][] = [
		["IPv4", "127.0.0.1", "127.0.0.1"],
		["IPv6", "[::1]", "[::1]"],
	];
	for (const [label, host, shown] of cases) {
		test(`${label}: exits non-zero with "address ${shown}:PORT is already in use"; the first keeps answering`, async () => {
			const first = await start(`${host}:0`);
			const port = Number(new URL(first.base).port);
			expect(port).toBeGreaterThan(0);

			const second = await start(`${host}:${port}`, {}, false);
			expect(await exitCode(second)).not.toBe(0);
			await second.stop();
			expect(errors(second.logs())).toEqual([`address ${shown}:${port} is already in use`]);
			expect(second.logs()).not.toContain("Listening on");

			// Every connection reaches the first instance, which is still serving.
			for (let i = 0; i < 20; i++) {
				const res = await fetch(`${first.base}/v0/ping`);
				expect(res.status).toBe(200);
				expect(await res.json()).toEqual({ pong: true });
			}
			expect(first.proc.exitCode).toBeNull();
			expect(await first.stop()).toBe(0);
		}, 30_000);
	}

	test("in JSON logs the message is the same, alone", async () => {
		const first = await start("127.0.0.1:0");
		const port = Number(new URL(first.base).port);
		const second = await start(`127.0.0.1:${port}`, { MCP_REGISTRY_LOG_FORMAT: "json" }, false);
		expect(await exitCode(second)).not.toBe(0);
		await second.stop();
		const records = second
			.logs()
			.split("\n")
			.filter((l) => l.startsWith("{"))
			.map((l) => JSON.parse(l) as Record<string, unknown>)
			.filter((r) => r.level === "error");
		expect(records.map((r) => r.msg)).toEqual([`address 127.0.0.1:${port} is already in use`]);
		expect(await first.stop()).toBe(0);
	}, 30_000);
});
