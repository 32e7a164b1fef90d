/**
 * Release binaries: `registry` for linux x64 and arm64 (glibc and musl), macOS x64 and arm64 and
 * windows x64, each stamped like `make build` and blind to stray .env / bunfig.toml files, plus
 * SHA256SUMS. Cross-compiling fetches each target's Bun runtime from the npm registry.
 *
 *   bun scripts/dist.ts [OUTDIR]
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

export const TARGETS = [
	["bun-linux-x64", "registry-linux-x64"],
	["bun-linux-arm64", "registry-linux-arm64"],
	["bun-linux-x64-musl", "registry-linux-x64-musl"],
	["bun-linux-arm64-musl", "registry-linux-arm64-musl"],
	["bun-darwin-x64", "registry-darwin-x64"],
	["bun-darwin-arm64", "registry-darwin-arm64"],
	["bun-windows-x64", "registry-windows-x64.exe"],
] as const;

const out = process.argv[2] ?? "dist";
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const sums: string[] = [];
for (const [target, name] of TARGETS) {
	const file = join(out, name);
	const p = Bun.spawnSync(
		[process.execPath, join(import.meta.dir, "build.ts"), "--target", target, "--outfile", file],
		{
			stdout: "inherit",
			stderr: "inherit",
		},
	);
	if (p.exitCode !== 0) {
		console.error(`dist: building ${target} failed`);
		process.exit(1);
	}
	const sha = createHash("sha256").update(readFileSync(file)).digest("hex");
	sums.push(`${sha}  ${basename(file)}`);
	console.error(`${file}: ${statSync(file).size.toLocaleString("en")} bytes`);
}
writeFileSync(join(out, "SHA256SUMS"), `${sums.join("\n")}\n`);
console.error(`${join(out, "SHA256SUMS")}: ${sums.length} binaries`);
