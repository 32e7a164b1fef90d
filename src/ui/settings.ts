/**
 * The UI's settings from the configuration: off (MCP_REGISTRY_UI=false), or its title,
 * organisation, logo (a file read once, at start) and whether servers' own icons are shown.
 */
import { readFileSync, statSync } from "node:fs";
import { extname } from "node:path";
import type { Config } from "../config/variables.ts";
import type { LogoFile } from "./assets.ts";
import type { UiSettings } from "./ui.ts";

export const LOGO_MAX_BYTES = 512 * 1024;

const LOGO_TYPES: Record<string, string> = {
	svg: "image/svg+xml",
	png: "image/png",
	jpg: "image/jpeg",
	jpeg: "image/jpeg",
	webp: "image/webp",
	gif: "image/gif",
};

/** The logo file, or an Error naming the variable and what is wrong. */
export function readLogo(path: string): LogoFile {
	const fail = (why: string) => new Error(`MCP_REGISTRY_UI_LOGO: ${path}: ${why}`);
	const ext = extname(path).slice(1).toLowerCase();
	const type = LOGO_TYPES[ext];
	if (!type) throw fail(`not an image the UI serves (${Object.keys(LOGO_TYPES).join(", ")})`);
	let size: number;
	try {
		const st = statSync(path);
		if (!st.isFile()) throw fail("not a regular file");
		size = st.size;
	} catch (err) {
		if ((err as Error).message.startsWith("MCP_REGISTRY_UI_LOGO")) throw err;
		throw fail((err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message);
	}
	if (size > LOGO_MAX_BYTES) throw fail(`${size} bytes, more than ${LOGO_MAX_BYTES}`);
	if (size === 0) throw fail("empty");
	return { bytes: new Uint8Array(readFileSync(path)), type, ext: ext === "jpeg" ? "jpg" : ext };
}

/** The UI's settings, or undefined when it is off; throws an Error for a logo that cannot be served. */
export function uiSettings(
	config: Pick<Config, "ui" | "uiTitle" | "uiOrganization" | "uiLogo" | "uiRemoteIcons">,
): UiSettings | undefined {
	if (!config.ui) return undefined;
	const settings: UiSettings = { title: config.uiTitle, remoteIcons: config.uiRemoteIcons };
	if (config.uiOrganization?.trim()) settings.organization = config.uiOrganization.trim();
	if (config.uiLogo) settings.logo = readLogo(config.uiLogo);
	return settings;
}
