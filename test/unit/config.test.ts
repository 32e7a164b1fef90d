import { describe, expect, test } from "bun:test";
import { tlsFilesOf } from "../../src/config/variables.ts";
import {
	ConfigError,
	describeVariables,
	IGNORED_VARIABLES,
	type LoadedConfig,
	loadConfig,
	PREFIX,
	VARIABLES,
} from "../../src/config.ts";

/** The ConfigError thrown for env, or a failure when nothing is thrown. */
function configError(env: Record<string, string | undefined>): ConfigError {
	let result: LoadedConfig | undefined;
	try {
		result = loadConfig(env);
	} catch (err) {
		expect(err).toBeInstanceOf(ConfigError);
		return err as ConfigError;
	}
	throw new Error(`expected a ConfigError, got ${JSON.stringify(result?.config)}`);
}

const env = (vars: Record<string, string>) => {
	const out: Record<string, string> = {};
	for (const [k, val] of Object.entries(vars)) out[PREFIX + k] = val;
	return out;
};

describe("loadConfig defaults", () => {
	test("an empty environment gives every default", () => {
		const { config, warnings, ignored } = loadConfig({});
		expect(config).toEqual({
			serverAddress: { hostname: "0.0.0.0", port: 8080 },
			tlsCertFile: undefined,
			tlsKeyFile: undefined,
			databaseType: "jsonfile",
			jsonFilePath: "data/registry.json",
			invalidEntries: "reject",
			seedFrom: undefined,
			logFormat: "text",
			logLevel: "info",
			githubClientId: undefined,
			healthDetail: false,
			registryVersion: "dev",
			cacheMaxAge: 10,
			ui: true,
			uiTitle: "MCP Registry",
			uiOrganization: undefined,
			uiLogo: undefined,
			uiRemoteIcons: false,
			sqsEnabled: false,
			sqsQueueUrl: undefined,
			sqsWaitTimeSeconds: 20,
			sqsMaxMessages: 1,
			sqsVisibilityTimeout: undefined,
			sqsAllowedBuckets: undefined,
			maxFileBytes: undefined,
			s3MaxBytes: 268435456,
			awsRegion: undefined,
			s3Url: undefined,
			s3PollSeconds: 0,
			s3ForcePathStyle: false,
			sqsRetryDelaySeconds: 30,
			loadWorker: true,
			loadTimeoutSeconds: 60,
			mirrorFrom: undefined,
			mirrorIntervalSeconds: 300,
			mirrorInclude: [],
			mirrorExclude: [],
			mirrorStatus: ["active", "deprecated"],
			mirrorLatestOnly: false,
		});
		expect(warnings).toEqual([]);
		expect(ignored).toEqual([]);
	});

	test("variables without the MCP_REGISTRY_ prefix are not read or warned about", () => {
		const { config, warnings } = loadConfig({ PATH: "/usr/bin", SERVER_ADDRESS: "garbage", HOME: "/root" });
		expect(config.serverAddress).toEqual({ hostname: "0.0.0.0", port: 8080 });
		expect(warnings).toEqual([]);
	});

	test("values are taken when valid", () => {
		const { config } = loadConfig(
			env({
				JSON_FILE_PATH: "/srv/registry.json",
				INVALID_ENTRIES: "skip",
				SEED_FROM: "https://registry.modelcontextprotocol.io/v0/servers",
				LOG_FORMAT: "json",
				LOG_LEVEL: "debug",
				GITHUB_CLIENT_ID: "Iv1.abc",
				VERSION: "1.2.3",
				CACHE_MAX_AGE: "0",
				SQS_ENABLED: "true",
				SQS_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/registry",
				SQS_WAIT_TIME_SECONDS: "0",
				SQS_MAX_MESSAGES: "10",
				SQS_VISIBILITY_TIMEOUT: "300",
				SQS_ALLOWED_BUCKETS: "my-bucket, other.bucket",
				S3_MAX_BYTES: "1024",
				AWS_REGION: "eu-west-1",
				S3_URL: "s3://my-bucket/registry.json",
				S3_POLL_SECONDS: "60",
			}),
		);
		expect(config.jsonFilePath).toBe("/srv/registry.json");
		expect(config.invalidEntries).toBe("skip");
		expect(config.seedFrom).toBe("https://registry.modelcontextprotocol.io/v0/servers");
		expect(config.logFormat).toBe("json");
		expect(config.logLevel).toBe("debug");
		expect(config.githubClientId).toBe("Iv1.abc");
		expect(config.registryVersion).toBe("1.2.3");
		expect(config.cacheMaxAge).toBe(0);
		expect(config.sqsEnabled).toBe(true);
		expect(config.sqsQueueUrl).toBe("https://sqs.us-east-1.amazonaws.com/123456789012/registry");
		expect(config.sqsWaitTimeSeconds).toBe(0);
		expect(config.sqsMaxMessages).toBe(10);
		expect(config.sqsVisibilityTimeout).toBe(300);
		expect(config.sqsAllowedBuckets).toEqual(["my-bucket", "other.bucket"]);
		expect(config.s3MaxBytes).toBe(1024);
		expect(config.awsRegion).toBe("eu-west-1");
		expect(config.s3Url).toBe("s3://my-bucket/registry.json");
		expect(config.s3PollSeconds).toBe(60);
	});

	test("empty optional values mean unset", () => {
		const { config } = loadConfig(
			env({
				SEED_FROM: "",
				GITHUB_CLIENT_ID: "",
				SQS_QUEUE_URL: "",
				SQS_VISIBILITY_TIMEOUT: "",
				AWS_REGION: "",
			}),
		);
		expect(config.seedFrom).toBeUndefined();
		expect(config.githubClientId).toBeUndefined();
		expect(config.sqsQueueUrl).toBeUndefined();
		expect(config.sqsVisibilityTimeout).toBeUndefined();
		expect(config.awsRegion).toBeUndefined();
	});
});

