/**
 * Debian's Chromium for the browser tests, driven by playwright-core (which downloads no browser:
 * the machine has no internet). Installed with apt-get when /usr/bin/chromium is missing (as
 * root, or through `sudo -n`); where it cannot be had, `chromiumPath()` throws an error that says
 * so and how to get it, and every browser test fails with it: never a silent skip.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const CHROMIUM = "/usr/bin/chromium";

/**
 * The flags of spec/testing.md: headless, and none of Chromium's own background traffic (which
 * the closed network refuses, and which would muddy "no request leaves the origin"). Playwright
 * adds a new, empty --user-data-dir of its own for every launch.
 */
export const CHROMIUM_ARGS = [
	"--headless",
	"--no-sandbox",
	"--disable-gpu",
	"--disable-quic",
	"--no-first-run",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
];

function run(cmd: string[]): { ok: boolean; output: string } {
	const r = spawnSync(cmd[0] as string, cmd.slice(1), {
		env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
		encoding: "utf8",
		timeout: 15 * 60_000,
	});
	const output = `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}`;
	return { ok: r.status === 0, output: output.split("\n").slice(-15).join("\n") };
}

let installed: string | undefined;

/** /usr/bin/chromium, installed first if missing; throws a clear error when it cannot be. */
export function chromiumPath(): string {
	if (installed) return installed;
	if (!existsSync(CHROMIUM)) {
		const root = process.getuid?.() === 0;
		const prefix = root ? [] : ["sudo", "-n"];
		process.stderr.write(
			`browser tests: ${CHROMIUM} is missing; installing Debian's chromium with apt-get…\n`,
		);
		const update = run([...prefix, "apt-get", "update"]);
		const install = update.ok ? run([...prefix, "apt-get", "install", "-y", "chromium"]) : update;
		if (!install.ok || !existsSync(CHROMIUM)) {
			throw new Error(
				`THE BROWSER TESTS CANNOT RUN: ${CHROMIUM} is missing and could not be installed ` +
					`(${root ? "as root" : "with sudo -n"}: apt-get ${update.ok ? "install -y chromium" : "update"} failed).\n` +
					"Install Debian's Chromium (as root: apt-get update && apt-get install -y chromium), then run the tests again.\n" +
					`apt-get said:\n${install.output}`,
			);
		}
	}
	installed = CHROMIUM;
	return installed;
}
