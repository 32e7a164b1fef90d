/**
 * The MCP_REGISTRY_* variables, each declared once: a valibot schema from the raw text to its
 * value, carrying its documentation (name, default, what it accepts) as metadata. The object of
 * them is the configuration's schema, so it gives both the `Config` type and the check; the same
 * declarations feed `--help`, the README table's test and the error messages.
 */
import * as v from "valibot";
import {
	address,
	bool,
	bucketList,
	byteSize,
	globList,
	httpUrl,
	integer,
	optionalText,
	seconds,
	statusList,
	type TextSchema,
	unsetOr,
	type VariableDoc,
	variable,
} from "./schemas.ts";

export type { ListenAddress, VariableDoc } from "./schemas.ts";

export const PREFIX = "MCP_REGISTRY_";

export const CONFIG_ENTRIES = v.object({
	serverAddress: variable(
		{
			name: "SERVER_ADDRESS",
			default: ":8080",
			accepts:
				'":PORT" (all IPv4 interfaces), "HOST:PORT", "[IPv6]:PORT" ("[::]:PORT": all interfaces, IPv6 and IPv4), port 0-65535',
			description: "Address the HTTP server listens on.",
		},
		address,
	),
	tlsCertFile: variable(
		{
			name: "TLS_CERT_FILE",
			default: undefined,
			accepts: "a PEM file path (the certificate, then any intermediates); with TLS_KEY_FILE",
			description:
				"Serve HTTPS with this certificate (both TLS_CERT_FILE and TLS_KEY_FILE, or neither: plain HTTP). Read again on SIGHUP.",
		},
		optionalText,
	),
	tlsKeyFile: variable(
		{
			name: "TLS_KEY_FILE",
			default: undefined,
			accepts: "a PEM file path (the certificate's private key, unencrypted); with TLS_CERT_FILE",
			description: "The private key of TLS_CERT_FILE. Read again on SIGHUP.",
		},
		optionalText,
	),
	databaseType: variable(
		{
			name: "DATABASE_TYPE",
			default: "jsonfile",
			accepts: '"jsonfile" (this build serves jsonfile only; postgres is not supported)',
			description: "Storage backend. Only jsonfile: this registry is a read-only replica of a file.",
		},
		v.picklist(["jsonfile"]),
	),
	jsonFilePath: variable(
		{
			name: "JSON_FILE_PATH",
			default: "data/registry.json",
			accepts: "a file path",
			description: "The registry file: loaded at start and on SIGHUP, replaced by S3 downloads.",
		},
		v.pipe(v.string(), v.minLength(1)),
	),
	invalidEntries: variable(
		{
			name: "INVALID_ENTRIES",
			default: "reject",
			accepts: '"reject" (one invalid entry fails the load) or "skip" (drop invalid entries)',
			description: "What to do with entries that fail validation.",
		},
		v.picklist(["reject", "skip"]),
	),
	seedFrom: variable(
		{
			name: "SEED_FROM",
			default: undefined,
			accepts: "a file path, an http(s) URL of a registry's /v0/servers or /v0.1/servers, or s3://bucket/key",
			description: "Initial data when the registry file does not exist yet; written to JSON_FILE_PATH.",
		},
		optionalText,
	),
	logFormat: variable(
		{
			name: "LOG_FORMAT",
			default: "text",
			accepts: '"text" or "json"',
			description: "Log lines as text, or one JSON object per line.",
		},
		v.picklist(["text", "json"]),
	),
	logLevel: variable(
		{
			name: "LOG_LEVEL",
			default: "info",
			accepts: '"debug", "info", "warn" or "error"',
			description: "Least severe level that is logged.",
		},
		v.picklist(["debug", "info", "warn", "error"]),
	),
	githubClientId: variable(
		{
			name: "GITHUB_CLIENT_ID",
			default: undefined,
			accepts: "any string",
			description: "Echoed by /health as github_client_id (as the upstream registry does).",
		},
		optionalText,
	),
	healthDetail: variable(
		{
			name: "HEALTH_DETAIL",
			default: "false",
			accepts: '"true" or "false"',
			description:
				"/health also shows the data's source path and hash, the last load with its error and the sync state with the queue URL (by default: status, github_client_id and counts only).",
		},
		bool,
	),
	registryVersion: variable(
		{
			name: "VERSION",
			default: "dev",
			accepts: "any string",
			description: "Deployment label for metrics (registry_build_info); /version reports the build stamp.",
		},
		v.pipe(v.string(), v.minLength(1)),
	),
	loadWorker: variable(
		{
			name: "LOAD_WORKER",
			default: "true",
			accepts: '"true" or "false"',
			description:
				"Build loads apart from the serving thread (under Bun a build process, under Deno a Worker), so requests never wait for them. false: build them on the serving thread in slices of a few ms (for single-core hosts).",
		},
		bool,
	),
	loadTimeoutSeconds: variable(
		{
			name: "LOAD_TIMEOUT_SECONDS",
			default: "60",
			accepts: "seconds, more than 0 and at most 86400 (a fraction such as 0.5 too)",
			description:
				"A registry load (read and build, at start-up, on SIGHUP, or of an S3 object) that takes longer is abandoned: logged as an error, recorded in /health and the metrics, and the previous data kept.",
		},
		seconds(86400),
	),
	cacheMaxAge: variable(
		{
			name: "CACHE_MAX_AGE",
			default: "10",
			accepts: "seconds, an integer from 0 to 86400",
			description: "Cache-Control max-age of API responses (short, so a reload is seen within seconds).",
		},
		integer(0, 86400),
	),
	ui: variable(
		{
			name: "UI",
			default: "true",
			accepts: '"true" or "false"',
			description:
				"Serve the web UI at / (browse, search, install snippets); false: / redirects to the API reference at /docs.",
		},
		bool,
	),
	uiTitle: variable(
		{
			name: "UI_TITLE",
			default: "MCP Registry",
			accepts: "text of 1 to 80 characters",
			description: "The web UI's title, in its header and the pages' titles.",
		},
		v.pipe(v.string(), v.minLength(1), v.maxLength(80)),
	),
	uiOrganization: variable(
		{
			name: "UI_ORGANIZATION",
			default: undefined,
			accepts: "any text (at most 80 characters)",
			description: "The organisation's name, shown under the title in the web UI.",
		},
		unsetOr(v.pipe(v.string(), v.maxLength(80))),
	),
	uiLogo: variable(
		{
			name: "UI_LOGO",
			default: undefined,
			accepts: "a file path: an .svg, .png, .jpg, .jpeg, .webp or .gif image of at most 512 KiB",
			description:
				"The organisation's logo in the web UI's header: read at start and served by the registry itself (no request elsewhere).",
		},
		optionalText,
	),
	uiRemoteIcons: variable(
		{
			name: "UI_REMOTE_ICONS",
			default: "false",
			accepts: '"true" or "false"',
			description:
				"Show servers' own icons (their https icons[].src): browsers then fetch them from those hosts. false: a generated monogram, and no page makes a request to another host.",
		},
		bool,
	),
	sqsEnabled: variable(
		{
			name: "SQS_ENABLED",
			default: "false",
			accepts: '"true" or "false"',
			description: "Start the SQS listener that applies registry files uploaded to S3.",
		},
		bool,
	),
	sqsQueueUrl: variable(
		{
			name: "SQS_QUEUE_URL",
			default: undefined,
			accepts: "an http(s) SQS queue URL",
			description: "The queue to long-poll; required when SQS_ENABLED=true.",
		},
		unsetOr(httpUrl),
	),
	sqsWaitTimeSeconds: variable(
		{
			name: "SQS_WAIT_TIME_SECONDS",
			default: "20",
			accepts: "an integer from 0 to 20",
			description: "Long-poll wait per receive.",
		},
		integer(0, 20),
	),
	sqsMaxMessages: variable(
		{
			name: "SQS_MAX_MESSAGES",
			default: "1",
			accepts: "an integer from 1 to 10",
			description: "Messages per receive (still processed one at a time).",
		},
		integer(1, 10),
	),
	sqsVisibilityTimeout: variable(
		{
			name: "SQS_VISIBILITY_TIMEOUT",
			default: undefined,
			accepts: "seconds, an integer from 0 to 43200 (unset: the queue's own)",
			description: "Visibility timeout asked for on each receive.",
		},
		unsetOr(integer(0, 43200)),
	),
	sqsAllowedBuckets: variable(
		{
			name: "SQS_ALLOWED_BUCKETS",
			default: undefined,
			accepts: "a comma-separated list of S3 bucket names (unset: any bucket)",
			description: "Buckets a message may name; others are refused without a download.",
		},
		bucketList,
	),
	maxFileBytes: variable(
		{
			name: "MAX_FILE_BYTES",
			// Unset: S3_MAX_BYTES, its older name, whose default (256 MiB) is this one's (see fileByteLimit).
			default: undefined,
			accepts: "a positive byte count, optionally with a unit (KiB, MiB, GiB, KB, MB, GB)",
			description:
				"Largest registry file loaded, local (at start, on SIGHUP, a seed, registry validate) or from S3; a larger one is refused by its size before it is read. Unset: S3_MAX_BYTES, its older name (default 256 MiB).",
		},
		unsetOr(byteSize),
	),
	s3MaxBytes: variable(
		{
			name: "S3_MAX_BYTES",
			default: "268435456",
			accepts: "a positive byte count, optionally with a unit (KiB, MiB, GiB, KB, MB, GB)",
			description:
				"The older name of MAX_FILE_BYTES, still read: the largest registry file, local or from S3 (default 256 MiB); MAX_FILE_BYTES wins when both are set.",
		},
		byteSize,
	),
	awsRegion: variable(
		{
			name: "AWS_REGION",
			default: undefined,
			accepts: "an AWS region name such as us-east-1 (or a name such as auto for S3-compatible stores)",
			description: "Fallback region when neither the URL nor AWS_REGION / the AWS profile gives one.",
		},
		unsetOr(v.pipe(v.string(), v.regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/))),
	),
	s3Url: variable(
		{
			name: "S3_URL",
			default: undefined,
			accepts: "an s3:// or https S3 object URL",
			description: "Object fetched at start (and every S3_POLL_SECONDS) so a new replica is current.",
		},
		optionalText,
	),
	s3PollSeconds: variable(
		{
			name: "S3_POLL_SECONDS",
			default: "0",
			accepts: "seconds, an integer from 0 (off) to 86400",
			description: "How often S3_URL is checked again with If-None-Match (0: only at start).",
		},
		integer(0, 86400),
	),
	s3ForcePathStyle: variable(
		{
			name: "S3_FORCE_PATH_STYLE",
			default: "false",
			accepts: '"true" or "false"',
			description:
				"Address S3 path-style (endpoint/bucket/key) even for named custom endpoints such as MinIO (IP and localhost endpoints always are).",
		},
		bool,
	),
	sqsRetryDelaySeconds: variable(
		{
			name: "SQS_RETRY_DELAY_SECONDS",
			default: "30",
			accepts: "seconds, an integer from 1 to 900",
			description:
				"Redelivery delay of a failed message after its first receive; doubles per receive, up to 15 minutes.",
		},
		integer(1, 900),
	),
	mirrorFrom: variable(
		{
			name: "MIRROR_FROM",
			default: undefined,
			accepts: "an http(s) URL of another registry (its base URL, or its /v0.1/servers or /v0/servers)",
			description:
				"Live mirror: pull from this registry every MIRROR_INTERVAL_SECONDS (incrementally, with updated_since) into JSON_FILE_PATH and serve it. Not with SQS_ENABLED or S3_URL.",
		},
		unsetOr(httpUrl),
	),
	mirrorIntervalSeconds: variable(
		{
			name: "MIRROR_INTERVAL_SECONDS",
			default: "300",
			accepts: "seconds, more than 0 and at most 86400 (a fraction such as 0.5 too)",
			description:
				"How often the mirror pulls; after a failure it backs off (doubling, up to 10 intervals) and says so in /health and the metrics.",
		},
		seconds(86400),
	),
	mirrorInclude: variable(
		{
			name: "MIRROR_INCLUDE",
			default: undefined,
			accepts: "comma-separated name globs (* any characters, / too; ? one), case-insensitive",
			description: "The mirror keeps only servers whose names match one of these (unset: all).",
		},
		globList,
	),
	mirrorExclude: variable(
		{
			name: "MIRROR_EXCLUDE",
			default: undefined,
			accepts: "comma-separated name globs, as MIRROR_INCLUDE",
			description: "The mirror drops servers whose names match one of these (wins over MIRROR_INCLUDE).",
		},
		globList,
	),
	mirrorStatus: variable(
		{
			name: "MIRROR_STATUS",
			default: "active,deprecated",
			accepts: "comma-separated statuses: active, deprecated, deleted",
			description:
				"Statuses of the entries the mirror adds; an entry already mirrored follows any change of its status (a deletion too).",
		},
		statusList,
	),
	mirrorLatestOnly: variable(
		{
			name: "MIRROR_LATEST_ONLY",
			default: "false",
			accepts: '"true" or "false"',
			description: "The mirror keeps only the latest version of each server.",
		},
		bool,
	),
});