describe("SERVER_ADDRESS", () => {
	const ok: [string, { hostname: string; port: number }][] = [
		[":8080", { hostname: "0.0.0.0", port: 8080 }],
		["127.0.0.1:0", { hostname: "127.0.0.1", port: 0 }],
		["[::1]:9000", { hostname: "::1", port: 9000 }],
		["localhost:3000", { hostname: "localhost", port: 3000 }],
		["0.0.0.0:65535", { hostname: "0.0.0.0", port: 65535 }],
		[" :8081 ", { hostname: "0.0.0.0", port: 8081 }],
	];
	for (const [raw, expected] of ok) {
		test(`${JSON.stringify(raw)} → ${expected.hostname} port ${expected.port}`, () => {
			expect(loadConfig(env({ SERVER_ADDRESS: raw })).config.serverAddress).toEqual(expected);
		});
	}

	for (const raw of [
		"abc",
		":99999",
		":65536",
		"127.0.0.1:",
		"127.0.0.1",
		"host:port",
		"8080",
		"[::1]",
		"",
	]) {
		test(`${JSON.stringify(raw)} is refused, naming the variable and what it accepts`, () => {
			const err = configError(env({ SERVER_ADDRESS: raw }));
			expect(err.message).toContain("MCP_REGISTRY_SERVER_ADDRESS");
			expect(err.message).toContain('":PORT"');
			expect(err.message).toContain("port 0-65535");
			expect(err.message).toContain(JSON.stringify(raw));
		});
	}
});

describe("SERVER_ADDRESS forms outside the accepted ones", () => {
	// Accepted: ":PORT", "HOST:PORT", "[IPv6]:PORT". A bare port is none of them, whatever its
	// number of digits ("8080" is refused, so "8" must be too), and "[IPv6]PORT" lacks the colon.
	for (const raw of ["8", "0", "[::1]9000"]) {
		test(`${JSON.stringify(raw)} is refused`, () => {
			const err = configError(env({ SERVER_ADDRESS: raw }));
			expect(err.message).toContain("MCP_REGISTRY_SERVER_ADDRESS");
		});
	}
});

