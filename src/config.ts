/**
 * MCP_REGISTRY_* variables → one typed, validated Config. Each variable is declared once
 * below (name, default, what it accepts, valibot schema); the same table feeds `--help` and
 * the error messages, so they cannot disagree.
 */
import * as v from "valibot";

export interface ListenAddress {
	hostname: string;
	port: number;
}

export interface Config {
	serverAddress: ListenAddress;
	databaseType: "jsonfile";
	jsonFilePath: string;
	invalidEntries: "reject" | "skip";
	seedFrom: string | undefined;
	logFormat: "text" | "json";
	logLevel: "debug" | "info" | "warn" | "error";
	githubClientId: string | undefined;
	registryVersion: string;
	cacheMaxAge: number;
	sqsEnabled: boolean;
	sqsQueueUrl: string | undefined;
	sqsWaitTimeSeconds: number;
	sqsMaxMessages: number;
	sqsVisibilityTimeout: number | undefined;
	sqsAllowedBuckets: string[] | undefined;
	s3MaxBytes: number;
	awsRegion: string | undefined;
	s3Url: string | undefined;
	s3PollSeconds: number;
	s3ForcePathStyle: boolean;
	sqsRetryDelaySeconds: number;
	loadWorker: boolean;
}

export const PREFIX = "MCP_REGISTRY_";

interface VariableSpec<K extends keyof Config = keyof Config> {
	key: K;
	/** Name without the MCP_REGISTRY_ prefix. */
	name: string;
	/** Default as the user would write it; undefined = unset. */
	default: string | undefined;
	/** What the variable accepts, for help text and errors. */
	accepts: string;
	description: string;
	schema: v.GenericSchema<string, Config[K]>;
}

function spec<K extends keyof Config>(s: VariableSpec<K>): VariableSpec<K> {
	return s;
}

const BOOL_TRUE = ["1", "t", "true"];
const BOOL_FALSE = ["0", "f", "false"];

const bool = v.pipe(
	v.string(),
	v.transform((s) => s.toLowerCase()),
	v.check((s) => BOOL_TRUE.includes(s) || BOOL_FALSE.includes(s)),
	v.transform((s) => BOOL_TRUE.includes(s)),
);

function integer(min: number, max: number) {
	return v.pipe(
		v.string(),
		v.regex(/^\+?\d+$/),
		v.transform(Number),
		v.number(),
		v.minValue(min),
		v.maxValue(max),
	);
}

const optionalText = v.pipe(
	v.string(),
	v.transform((s) => (s === "" ? undefined : s)),
);

const UNITS: Record<string, number> = {
	"": 1,
	b: 1,
	k: 1024,
	kb: 1000,
	kib: 1024,
	m: 1024 ** 2,
	mb: 1000 ** 2,
	mib: 1024 ** 2,
	g: 1024 ** 3,
	gb: 1000 ** 3,
	gib: 1024 ** 3,
};

const byteSize = v.pipe(
	v.string(),
	v.regex(/^\d+\s*[a-zA-Z]{0,3}$/),
	v.transform((s) => {
		const m = /^(\d+)\s*([a-zA-Z]*)$/.exec(s);
		const unit = UNITS[(m?.[2] ?? "").toLowerCase()];
		return unit === undefined ? Number.NaN : Number(m?.[1]) * unit;
	}),
	v.number(),
	v.check((n) => Number.isSafeInteger(n) && n >= 1),
);

const address = v.pipe(
	v.string(),
	v.transform((s): ListenAddress | undefined => {
		const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(s.trim());
		if (!m) return undefined;
		const port = Number(m[3]);
		if (port > 65535) return undefined;
		return { hostname: m[1] ?? (m[2] || "0.0.0.0"), port };
	}),
	v.check((a) => a !== undefined),
	v.transform((a) => a as ListenAddress),
);

const httpUrl = v.pipe(
	v.string(),
	v.check((s) => {
		try {
			const u = new URL(s);
			return u.protocol === "https:" || u.protocol === "http:";
		} catch {
			return false;
		}
	}),
);

const bucketList = v.pipe(
	v.string(),
	v.transform((s) =>
		s
			.split(",")
			.map((b) => b.trim())
			.filter((b) => b !== ""),
	),
	v.check((list) => list.every((b) => /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(b))),
	v.transform((list) => (list.length === 0 ? undefined : list)),
);