export type Config = v.InferOutput<typeof CONFIG_ENTRIES>;

export interface VariableSpec extends VariableDoc {
	key: keyof Config;
	schema: TextSchema;
}

function isConfigKey(key: string): key is keyof Config {
	return key in CONFIG_ENTRIES.entries;
}

/** The variables as a list, in declaration order. */
export const VARIABLES: VariableSpec[] = Object.entries(CONFIG_ENTRIES.entries).flatMap(([key, schema]) =>
	isConfigKey(key) ? [{ key, ...schema.pipe[1].metadata, schema }] : [],
);

/** The certificate and key files to serve HTTPS with: both or neither (undefined). */
export interface TlsFiles {
	certFile: string;
	keyFile: string;
}

/**
 * The TLS files of a configuration: undefined for plain HTTP; the problem when only one of the
 * two variables is set (a configuration error naming the missing one).
 */
export function tlsFilesOf(
	config: Pick<Config, "tlsCertFile" | "tlsKeyFile">,
): TlsFiles | undefined | { problem: string } {
	const { tlsCertFile: certFile, tlsKeyFile: keyFile } = config;
	if (certFile === undefined && keyFile === undefined) return undefined;
	if (certFile === undefined)
		return { problem: `${PREFIX}TLS_CERT_FILE is required when ${PREFIX}TLS_KEY_FILE is set` };
	if (keyFile === undefined)
		return { problem: `${PREFIX}TLS_KEY_FILE is required when ${PREFIX}TLS_CERT_FILE is set` };
	return { certFile, keyFile };
}