describe("bad values name the variable and what it accepts", () => {
	const cases: [string, string, string[]][] = [
		["SQS_ENABLED", "yes please", ['"true" or "false"']],
		["SQS_MAX_MESSAGES", "11", ["an integer from 1 to 10"]],
		["SQS_MAX_MESSAGES", "0", ["an integer from 1 to 10"]],
		["SQS_WAIT_TIME_SECONDS", "21", ["an integer from 0 to 20"]],
		["SQS_WAIT_TIME_SECONDS", "-1", ["an integer from 0 to 20"]],
		["SQS_WAIT_TIME_SECONDS", "1.5", ["an integer from 0 to 20"]],
		["SQS_VISIBILITY_TIMEOUT", "43201", ["0 to 43200"]],
		["SQS_VISIBILITY_TIMEOUT", "soon", ["0 to 43200"]],
		["SQS_QUEUE_URL", "ftp://example.com/queue", ["http(s) SQS queue URL"]],
		["SQS_QUEUE_URL", "not a url", ["http(s) SQS queue URL"]],
		["SQS_ALLOWED_BUCKETS", "Bad_Bucket", ["comma-separated list of S3 bucket names"]],
		["SQS_ALLOWED_BUCKETS", "ok-bucket,x", ["comma-separated list of S3 bucket names"]],
		["LOG_FORMAT", "xml", ['"text" or "json"']],
		["LOG_LEVEL", "verbose", ['"debug", "info", "warn" or "error"']],
		["INVALID_ENTRIES", "maybe", ['"reject"', '"skip"']],
		["CACHE_MAX_AGE", "86401", ["an integer from 0 to 86400"]],
		["CACHE_MAX_AGE", "ten", ["an integer from 0 to 86400"]],
		["S3_POLL_SECONDS", "-5", ["0 (off) to 86400"]],
		["S3_MAX_BYTES", "-1", ["a positive byte count", "KiB, MiB, GiB"]],
		["S3_MAX_BYTES", "0", ["a positive byte count"]],
		["S3_MAX_BYTES", "64XB", ["a positive byte count"]],
		["S3_MAX_BYTES", "1.5MiB", ["a positive byte count"]],
		["S3_MAX_BYTES", "99999999999GiB", ["a positive byte count"]],
		["AWS_REGION", "Mars", ["AWS region name"]],
		["JSON_FILE_PATH", "", ["a file path"]],
		["VERSION", "", ["any string"]],
	];
	for (const [name, raw, accepts] of cases) {
		test(`${name}=${JSON.stringify(raw)}`, () => {
			const err = configError(env({ [name]: raw }));
			expect(err.problems).toHaveLength(1);
			expect(err.message).toContain(`MCP_REGISTRY_${name}`);
			expect(err.message).toContain(JSON.stringify(raw));
			for (const a of accepts) expect(err.message).toContain(a);
		});
	}

	test("the message has the form 'NAME must be ACCEPTS (got VALUE)'", () => {
		const err = configError(env({ SQS_ENABLED: "yes please" }));
		expect(err.message).toBe(
			'invalid configuration: MCP_REGISTRY_SQS_ENABLED must be "true" or "false" (got "yes please")',
		);
		expect(err.name).toBe("ConfigError");
	});

	test("several bad variables are reported together", () => {
		const err = configError(env({ LOG_FORMAT: "xml", SQS_MAX_MESSAGES: "11", INVALID_ENTRIES: "maybe" }));
		expect(err.problems).toHaveLength(3);
		expect(err.message).toContain("MCP_REGISTRY_LOG_FORMAT");
		expect(err.message).toContain("MCP_REGISTRY_SQS_MAX_MESSAGES");
		expect(err.message).toContain("MCP_REGISTRY_INVALID_ENTRIES");
		// one problem per line
		expect(err.message.split("\n")).toHaveLength(4);
	});
});

