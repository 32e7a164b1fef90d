/**
 * Compiles bin/registry: one standalone executable, minified, stamped with version, commit and
 * build time, and blind to stray .env / bunfig.toml files where it runs.
 *
 *   bun scripts/build.ts [--target bun-linux-x64] [--outfile bin/registry]
 */
import { execSync } from "node:child_process";
import pkg from "../package.json" with { type: "json" };

function arg(name: string): string | undefined {
	const i = process.argv.indexOf(name);
	return i >= 0 ? process.argv[i + 1] : undefined;
}

function git(cmd: string): string | undefined {
	try {
		return (
			execSync(`git ${cmd}`, { stdio: ["ignore", "pipe", "ignore"] })
				.toString()
				.trim() || undefined
		);
	} catch {
		return undefined;
	}
}

/** A build variable, unless unset or empty (`docker build` passes an ARG without a value as ""). */
function stamp(name: "BUILD_GIT_COMMIT" | "BUILD_VERSION" | "BUILD_TIME"): string | undefined {
	return process.env[name]?.trim() || undefined;
}

const commit = stamp("BUILD_GIT_COMMIT") ?? git("rev-parse HEAD") ?? "unknown";
const dirty = git("status --porcelain --untracked-files=no") ? "-dirty" : "";
const version =
	stamp("BUILD_VERSION") ?? `${pkg.version}${commit === "unknown" ? "" : `+${commit.slice(0, 7)}${dirty}`}`;
const buildTime = stamp("BUILD_TIME") ?? new Date().toISOString().replace(/\.\d+Z$/, "Z");
const outfile = arg("--outfile") ?? "bin/registry";
const target = arg("--target");

const result = await Bun.build({
	entrypoints: ["src/main.ts", "src/registry/load-worker.ts"],
	minify: true,
	sourcemap: "none",
	define: {
		BUILD_VERSION: JSON.stringify(version),
		BUILD_GIT_COMMIT: JSON.stringify(commit),
		BUILD_TIME: JSON.stringify(buildTime),
	},
	compile: {
		outfile,
		...(target ? { target: target as Bun.Build.CompileTarget } : {}),
		autoloadDotenv: false,
		autoloadBunfig: false,
		autoloadTsconfig: false,
		autoloadPackageJson: false,
	},
});
if (!result.success) {
	for (const log of result.logs) console.error(log);
	process.exit(1);
}
console.error(`${outfile}: registry ${version} (${commit.slice(0, 12)}, ${buildTime})`);