/** The largest registry file a load takes: MAX_FILE_BYTES, else its older name S3_MAX_BYTES. */
export function fileByteLimit(config: Pick<Config, "maxFileBytes" | "s3MaxBytes">): number {
	return config.maxFileBytes ?? config.s3MaxBytes;
}

/**
 * fileByteLimit from an environment, reading only those two variables (for `registry validate`,
 * which needs no other); a malformed one throws an Error naming it and what it accepts.
 */
export function fileByteLimitOf(env: Record<string, string | undefined>): number {
	return fileByteLimit({
		maxFileBytes: readVariable(env, "maxFileBytes"),
		s3MaxBytes: readVariable(env, "s3MaxBytes"),
	});
}

/**
 * One variable read from an environment by its own declaration, for the commands that need a
 * few of the server's variables and not the rest; a malformed one throws an Error naming it and
 * what it accepts.
 */
export function readVariable<K extends keyof Config>(
	env: Record<string, string | undefined>,
	key: K,
): Config[K] {
	const spec = VARIABLES.find((s) => s.key === key) as VariableSpec;
	const raw = env[PREFIX + spec.name] ?? spec.default ?? "";
	const result = v.safeParse(CONFIG_ENTRIES.entries[key], raw.trim());
	if (!result.success)
		throw new Error(`${PREFIX}${spec.name} must be ${spec.accepts} (got ${JSON.stringify(raw)})`);
	return result.output as Config[K];
}