describe("LOAD_TIMEOUT_SECONDS", () => {
	test("defaults to 60 seconds", () => {
		expect(loadConfig({}).config.loadTimeoutSeconds).toBe(60);
	});

	for (const [raw, seconds] of [
		["1", 1],
		["300", 300],
		[" 90 ", 90],
		["+5", 5],
		["86400", 86400],
		["1.5", 1.5],
		["0.05", 0.05],
		[".5", 0.5],
	] as const) {
		test(`${JSON.stringify(raw)} → ${seconds}`, () => {
			expect(loadConfig(env({ LOAD_TIMEOUT_SECONDS: raw })).config.loadTimeoutSeconds).toBe(seconds);
		});
	}

	for (const raw of ["0", "0.0", "86401", "-1", "1e3", "1.2.3", ".", "soon", ""]) {
		test(`${JSON.stringify(raw)} is refused with the accepted range`, () => {
			const err = configError(env({ LOAD_TIMEOUT_SECONDS: raw }));
			expect(err.problems).toEqual([
				`MCP_REGISTRY_LOAD_TIMEOUT_SECONDS must be seconds, more than 0 and at most 86400 (a fraction such as 0.5 too) (got ${JSON.stringify(raw)})`,
			]);
		});
	}

	test("is documented in --help with its default", () => {
		const text = describeVariables();
		expect(text).toContain("MCP_REGISTRY_LOAD_TIMEOUT_SECONDS\n");
		expect(text).toContain(
			"Accepts seconds, more than 0 and at most 86400 (a fraction such as 0.5 too). Default: 60",
		);
		expect(text).toContain("the previous data kept");
	});
});

describe("S3_MAX_BYTES units", () => {
	const cases: [string, number][] = [
		["64MiB", 67108864],
		["64mib", 67108864],
		["64 MiB", 67108864],
		["64MB", 64_000_000],
		["1KiB", 1024],
		["1KB", 1000],
		["2GiB", 2 * 1024 ** 3],
		["1GB", 1_000_000_000],
		["512", 512],
		["512B", 512],
		["1", 1],
	];
	for (const [raw, bytes] of cases) {
		test(`${raw} → ${bytes}`, () => {
			expect(loadConfig(env({ S3_MAX_BYTES: raw })).config.s3MaxBytes).toBe(bytes);
		});
	}
});

describe("booleans and integers", () => {
	for (const [raw, value] of [
		["true", true],
		["TRUE", true],
		["1", true],
		["t", true],
		["false", false],
		["False", false],
		["0", false],
		["f", false],
		["tRuE", true],
		["F", false],
	] as const) {
		test(`SQS_ENABLED=${raw} → ${value}`, () => {
			const vars: Record<string, string> = { SQS_ENABLED: raw, SQS_QUEUE_URL: "http://127.0.0.1:9324/q" };
			expect(loadConfig(env(vars)).config.sqsEnabled).toBe(value);
		});
	}

	for (const raw of ["yes", "no", "on", "2", "constructor", "__proto__", ""]) {
		test(`SQS_ENABLED=${JSON.stringify(raw)} is refused`, () => {
			expect(configError(env({ SQS_ENABLED: raw })).problems).toEqual([
				`MCP_REGISTRY_SQS_ENABLED must be "true" or "false" (got ${JSON.stringify(raw)})`,
			]);
		});
	}

	test("integers at the bounds are accepted", () => {
		const { config } = loadConfig(
			env({ SQS_MAX_MESSAGES: "1", SQS_WAIT_TIME_SECONDS: "20", CACHE_MAX_AGE: "86400" }),
		);
		expect(config.sqsMaxMessages).toBe(1);
		expect(config.sqsWaitTimeSeconds).toBe(20);
		expect(config.cacheMaxAge).toBe(86400);
	});

	test("surrounding white space is tolerated", () => {
		const { config } = loadConfig(env({ SQS_MAX_MESSAGES: " 5 ", LOG_FORMAT: "json\n" }));
		expect(config.sqsMaxMessages).toBe(5);
		expect(config.logFormat).toBe("json");
	});
});

