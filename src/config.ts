/**
 * MCP_REGISTRY_* variables → one typed, validated Config. The variables and their schemas are
 * declared once, in config/variables.ts; here they are read from the environment, with every bad
 * value reported at once, and unknown MCP_REGISTRY_* names warned about.
 */
import * as v from "valibot";
import { CONFIG_ENTRIES, type Config, PREFIX, VARIABLES } from "./config/variables.ts";
import { redactText } from "./redact.ts";

export { type Config, type ListenAddress, PREFIX, VARIABLES, type VariableSpec } from "./config/variables.ts";

/** Variables of the Go registry that a read-only replica accepts and does not use. */
export const IGNORED_VARIABLES = [
	"JWT_PRIVATE_KEY",
	"ENABLE_ANONYMOUS_AUTH",
	"ENABLE_REGISTRY_VALIDATION",
	"GITHUB_CLIENT_SECRET",
	"DATABASE_URL",
	"ENVIRONMENT",
	"OIDC_ENABLED",
	"OIDC_ISSUER",
	"OIDC_CLIENT_ID",
	"OIDC_EXTRA_CLAIMS",
	"OIDC_EDIT_PERMISSIONS",
	"OIDC_PUBLISH_PERMISSIONS",
	"S3_BUCKET_NAME",
].map((n) => PREFIX + n);

export class ConfigError extends Error {
	readonly problems: string[];

	constructor(problems: string[]) {
		// A value is quoted in its problem: never with a URL's password (`http://***@host/`).
		const shown = problems.map(redactText);
		super(
			shown.length === 1
				? `invalid configuration: ${shown[0]}`
				: `invalid configuration:\n  ${shown.join("\n  ")}`,
		);
		this.name = "ConfigError";
		this.problems = shown;
	}
}

export interface LoadedConfig {
	config: Config;
	/** Likely typos: unknown MCP_REGISTRY_* variables, each with a hint. */
	warnings: string[];
	/** Go-registry variables that were set and are not used here. */
	ignored: string[];
}

function editDistance(a: string, b: string): number {
	const row = Array.from({ length: b.length + 1 }, (_, i) => i);
	for (let i = 1; i <= a.length; i++) {
		let prev = row[0] ?? 0;
		row[0] = i;
		for (let j = 1; j <= b.length; j++) {
			const cur = row[j] ?? 0;
			row[j] = Math.min(cur + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
			prev = cur;
		}
	}
	return row[b.length] ?? 0;
}

function describeDatabaseType(raw: string): string {
	if (raw.toLowerCase() === "postgres" || raw.toLowerCase() === "postgresql") {
		return `${PREFIX}DATABASE_TYPE=${raw} is not supported: this build serves jsonfile only (a read-only registry loaded from MCP_REGISTRY_JSON_FILE_PATH)`;
	}
	return `${PREFIX}DATABASE_TYPE must be "jsonfile" (got ${JSON.stringify(raw)}); this build serves jsonfile only`;
}

/** Parses the environment. Throws ConfigError listing every bad variable at once. */
export function loadConfig(env: Record<string, string | undefined>): LoadedConfig {
	// As written (for messages), and as parsed: trimmed, "" when unset without a default.
	const raw = new Map(VARIABLES.map((s) => [s.key, env[PREFIX + s.name] ?? s.default]));
	const input = Object.fromEntries(VARIABLES.map((s) => [s.key, raw.get(s.key)?.trim() ?? ""]));
	const result = v.safeParse(CONFIG_ENTRIES, input);
	const bad = new Set(result.issues?.map((issue) => issue.path?.[0]?.key));
	const problems = VARIABLES.filter((s) => bad.has(s.key)).map((s) => {
		const given = raw.get(s.key) ?? "";
		return s.name === "DATABASE_TYPE"
			? describeDatabaseType(given)
			: `${PREFIX}${s.name} must be ${s.accepts} (got ${JSON.stringify(given)})`;
	});
	// Checked even when other variables are bad, so that every problem is reported at once.
	const sqsEnabled = v.safeParse(CONFIG_ENTRIES.entries.sqsEnabled, input.sqsEnabled);
	const sqsQueueUrl = v.safeParse(CONFIG_ENTRIES.entries.sqsQueueUrl, input.sqsQueueUrl);
	if (sqsEnabled.success && sqsEnabled.output && !(sqsQueueUrl.success && sqsQueueUrl.output !== undefined)) {
		problems.push(`${PREFIX}SQS_QUEUE_URL is required when ${PREFIX}SQS_ENABLED=true`);
	}
	// The mirror is the data's one source: S3 updates beside it would overwrite each other.
	const mirrorFrom = v.safeParse(CONFIG_ENTRIES.entries.mirrorFrom, input.mirrorFrom);
	if (mirrorFrom.success && mirrorFrom.output !== undefined) {
		if (sqsEnabled.success && sqsEnabled.output) {
			problems.push(
				`${PREFIX}MIRROR_FROM and ${PREFIX}SQS_ENABLED=true exclude each other: the data comes from one source (the mirror, or S3 via SQS)`,
			);
		}
		if (input.s3Url) {
			problems.push(
				`${PREFIX}MIRROR_FROM and ${PREFIX}S3_URL exclude each other: the data comes from one source (the mirror, or S3)`,
			);
		}
	}
	if (!result.success || problems.length > 0) throw new ConfigError(problems);

	const known = new Set(VARIABLES.map((s) => PREFIX + s.name));
	const warnings: string[] = [];
	// The mirror's settings without a mirror: most likely MIRROR_FROM was forgotten or misspelt.
	if (result.output.mirrorFrom === undefined) {
		for (const s of VARIABLES) {
			const name = PREFIX + s.name;
			const given = env[name]?.trim();
			// Set to its default (a deployment template): nothing is lost.
			if (s.name.startsWith("MIRROR_") && s.name !== "MIRROR_FROM" && given && given !== s.default) {
				warnings.push(`${name} is set but ${PREFIX}MIRROR_FROM is not: it is ignored`);
			}
		}
	}
	const ignoredSet = new Set(IGNORED_VARIABLES);
	const ignored: string[] = [];
	for (const name of Object.keys(env).sort()) {
		if (!name.startsWith(PREFIX) || known.has(name)) continue;
		if (ignoredSet.has(name)) {
			ignored.push(name);
			continue;
		}
		let best: string | undefined;
		let bestDistance = 4;
		for (const k of [...known, ...ignoredSet]) {
			const d = editDistance(name, k);
			if (d < bestDistance) {
				best = k;
				bestDistance = d;
			}
		}
		warnings.push(
			best
				? `unknown variable ${name} is ignored (did you mean ${best}?)`
				: `unknown variable ${name} is ignored (see --help for the variables this registry reads)`,
		);
	}
	return { config: result.output, warnings, ignored };
}

/** The variable table as help text. */
export function describeVariables(): string {
	const rows = VARIABLES.map((s) => {
		const def = s.default === undefined ? "(unset)" : s.default;
		return `  ${PREFIX}${s.name}\n      ${s.description}\n      Accepts ${s.accepts}. Default: ${def}`;
	});
	return rows.join("\n");
}
