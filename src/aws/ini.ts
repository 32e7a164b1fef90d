/**
 * The AWS shared config and credentials files, parsed as the AWS SDK for JavaScript v3 does
 * (comments, `[profile x]` vs `[x]`, sub-sections, merge order).
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export type IniSections = Map<string, Record<string, string>>;

const PREFIXED = /^([\w-]+)\s(["'])?([\w\-@+.%:/]+)\2$/;
const KNOWN_PREFIXES = new Set(["profile", "sso-session", "services"]);

/** Sections → key/value pairs. Prefixed sections become `prefix.name`. */
export function parseIni(text: string): IniSections {
	const out: IniSections = new Map();
	let section: Record<string, string> | undefined;
	let sub: string | undefined;
	for (const rawLine of text.split(/\r?\n/)) {
		const line = rawLine.replace(/(^|\s)[#;].*$/, "").trim();
		if (line === "") continue;
		if (line.startsWith("[") && line.endsWith("]")) {
			sub = undefined;
			const inner = line.slice(1, -1);
			const m = PREFIXED.exec(inner);
			let name: string | undefined;
			if (m) name = KNOWN_PREFIXES.has(m[1] as string) ? `${m[1]}.${m[3]}` : undefined;
			else name = inner;
			if (name === undefined) {
				section = undefined;
				continue;
			}
			section = out.get(name);
			if (!section) {
				section = Object.create(null) as Record<string, string>;
				out.set(name, section);
			}
			continue;
		}
		if (!section) continue;
		const eq = line.indexOf("=");
		if (eq <= 0) continue;
		const key = line.slice(0, eq).trim();
		const value = line.slice(eq + 1).trim();
		const indented = /^\s/.test(rawLine);
		if (sub !== undefined && indented) {
			section[`${sub}.${key}`] = value;
			continue;
		}
		if (value === "") {
			sub = key;
			continue;
		}
		sub = undefined;
		section[key] = value;
	}
	return out;
}

function expandHome(path: string, env: Record<string, string | undefined>): string {
	if (!path.startsWith("~/")) return path;
	const home =
		env.HOME ??
		env.USERPROFILE ??
		(env.HOMEDRIVE && env.HOMEPATH ? `${env.HOMEDRIVE}${env.HOMEPATH}` : undefined) ??
		homedir();
	return join(home, path.slice(2));
}

function readOptional(path: string): string {
	try {
		return readFileSync(path, "utf8");
	} catch {
		return "";
	}
}

export interface SharedFiles {
	configPath: string;
	credentialsPath: string;
	/** Profiles from the config file (`[default]`, `[profile x]`). */
	config: Map<string, Record<string, string>>;
	/** Profiles from the credentials file (section names verbatim). */
	credentials: Map<string, Record<string, string>>;
}

export function loadSharedFiles(env: Record<string, string | undefined>): SharedFiles {
	const configPath = expandHome(env.AWS_CONFIG_FILE ?? "~/.aws/config", env);
	const credentialsPath = expandHome(env.AWS_SHARED_CREDENTIALS_FILE ?? "~/.aws/credentials", env);
	const config = new Map<string, Record<string, string>>();
	const rawConfig = parseIni(readOptional(configPath));
	const plainDefault = rawConfig.get("default");
	if (plainDefault) config.set("default", plainDefault);
	for (const [name, values] of rawConfig) {
		// `[profile default]` replaces `[default]` wholesale; a plain `[name]` is not a profile here.
		if (name.startsWith("profile.")) config.set(name.slice("profile.".length), values);
	}
	return { configPath, credentialsPath, config, credentials: parseIni(readOptional(credentialsPath)) };
}

/** One profile, config and credentials merged key by key, the credentials file winning. */
export function profileOf(files: SharedFiles, name: string): Record<string, string> | undefined {
	const a = files.config.get(name);
	const b = files.credentials.get(name);
	if (!a && !b) return undefined;
	return { ...a, ...b };
}

export function profileName(env: Record<string, string | undefined>): string {
	return env.AWS_PROFILE || "default";
}