describe("cross-variable rules", () => {
	test("DATABASE_TYPE=postgres says this build serves jsonfile only", () => {
		const err = configError(env({ DATABASE_TYPE: "postgres" }));
		expect(err.message).toContain("MCP_REGISTRY_DATABASE_TYPE=postgres");
		expect(err.message).toContain("jsonfile only");
	});

	test("DATABASE_TYPE=postgresql too", () => {
		expect(configError(env({ DATABASE_TYPE: "postgresql" })).message).toContain("jsonfile only");
	});

	test("DATABASE_TYPE of another value names jsonfile", () => {
		const err = configError(env({ DATABASE_TYPE: "sqlite" }));
		expect(err.message).toContain("MCP_REGISTRY_DATABASE_TYPE");
		expect(err.message).toContain('"jsonfile"');
		expect(err.message).toContain('"sqlite"');
	});

	test("DATABASE_TYPE=jsonfile is accepted", () => {
		expect(loadConfig(env({ DATABASE_TYPE: "jsonfile" })).config.databaseType).toBe("jsonfile");
	});

	test("SQS_ENABLED=true without SQS_QUEUE_URL is an error", () => {
		const err = configError(env({ SQS_ENABLED: "true" }));
		expect(err.message).toContain(
			"MCP_REGISTRY_SQS_QUEUE_URL is required when MCP_REGISTRY_SQS_ENABLED=true",
		);
	});

	test("SQS_ENABLED=true with an empty SQS_QUEUE_URL is an error", () => {
		const err = configError(env({ SQS_ENABLED: "true", SQS_QUEUE_URL: "" }));
		expect(err.message).toContain("MCP_REGISTRY_SQS_QUEUE_URL is required");
	});

	test("the SQS rule is reported together with other problems", () => {
		const err = configError(env({ SQS_ENABLED: "1", LOG_LEVEL: "loud" }));
		expect(err.problems).toHaveLength(2);
		expect(err.message).toContain("MCP_REGISTRY_LOG_LEVEL");
		expect(err.message).toContain("MCP_REGISTRY_SQS_QUEUE_URL is required");
	});

	test("SQS_ENABLED=true with a malformed SQS_QUEUE_URL reports both", () => {
		expect(configError(env({ SQS_ENABLED: "true", SQS_QUEUE_URL: "ftp://q" })).problems).toEqual([
			'MCP_REGISTRY_SQS_QUEUE_URL must be an http(s) SQS queue URL (got "ftp://q")',
			"MCP_REGISTRY_SQS_QUEUE_URL is required when MCP_REGISTRY_SQS_ENABLED=true",
		]);
	});

	test("SQS_ENABLED=false does not need a queue URL", () => {
		expect(loadConfig(env({ SQS_ENABLED: "false" })).config.sqsEnabled).toBe(false);
	});
});