export const VARIABLES: VariableSpec[] = [
	spec({
		key: "serverAddress",
		name: "SERVER_ADDRESS",
		default: ":8080",
		accepts: '":PORT" (all interfaces), "HOST:PORT" or "[IPv6]:PORT", port 0-65535',
		description: "Address the HTTP server listens on.",
		schema: address,
	}),
	spec({
		key: "databaseType",
		name: "DATABASE_TYPE",
		default: "jsonfile",
		accepts: '"jsonfile" (this build serves jsonfile only; postgres is not supported)',
		description: "Storage backend. Only jsonfile: this registry is a read-only replica of a file.",
		schema: v.picklist(["jsonfile"]),
	}),
	spec({
		key: "jsonFilePath",
		name: "JSON_FILE_PATH",
		default: "data/registry.json",
		accepts: "a file path",
		description: "The registry file: loaded at start and on SIGHUP, replaced by S3 downloads.",
		schema: v.pipe(v.string(), v.minLength(1)),
	}),
	spec({
		key: "invalidEntries",
		name: "INVALID_ENTRIES",
		default: "reject",
		accepts: '"reject" (one invalid entry fails the load) or "skip" (drop invalid entries)',
		description: "What to do with entries that fail validation.",
		schema: v.picklist(["reject", "skip"]),
	}),
	spec({
		key: "seedFrom",
		name: "SEED_FROM",
		default: undefined,
		accepts: "a file path, an http(s) URL of a registry's /v0/servers or /v0.1/servers, or s3://bucket/key",
		description: "Initial data when the registry file does not exist yet; written to JSON_FILE_PATH.",
		schema: optionalText,
	}),
	spec({
		key: "logFormat",
		name: "LOG_FORMAT",
		default: "text",
		accepts: '"text" or "json"',
		description: "Log lines as text, or one JSON object per line.",
		schema: v.picklist(["text", "json"]),
	}),
	spec({
		key: "logLevel",
		name: "LOG_LEVEL",
		default: "info",
		accepts: '"debug", "info", "warn" or "error"',
		description: "Least severe level that is logged.",
		schema: v.picklist(["debug", "info", "warn", "error"]),
	}),
	spec({
		key: "githubClientId",
		name: "GITHUB_CLIENT_ID",
		default: undefined,
		accepts: "any string",
		description: "Echoed by /health as github_client_id (as the upstream registry does).",
		schema: optionalText,
	}),
	spec({
		key: "registryVersion",
		name: "VERSION",
		default: "dev",
		accepts: "any string",
		description: "Deployment label for metrics (registry_build_info); /version reports the build stamp.",
		schema: v.pipe(v.string(), v.minLength(1)),
	}),
	spec({
		key: "loadWorker",
		name: "LOAD_WORKER",
		default: "true",
		accepts: '"true" or "false"',
		description:
			"Build reloads on a second thread, so requests never wait for them. false: build them on the serving thread in slices of a few ms (one heap instead of two; for single-core hosts).",
		schema: bool,
	}),
	spec({
		key: "cacheMaxAge",
		name: "CACHE_MAX_AGE",
		default: "10",
		accepts: "seconds, an integer from 0 to 86400",
		description: "Cache-Control max-age of API responses (short, so a reload is seen within seconds).",
		schema: integer(0, 86400),
	}),
	spec({
		key: "sqsEnabled",
		name: "SQS_ENABLED",
		default: "false",
		accepts: '"true" or "false"',
		description: "Start the SQS listener that applies registry files uploaded to S3.",
		schema: bool,
	}),
	spec({
		key: "sqsQueueUrl",
		name: "SQS_QUEUE_URL",
		default: undefined,
		accepts: "an http(s) SQS queue URL",
		description: "The queue to long-poll; required when SQS_ENABLED=true.",
		schema: v.union([
			v.pipe(
				v.literal(""),
				v.transform(() => undefined),
			),
			httpUrl,
		]),
	}),
	spec({
		key: "sqsWaitTimeSeconds",
		name: "SQS_WAIT_TIME_SECONDS",
		default: "20",
		accepts: "an integer from 0 to 20",
		description: "Long-poll wait per receive.",
		schema: integer(0, 20),
	}),
	spec({
		key: "sqsMaxMessages",
		name: "SQS_MAX_MESSAGES",
		default: "1",
		accepts: "an integer from 1 to 10",
		description: "Messages per receive (still processed one at a time).",
		schema: integer(1, 10),
	}),
	spec({
		key: "sqsVisibilityTimeout",
		name: "SQS_VISIBILITY_TIMEOUT",
		default: undefined,
		accepts: "seconds, an integer from 0 to 43200 (unset: the queue's own)",
		description: "Visibility timeout asked for on each receive.",
		schema: v.union([
			v.pipe(
				v.literal(""),
				v.transform(() => undefined),
			),
			integer(0, 43200),
		]),
	}),
	spec({
		key: "sqsAllowedBuckets",
		name: "SQS_ALLOWED_BUCKETS",
		default: undefined,
		accepts: "a comma-separated list of S3 bucket names (unset: any bucket)",
		description: "Buckets a message may name; others are refused without a download.",
		schema: bucketList,
	}),
	spec({
		key: "s3MaxBytes",
		name: "S3_MAX_BYTES",
		default: "268435456",
		accepts: "a positive byte count, optionally with a unit (KiB, MiB, GiB, KB, MB, GB)",
		description: "Largest registry object accepted from S3 (default 256 MiB).",
		schema: byteSize,
	}),
	spec({
		key: "awsRegion",
		name: "AWS_REGION",
		default: undefined,
		accepts: "an AWS region name such as us-east-1 (or a name such as auto for S3-compatible stores)",
		description: "Fallback region when neither the URL nor AWS_REGION / the AWS profile gives one.",
		schema: v.union([
			v.pipe(
				v.literal(""),
				v.transform(() => undefined),
			),
			v.pipe(v.string(), v.regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/)),
		]),
	}),
	spec({
		key: "s3Url",
		name: "S3_URL",
		default: undefined,
		accepts: "an s3:// or https S3 object URL",
		description: "Object fetched at start (and every S3_POLL_SECONDS) so a new replica is current.",
		schema: optionalText,
	}),
	spec({
		key: "s3PollSeconds",
		name: "S3_POLL_SECONDS",
		default: "0",
		accepts: "seconds, an integer from 0 (off) to 86400",
		description: "How often S3_URL is checked again with If-None-Match (0: only at start).",
		schema: integer(0, 86400),
	}),
	spec({
		key: "s3ForcePathStyle",
		name: "S3_FORCE_PATH_STYLE",
		default: "false",
		accepts: '"true" or "false"',
		description:
			"Address S3 path-style (endpoint/bucket/key) even for named custom endpoints such as MinIO (IP and localhost endpoints always are).",
		schema: bool,
	}),
	spec({
		key: "sqsRetryDelaySeconds",
		name: "SQS_RETRY_DELAY_SECONDS",
		default: "30",
		accepts: "seconds, an integer from 1 to 900",
		description:
			"Redelivery delay of a failed message after its first receive; doubles per receive, up to 15 minutes.",
		schema: integer(1, 900),
	}),
];

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
	constructor(readonly problems: string[]) {
		super(
			problems.length === 1
				? `invalid configuration: ${problems[0]}`
				: `invalid configuration:\n  ${problems.join("\n  ")}`,
		);
		this.name = "ConfigError";
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
	const problems: string[] = [];
	const out: Record<string, unknown> = {};
	for (const s of VARIABLES) {
		const name = PREFIX + s.name;
		const given = env[name];
		const raw = given ?? s.default;
		if (raw === undefined) {
			out[s.key] = undefined;
			continue;
		}
		const result = v.safeParse(s.schema, raw.trim());
		if (result.success) {
			out[s.key] = result.output;
		} else if (s.name === "DATABASE_TYPE") {
			problems.push(describeDatabaseType(raw));
		} else {
			problems.push(`${name} must be ${s.accepts} (got ${JSON.stringify(raw)})`);
		}
	}
	if (out.sqsEnabled === true && out.sqsQueueUrl === undefined) {
		problems.push(`${PREFIX}SQS_QUEUE_URL is required when ${PREFIX}SQS_ENABLED=true`);
	}
	if (problems.length > 0) throw new ConfigError(problems);

	const known = new Set(VARIABLES.map((s) => PREFIX + s.name));
	const ignoredSet = new Set(IGNORED_VARIABLES);
	const warnings: string[] = [];
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
	return { config: out as unknown as Config, warnings, ignored };
}

/** The variable table as help text. */
export function describeVariables(): string {
	const rows = VARIABLES.map((s) => {
		const def = s.default === undefined ? "(unset)" : s.default;
		return `  ${PREFIX}${s.name}\n      ${s.description}\n      Accepts ${s.accepts}. Default: ${def}`;
	});
	return rows.join("\n");
}
