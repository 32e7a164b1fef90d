/**
 * The compiled binary, built once per test run from this source into a temp dir, so end-to-end
 * tests always exercise what `make build` would ship.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, cleanEnv, ROOT } from "./process.ts";

let built: Promise<string> | undefined;
const dir = mkdtempSync(join(tmpdir(), "registry-bin-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

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