describe("unknown and ignored variables", () => {
	test("a near typo warns with a did-you-mean suggestion", () => {
		const { warnings, ignored, config } = loadConfig({
			MCP_REGISTRY_JSON_FILE_PAHT: "/tmp/x.json",
		});
		expect(ignored).toEqual([]);
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toContain("MCP_REGISTRY_JSON_FILE_PAHT");
		expect(warnings[0]).toContain("did you mean MCP_REGISTRY_JSON_FILE_PATH?");
		// the typo is not read as the real variable
		expect(config.jsonFilePath).toBe("data/registry.json");
	});

	test("another near typo suggests the nearest variable", () => {
		const { warnings } = loadConfig({ MCP_REGISTRY_SQS_ENABLE: "true" });
		expect(warnings).toEqual([
			"unknown variable MCP_REGISTRY_SQS_ENABLE is ignored (did you mean MCP_REGISTRY_SQS_ENABLED?)",
		]);
	});

	test("an unknown variable far from any known one warns without a suggestion", () => {
		const { warnings } = loadConfig({ MCP_REGISTRY_SOMETHING_COMPLETELY_DIFFERENT: "1" });
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toContain("MCP_REGISTRY_SOMETHING_COMPLETELY_DIFFERENT");
		expect(warnings[0]).not.toContain("did you mean");
	});

	test("the Go registry's write-side variables land in ignored, not warnings", () => {
		const { warnings, ignored } = loadConfig({
			MCP_REGISTRY_JWT_PRIVATE_KEY: "abc",
			MCP_REGISTRY_DATABASE_URL: "postgres://localhost/registry",
			MCP_REGISTRY_ENABLE_ANONYMOUS_AUTH: "true",
			MCP_REGISTRY_GITHUB_CLIENT_SECRET: "s",
			MCP_REGISTRY_ENABLE_REGISTRY_VALIDATION: "false",
			MCP_REGISTRY_ENVIRONMENT: "prod",
			MCP_REGISTRY_OIDC_ENABLED: "true",
			MCP_REGISTRY_OIDC_ISSUER: "https://issuer",
		});
		expect(warnings).toEqual([]);
		expect([...ignored].sort()).toEqual(
			[
				"MCP_REGISTRY_DATABASE_URL",
				"MCP_REGISTRY_ENABLE_ANONYMOUS_AUTH",
				"MCP_REGISTRY_ENABLE_REGISTRY_VALIDATION",
				"MCP_REGISTRY_ENVIRONMENT",
				"MCP_REGISTRY_GITHUB_CLIENT_SECRET",
				"MCP_REGISTRY_JWT_PRIVATE_KEY",
				"MCP_REGISTRY_OIDC_ENABLED",
				"MCP_REGISTRY_OIDC_ISSUER",
			].sort(),
		);
	});

	test("every IGNORED_VARIABLES entry is ignored without a warning", () => {
		const vars: Record<string, string> = {};
		for (const name of IGNORED_VARIABLES) vars[name] = "x";
		const { warnings, ignored } = loadConfig(vars);
		expect(warnings).toEqual([]);
		expect([...ignored].sort()).toEqual([...IGNORED_VARIABLES].sort());
	});

	test("the variables this registry reads produce neither warnings nor ignored entries", () => {
		const vars: Record<string, string> = {};
		for (const s of VARIABLES) if (s.default !== undefined) vars[PREFIX + s.name] = s.default;
		const { warnings, ignored } = loadConfig(vars);
		expect(warnings).toEqual([]);
		expect(ignored).toEqual([]);
	});

	test("ignored and unknown variables together are sorted apart", () => {
		const { warnings, ignored } = loadConfig({
			MCP_REGISTRY_JWT_PRIVATE_KEY: "k",
			MCP_REGISTRY_LOG_FORMATT: "json",
		});
		expect(ignored).toEqual(["MCP_REGISTRY_JWT_PRIVATE_KEY"]);
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toContain("did you mean MCP_REGISTRY_LOG_FORMAT?");
	});
});

describe("describeVariables", () => {
	const text = describeVariables();

	test("lists every variable with its default", () => {
		for (const s of VARIABLES) {
			const at = text.indexOf(`${PREFIX}${s.name}\n`);
			expect([s.name, at >= 0]).toEqual([s.name, true]);
			const block = text.slice(at).split(/\n {2}MCP_REGISTRY_/)[0] as string;
			expect(block).toContain(s.description);
			expect(block).toContain(`Accepts ${s.accepts}.`);
			expect(block).toContain(`Default: ${s.default === undefined ? "(unset)" : s.default}`);
		}
	});

	test("names the main variables and their defaults literally", () => {
		expect(text).toContain("MCP_REGISTRY_SERVER_ADDRESS");
		expect(text).toContain("Default: :8080");
		expect(text).toContain("MCP_REGISTRY_JSON_FILE_PATH");
		expect(text).toContain("Default: data/registry.json");
		expect(text).toContain("MCP_REGISTRY_S3_MAX_BYTES");
		expect(text).toContain("Default: 268435456");
	});

	test("has one block per variable", () => {
		expect(text.match(/^ {2}MCP_REGISTRY_\w+$/gm)).toHaveLength(VARIABLES.length);
		expect(VARIABLES.length).toBeGreaterThanOrEqual(20);
	});
});

