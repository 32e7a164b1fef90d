/**
 * The compiled binary, built once per test run from this source, so end-to-end tests always
 * exercise what `make build` would ship. It goes under node_modules/.cache/registry-test-bin/,
 * one folder per test process: `bun test` runs no exit hook, so each run removes the folders of
 * runs that are over instead (a 100 MB binary left in /tmp per run adds up).
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { BUN, cleanEnv, ROOT } from "./process.ts";

let built: Promise<string> | undefined;
const cache = join(ROOT, "node_modules", ".cache", "registry-test-bin");

const running = (pid: number) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
};

mkdirSync(cache, { recursive: true });
for (const name of readdirSync(cache)) {
	const pid = Number(name);
	if (pid !== process.pid && !(Number.isInteger(pid) && running(pid))) {
		rmSync(join(cache, name), { recursive: true, force: true });
	}
}
const dir = join(cache, String(process.pid));
mkdirSync(dir, { recursive: true });

export const BINARY_VERSION = "9.9.9-test";

export function buildBinary(): Promise<string> {
	built ??= (async () => {
		const out = join(dir, "registry");
		const p = Bun.spawn([BUN, join(ROOT, "scripts", "build.ts"), "--outfile", out], {
			cwd: ROOT,
			env: { ...cleanEnv(), BUILD_VERSION: BINARY_VERSION, BUILD_TIME: "2026-11-25T00:00:00Z" },
			stdout: "pipe",
			stderr: "pipe",
		});
		if ((await p.exited) !== 0) throw new Error(`build failed:\n${await new Response(p.stderr).text()}`);
		return out;
	})();
	return built;
}