describe("MCP_REGISTRY_TLS_CERT_FILE / MCP_REGISTRY_TLS_KEY_FILE", () => {
	test("both give the pair; neither is plain HTTP", () => {
		const { config } = loadConfig(env({ TLS_CERT_FILE: "tls/cert.pem", TLS_KEY_FILE: " tls/key.pem " }));
		expect(tlsFilesOf(config)).toEqual({ certFile: "tls/cert.pem", keyFile: "tls/key.pem" });
		expect(tlsFilesOf(loadConfig({}).config)).toBeUndefined();
		expect(tlsFilesOf(loadConfig(env({ TLS_CERT_FILE: "", TLS_KEY_FILE: "" })).config)).toBeUndefined();
	});

	test("one alone is a problem naming the other", () => {
		expect(tlsFilesOf(loadConfig(env({ TLS_CERT_FILE: "cert.pem" })).config)).toEqual({
			problem: "MCP_REGISTRY_TLS_KEY_FILE is required when MCP_REGISTRY_TLS_CERT_FILE is set",
		});
		expect(tlsFilesOf(loadConfig(env({ TLS_KEY_FILE: "key.pem" })).config)).toEqual({
			problem: "MCP_REGISTRY_TLS_CERT_FILE is required when MCP_REGISTRY_TLS_KEY_FILE is set",
		});
	});

	test("are documented in --help", () => {
		expect(describeVariables()).toContain("MCP_REGISTRY_TLS_CERT_FILE");
		expect(describeVariables()).toContain("MCP_REGISTRY_TLS_KEY_FILE");
	});
});

describe("the mirror's variables", () => {
	test("MIRROR_FROM with SQS_ENABLED or S3_URL: one error each, naming both", () => {
		expect(() =>
			loadConfig(
				env({
					MIRROR_FROM: "https://registry.example/",
					SQS_ENABLED: "true",
					SQS_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/1/q",
					S3_URL: "s3://b/k",
				}),
			),
		).toThrow(
			/MCP_REGISTRY_MIRROR_FROM and MCP_REGISTRY_SQS_ENABLED=true exclude each other[\s\S]*MCP_REGISTRY_MIRROR_FROM and MCP_REGISTRY_S3_URL exclude each other/,
		);
	});

	test("globs and statuses are lists; a glob with a space or control character is refused", () => {
		const { config } = loadConfig(
			env({
				MIRROR_FROM: "https://registry.example/",
				MIRROR_INCLUDE: " io.github.acme/* , com.acme.* ,",
				MIRROR_STATUS: "Active,deleted",
			}),
		);
		expect(config.mirrorInclude).toEqual(["io.github.acme/*", "com.acme.*"]);
		expect(config.mirrorStatus).toEqual(["active", "deleted"]);
		expect(() => loadConfig(env({ MIRROR_EXCLUDE: "a b" }))).toThrow("MCP_REGISTRY_MIRROR_EXCLUDE must be");
		expect(() => loadConfig(env({ MIRROR_EXCLUDE: "a\nb" }))).toThrow("MCP_REGISTRY_MIRROR_EXCLUDE must be");
		expect(() => loadConfig(env({ MIRROR_STATUS: "" }))).toThrow("MCP_REGISTRY_MIRROR_STATUS must be");
	});

	test("a mirror setting without MIRROR_FROM is warned about", () => {
		const { warnings } = loadConfig(env({ MIRROR_INCLUDE: "com.acme.*", MIRROR_INTERVAL_SECONDS: "60" }));
		expect(warnings).toEqual([
			"MCP_REGISTRY_MIRROR_INTERVAL_SECONDS is set but MCP_REGISTRY_MIRROR_FROM is not: it is ignored",
			"MCP_REGISTRY_MIRROR_INCLUDE is set but MCP_REGISTRY_MIRROR_FROM is not: it is ignored",
		]);
	});
});
