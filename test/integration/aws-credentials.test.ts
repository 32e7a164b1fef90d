/**
 * Every link of the credential chain, proven end to end: credentials from that source alone let
 * a real download through s3rver (which verifies SigV4), the same source handing out a wrong
 * secret is refused with a typed error, and the session token travels with the request.
 * Then the chain's order, its one error when nothing applies, secrecy, refresh and regions.
 *
 * Every env is an explicit object (HOME in a temp dir, nothing inherited from process.env).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
	CredentialProvider,
	Credentials,
	CredentialsError,
	defaultSources,
	resolveCredentials,
	SourceSkipped,
} from "../../src/aws/credentials.ts";
import { AwsError } from "../../src/aws/errors.ts";
import { RegionError, RegionResolver } from "../../src/aws/region.ts";
import { S3Client } from "../../src/aws/s3.ts";
import { AwsHttp } from "../../src/aws/signed-fetch.ts";
import {
	BUCKET,
	containerStandIn,
	type IssuedCredentials,
	imdsStandIn,
	issueCredentials,
	type S3Server,
	type StandIn,
	standIn,
	startS3,
	stsStandIn,
} from "../support/aws-servers.ts";
import { until } from "../support/poll.ts";

type Env = Record<string, string | undefined>;

const KEY = "objects/hello.txt";
const CONTENT = "hello from s3rver, signed by the credential chain";

let s3: S3Server;
let proxy: RecordingProxy;
const closers: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
	s3 = await startS3();
	await s3.put(KEY, CONTENT);
	proxy = recordingProxy(s3.endpoint);
});

afterAll(async () => {
	for (const close of closers.reverse()) await close();
	proxy?.close();
	await s3?.close();
});

// ---------- helpers ----------

function tempDir(): string {
	const d = mkdtempSync(join(tmpdir(), "aws-creds-"));
	closers.push(() => rmSync(d, { recursive: true, force: true }));
	return d;
}

/** A fresh HOME (no ~/.aws in it) and nothing else: the base of every env here. */
function homeEnv(extra: Env = {}): Env {
	return { HOME: tempDir(), ...extra };
}

function track<T extends StandIn>(s: T): T {
	closers.push(() => s.close());
	return s;
}

/** Credentials issued by a stand-in and registered with s3rver, so they can sign downloads. */
function registered(expiresInMs?: number): IssuedCredentials {
	const c = issueCredentials(expiresInMs);
	s3.addKeyPair(c.accessKeyId, c.secretAccessKey);
	return c;
}

/** The same credentials with a secret s3rver does not know. */
function withWrongSecret(c: IssuedCredentials): IssuedCredentials {
	return { ...c, secretAccessKey: `wrong-${c.secretAccessKey}` };
}

interface ProxiedRequest {
	method: string;
	path: string;
	headers: Record<string, string>;
}

interface RecordingProxy {
	url: string;
	requests: ProxiedRequest[];
	close(): void;
}

/**
 * A recording proxy in front of s3rver that forwards every request unchanged — method, path,
 * headers and body — and hands s3rver's answer back. aws4fetch signs the host of the URL it is
 * given (the proxy's), and s3rver recomputes the signature from the Host header it receives,
 * so the Host header must survive the hop: Bun's fetch sends a caller-given Host header as it
 * is (checked by the download tests themselves — a changed Host would be refused with
 * SignatureDoesNotMatch). So a download through the proxy is a real, signature-verified
 * download, and the proxy sees the raw headers (x-amz-security-token) on the way.
 */
function recordingProxy(target: string): RecordingProxy {
	const requests: ProxiedRequest[] = [];
	const server = Bun.serve({
		port: 0,
		hostname: "127.0.0.1",
		async fetch(req) {
			const url = new URL(req.url);
			const headers: Record<string, string> = {};
			req.headers.forEach((v, k) => {
				headers[k] = v;
			});
			requests.push({ method: req.method, path: url.pathname + url.search, headers });
			const body = req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer();
			const upstream = await fetch(`${target}${url.pathname}${url.search}`, {
				method: req.method,
				headers: req.headers,
				body,
				redirect: "manual",
				decompress: false,
			} as RequestInit);
			const out = new Headers(upstream.headers);
			out.delete("content-length");
			return new Response(await upstream.arrayBuffer(), { status: upstream.status, headers: out });
		},
	});
	return { url: `http://127.0.0.1:${server.port}`, requests, close: () => server.stop(true) };
}

/** Downloads KEY with the given provider from `endpoint` (s3rver itself, or the proxy). */
async function download(credentials: CredentialProvider, endpoint: string): Promise<string> {
	const http = new AwsHttp({ credentials, maxAttempts: 1 });
	const client = new S3Client({
		http,
		env: { AWS_ENDPOINT_URL_S3: endpoint },
		fallbackRegion: async () => "us-east-1",
	});
	const chunks: Uint8Array[] = [];
	const result = await client.getObject({ bucket: BUCKET, key: KEY }, { write: (c) => void chunks.push(c) });
	expect(result.notModified).toBe(false);
	return Buffer.concat(chunks).toString("utf8");
}

/**
 * The end-to-end proof for one source: the chain resolves `expected` credentials from `env`,
 * they download the object through the recording proxy (s3rver verifying the signature), and
 * the session token, when there is one, is on the request and signed.
 */
async function provesDownload(
	env: Env,
	expected: { accessKeyId: string; sessionToken?: string; source: string | RegExp },
	options: Partial<Parameters<typeof CredentialProvider.chain>[0]> = {},
): Promise<Credentials> {
	const provider = CredentialProvider.chain({ containerAttempts: 1, imdsTimeoutMs: 500, ...options, env });
	const creds = await provider.get();
	expect(creds.accessKeyId).toBe(expected.accessKeyId);
	if (typeof expected.source === "string") expect(creds.source).toBe(expected.source);
	else expect(creds.source).toMatch(expected.source);
	expect(await download(provider, proxy.url)).toBe(CONTENT);
	const sent = proxy.requests.filter((r) =>
		(r.headers.authorization ?? "").includes(`Credential=${expected.accessKeyId}/`),
	);
	expect(sent.length).toBeGreaterThan(0);
	const last = sent.at(-1) as ProxiedRequest;
	expect(last.method).toBe("GET");
	expect(last.path).toBe(`/${BUCKET}/${KEY}`);
	if (expected.sessionToken !== undefined) {
		expect(last.headers["x-amz-security-token"]).toBe(expected.sessionToken);
		expect(last.headers.authorization).toMatch(/SignedHeaders=[^,]*x-amz-security-token/);
	} else {
		expect(last.headers["x-amz-security-token"]).toBeUndefined();
	}
	return creds;
}

/** The typed refusal a wrong secret gets, straight from s3rver (no proxy in between). */
async function provesRefusal(
	env: Env,
	options: Partial<Parameters<typeof CredentialProvider.chain>[0]> = {},
): Promise<AwsError> {
	const provider = CredentialProvider.chain({ containerAttempts: 1, imdsTimeoutMs: 500, ...options, env });
	let caught: unknown;
	try {
		await download(provider, s3.endpoint);
	} catch (err) {
		caught = err;
	}
	expect(caught).toBeInstanceOf(AwsError);
	const e = caught as AwsError;
	expect(e.code).toBe("SignatureDoesNotMatch");
	expect(e.status).toBe(403);
	expect(e.service).toBe("s3");
	expect(e.retryable).toBe(false);
	return e;
}

/** The error a chain throws (a failure when it resolves). */
async function chainError(env: Env, options: Partial<Parameters<typeof CredentialProvider.chain>[0]> = {}) {
	const provider = CredentialProvider.chain({ containerAttempts: 1, imdsTimeoutMs: 300, ...options, env });
	try {
		const c = await provider.get();
		throw new Error(`expected the chain to fail, got credentials from ${c.source}`);
	} catch (err) {
		if (err instanceof Error && err.message.startsWith("expected the chain to fail")) throw err;
		return err as Error;
	}
}

function write(dir: string, name: string, text: string, mode?: number): string {
	const path = join(dir, name);
	writeFileSync(path, text);
	if (mode !== undefined) chmodSync(path, mode);
	return path;
}

/** A credential_process script printing the SDK's JSON document. */
function processScript(dir: string, c: IssuedCredentials, name = "creds.sh"): string {
	const json = JSON.stringify({
		Version: 1,
		AccessKeyId: c.accessKeyId,
		SecretAccessKey: c.secretAccessKey,
		SessionToken: c.sessionToken,
		Expiration: c.expiration.toISOString(),
	});
	return write(dir, name, `#!/bin/sh\ncat <<'JSON'\n${json}\nJSON\n`, 0o755);
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
	const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
	const port = s.port as number;
	await s.stop(true);
	return port;
}

/** Stops a process a test started (by the pid it wrote), if it is still running. */
function stopIfRunning(pidFile: string): void {
	try {
		process.kill(Number(readFileSync(pidFile, "utf8").trim()), "SIGKILL");
	} catch {}
}

const WEB_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJl";
const ROLE_ARN = "arn:aws:iam::123456789012:role/registry-reader";

// ---------- 1. environment ----------

describe("source 1: environment", () => {
	test("AWS_ACCESS_KEY_ID / SECRET / SESSION_TOKEN download a real object; the token is on the request", async () => {
		const c = registered();
		await provesDownload(
			homeEnv({
				AWS_ACCESS_KEY_ID: c.accessKeyId,
				AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
				AWS_SESSION_TOKEN: c.sessionToken,
			}),
			{ accessKeyId: c.accessKeyId, sessionToken: c.sessionToken, source: "environment" },
		);
	});

	test("without AWS_SESSION_TOKEN no token header is sent", async () => {
		const c = registered();
		await provesDownload(
			homeEnv({ AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey }),
			{ accessKeyId: c.accessKeyId, source: "environment" },
		);
	});

	test("a wrong AWS_SECRET_ACCESS_KEY is refused: AwsError SignatureDoesNotMatch 403", async () => {
		const c = registered();
		const e = await provesRefusal(
			homeEnv({ AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: `wrong-${c.secretAccessKey}` }),
		);
		expect(e.message).not.toContain(c.secretAccessKey);
	});

	test("AWS_CREDENTIAL_EXPIRATION is read as the expiry", async () => {
		const c = registered();
		const at = new Date(Date.now() + 3600_000);
		const creds = await CredentialProvider.chain({
			env: homeEnv({
				AWS_ACCESS_KEY_ID: c.accessKeyId,
				AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
				AWS_CREDENTIAL_EXPIRATION: at.toISOString(),
			}),
		}).get();
		expect(creds.expiration?.getTime()).toBe(at.getTime());
	});

	test("skipped when AWS_PROFILE is set, with a warning; the profile's keys are used", async () => {
		const envKeys = registered();
		const profileKeys = registered();
		const home = tempDir();
		const credentialsFile = write(
			home,
			"credentials",
			`[chosen]\naws_access_key_id = ${profileKeys.accessKeyId}\naws_secret_access_key = ${profileKeys.secretAccessKey}\n`,
		);
		const warnings: string[] = [];
		await provesDownload(
			{
				HOME: home,
				AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
				AWS_PROFILE: "chosen",
				AWS_ACCESS_KEY_ID: envKeys.accessKeyId,
				AWS_SECRET_ACCESS_KEY: envKeys.secretAccessKey,
			},
			{ accessKeyId: profileKeys.accessKeyId, source: "shared files (profile chosen)" },
			{ warn: (m) => warnings.push(m) },
		);
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toContain("AWS_PROFILE");
		expect(warnings[0]).not.toContain(envKeys.secretAccessKey);
	});

	test("no warning when only the environment keys are set", async () => {
		const c = registered();
		const warnings: string[] = [];
		await CredentialProvider.chain({
			env: homeEnv({ AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey }),
			warn: (m) => warnings.push(m),
		}).get();
		expect(warnings).toEqual([]);
	});

	test("the AWS_PROFILE + environment keys warning is given once, not on every refresh", async () => {
		// The profile's credentials (web identity) expire in 4 minutes, so every get() refreshes.
		const sts = track(stsStandIn({ token: WEB_TOKEN, creds: () => registered(4 * 60_000) }));
		const home = tempDir();
		const tokenFile = write(home, "token", WEB_TOKEN);
		const config = write(
			home,
			"config",
			`[profile irsa]\nrole_arn = ${ROLE_ARN}\nweb_identity_token_file = ${tokenFile}\n`,
		);
		const warnings: string[] = [];
		const provider = CredentialProvider.chain({
			env: {
				HOME: home,
				AWS_CONFIG_FILE: config,
				AWS_PROFILE: "irsa",
				AWS_ACCESS_KEY_ID: "AKIAENV",
				AWS_SECRET_ACCESS_KEY: "env-secret",
				AWS_ENDPOINT_URL_STS: sts.url,
			},
			warn: (m) => warnings.push(m),
		});
		await provider.get();
		await provider.get(); // within 5 minutes of expiry: one background refresh
		await until("the background refresh", () => sts.requests.length === 2);
		await provider.refresh();
		expect(sts.requests.length).toBeGreaterThanOrEqual(2);
		expect(warnings).toHaveLength(1);
	});
});

// ---------- 2. shared files ----------

describe("source 2: shared files", () => {
	test("static keys (+ session token) in ~/.aws/credentials, found through HOME", async () => {
		const c = registered();
		const home = tempDir();
		mkdirSync(join(home, ".aws"));
		write(
			join(home, ".aws"),
			"credentials",
			`[default]\naws_access_key_id = ${c.accessKeyId}\naws_secret_access_key = ${c.secretAccessKey} ; comment\naws_session_token = ${c.sessionToken}\n`,
		);
		await provesDownload(
			{ HOME: home },
			{ accessKeyId: c.accessKeyId, sessionToken: c.sessionToken, source: "shared files (profile default)" },
		);
	});

	test("a [profile x] section in the config file, selected by AWS_PROFILE", async () => {
		const c = registered();
		const other = registered();
		const home = tempDir();
		const config = write(
			home,
			"config",
			[
				"[default]",
				`aws_access_key_id = ${other.accessKeyId}`,
				`aws_secret_access_key = ${other.secretAccessKey}`,
				"[x]",
				"aws_access_key_id = AKIAPLAINSECTIONIGNORED",
				"aws_secret_access_key = ignored",
				"[profile x]",
				`aws_access_key_id = ${c.accessKeyId}`,
				`aws_secret_access_key = ${c.secretAccessKey}`,
			].join("\n"),
		);
		await provesDownload(
			{ HOME: home, AWS_CONFIG_FILE: config, AWS_PROFILE: "x" },
			{ accessKeyId: c.accessKeyId, source: "shared files (profile x)" },
		);
	});

	test("the credentials file wins over the config file for the same profile", async () => {
		const c = registered();
		const home = tempDir();
		const config = write(
			home,
			"config",
			`[default]\naws_access_key_id = ${c.accessKeyId}\naws_secret_access_key = config-secret-loses\n`,
		);
		const credentials = write(
			home,
			"credentials",
			`[default]\naws_secret_access_key = ${c.secretAccessKey}\n`,
		);
		await provesDownload(
			{ HOME: home, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials },
			{ accessKeyId: c.accessKeyId, source: "shared files (profile default)" },
		);
	});

	test("a wrong secret in the credentials file is refused: AwsError SignatureDoesNotMatch 403", async () => {
		const c = registered();
		const home = tempDir();
		const credentials = write(
			home,
			"credentials",
			`[default]\naws_access_key_id = ${c.accessKeyId}\naws_secret_access_key = wrong-${c.secretAccessKey}\n`,
		);
		await provesRefusal({ HOME: home, AWS_SHARED_CREDENTIALS_FILE: credentials });
	});

	describe("role_arn + web_identity_token_file in a profile", () => {
		function profileEnv(sts: StandIn, token = WEB_TOKEN): Env {
			const home = tempDir();
			const tokenFile = write(home, "token", token);
			const config = write(
				home,
				"config",
				`[profile irsa]\nrole_arn = ${ROLE_ARN}\nweb_identity_token_file = ${tokenFile}\nrole_session_name = from-profile\n`,
			);
			return { HOME: home, AWS_CONFIG_FILE: config, AWS_PROFILE: "irsa", AWS_ENDPOINT_URL_STS: sts.url };
		}

		test("STS (unsigned form POST) issues credentials that download a real object", async () => {
			const c = registered();
			const sts = track(stsStandIn({ token: WEB_TOKEN, creds: () => c }));
			await provesDownload(profileEnv(sts), {
				accessKeyId: c.accessKeyId,
				sessionToken: c.sessionToken,
				source: "shared files (profile irsa), web identity",
			});
			expect(sts.requests).toHaveLength(1);
			const r = sts.requests[0] as StandIn["requests"][number];
			expect(r.method).toBe("POST");
			expect(r.path).toBe("/");
			expect(r.headers["content-type"]).toBe("application/x-www-form-urlencoded");
			expect(r.headers.authorization).toBeUndefined();
			expect(Object.keys(r.headers).filter((h) => h.startsWith("x-amz-"))).toEqual([]);
			const p = new URLSearchParams(r.body);
			expect(p.get("Action")).toBe("AssumeRoleWithWebIdentity");
			expect(p.get("Version")).toBe("2011-06-15");
			expect(p.get("RoleArn")).toBe(ROLE_ARN);
			expect(p.get("RoleSessionName")).toBe("from-profile");
			expect(p.get("WebIdentityToken")).toBe(WEB_TOKEN);
		});

		test("a wrong secret from STS is refused: AwsError SignatureDoesNotMatch 403", async () => {
			const c = registered();
			const sts = track(stsStandIn({ token: WEB_TOKEN, creds: () => withWrongSecret(c) }));
			await provesRefusal(profileEnv(sts));
			expect(sts.requests).toHaveLength(1);
		});
	});

	describe("credential_process", () => {
		test("a script printing {Version: 1, ...} gives credentials that download a real object", async () => {
			const c = registered();
			const home = tempDir();
			const script = processScript(home, c);
			const config = write(home, "config", `[profile proc]\ncredential_process = ${script}\n`);
			const creds = await provesDownload(
				{ HOME: home, AWS_CONFIG_FILE: config, AWS_PROFILE: "proc" },
				{
					accessKeyId: c.accessKeyId,
					sessionToken: c.sessionToken,
					source: "shared files (profile proc), credential_process",
				},
			);
			expect(creds.expiration?.toISOString()).toBe(c.expiration.toISOString());
		});

		test("a script handing out a wrong secret is refused: AwsError SignatureDoesNotMatch 403", async () => {
			const c = registered();
			const home = tempDir();
			const script = processScript(home, withWrongSecret(c));
			const credentials = write(home, "credentials", `[default]\ncredential_process = ${script}\n`);
			await provesRefusal({ HOME: home, AWS_SHARED_CREDENTIALS_FILE: credentials });
		});

		test("a process that hangs past processTimeoutMs is skipped with a reason naming the timeout", async () => {
			const home = tempDir();
			const pidFile = join(home, "pid");
			const script = write(home, "hang.sh", `#!/bin/sh\necho $$ > ${pidFile}\nexec sleep 30\n`, 0o755);
			closers.push(() => stopIfRunning(pidFile));
			const credentials = write(home, "credentials", `[default]\ncredential_process = ${script}\n`);
			const started = Date.now();
			const err = await chainError(
				{ HOME: home, AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_EC2_METADATA_DISABLED: "true" },
				{ processTimeoutMs: 300 },
			);
			expect(Date.now() - started).toBeLessThan(5000);
			expect(err).toBeInstanceOf(CredentialsError);
			const tried = (err as CredentialsError).tried;
			const files = tried.find((t) => t.source === "shared files");
			expect(files?.reason).toMatch(/credential_process timed out after 300 ms/);
			// Skipped, not fatal: the chain went on to the later sources.
			expect(tried.map((t) => t.source)).toEqual([
				"environment",
				"shared files",
				"web identity",
				"container",
				"EC2 instance metadata",
			]);
		});

		test("a process that hangs past processTimeoutMs is stopped, not left running", async () => {
			const home = tempDir();
			const pidFile = join(home, "pid");
			// The script records its pid, then becomes the hanging process itself.
			const script = write(home, "hang.sh", `#!/bin/sh\necho $$ > ${pidFile}\nexec sleep 30\n`, 0o755);
			const credentials = write(home, "credentials", `[default]\ncredential_process = ${script}\n`);
			const err = await chainError(
				{ HOME: home, AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_EC2_METADATA_DISABLED: "true" },
				{ processTimeoutMs: 300 },
			);
			expect(err).toBeInstanceOf(CredentialsError);
			const pid = Number(readFileSync(pidFile, "utf8").trim());
			expect(pid).toBeGreaterThan(1);
			// Killed but not yet reaped (a zombie: where PID 1 does not reap orphans) counts as stopped.
			const alive = () => {
				try {
					const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
					return state !== undefined && state !== "Z";
				} catch {
					try {
						process.kill(pid, 0);
						return true;
					} catch {
						return false;
					}
				}
			};
			const stillRunning = await until("the timed-out process to stop", () => !alive(), {
				timeoutMs: 1000,
			}).then(
				() => false,
				() => alive(),
			);
			if (stillRunning) process.kill(pid, "SIGKILL"); // this test started it: stop it by its id
			expect(stillRunning).toBe(false);
		});
	});
});

// ---------- 3. web identity from the environment ----------

describe("source 3: web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN)", () => {
	function webEnv(sts: StandIn, extra: Env = {}): Env {
		const home = tempDir();
		return {
			HOME: home,
			AWS_WEB_IDENTITY_TOKEN_FILE: write(home, "token", WEB_TOKEN),
			AWS_ROLE_ARN: ROLE_ARN,
			AWS_ROLE_SESSION_NAME: "registry-test",
			AWS_ENDPOINT_URL_STS: sts.url,
			...extra,
		};
	}

	test("STS-issued credentials download a real object; the STS call is the unsigned form POST", async () => {
		const c = registered();
		const sts = track(stsStandIn({ token: WEB_TOKEN, creds: () => c }));
		await provesDownload(webEnv(sts), {
			accessKeyId: c.accessKeyId,
			sessionToken: c.sessionToken,
			source: "web identity",
		});
		expect(sts.requests).toHaveLength(1);
		const r = sts.requests[0] as StandIn["requests"][number];
		expect(r.method).toBe("POST");
		expect(r.headers["content-type"]).toBe("application/x-www-form-urlencoded");
		expect(r.headers.authorization).toBeUndefined();
		expect(Object.keys(r.headers).filter((h) => h.startsWith("x-amz-"))).toEqual([]);
		const p = new URLSearchParams(r.body);
		expect(p.get("Action")).toBe("AssumeRoleWithWebIdentity");
		expect(p.get("RoleArn")).toBe(ROLE_ARN);
		expect(p.get("RoleSessionName")).toBe("registry-test");
		expect(p.get("WebIdentityToken")).toBe(WEB_TOKEN);
	});

	test("the token file is sent verbatim (not trimmed), as the SDK does", async () => {
		const c = registered();
		const sts = track(stsStandIn({ token: `${WEB_TOKEN}\n`, creds: () => c }));
		const env = webEnv(sts);
		writeFileSync(env.AWS_WEB_IDENTITY_TOKEN_FILE as string, `${WEB_TOKEN}\n`);
		const creds = await CredentialProvider.chain({ env }).get();
		expect(creds.accessKeyId).toBe(c.accessKeyId);
		expect(new URLSearchParams(sts.requests[0]?.body).get("WebIdentityToken")).toBe(`${WEB_TOKEN}\n`);
	});

	test("a wrong secret from STS is refused: AwsError SignatureDoesNotMatch 403", async () => {
		const c = registered();
		const sts = track(stsStandIn({ token: WEB_TOKEN, creds: () => withWrongSecret(c) }));
		await provesRefusal(webEnv(sts));
	});

	test("a missing token file stops the chain with an error naming the file", async () => {
		const sts = track(stsStandIn({ token: WEB_TOKEN, creds: () => registered() }));
		const later = track(containerStandIn({ creds: () => registered() }));
		const env = webEnv(sts, { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${later.url}/creds` });
		const missing = join(env.HOME as string, "no-such-token");
		env.AWS_WEB_IDENTITY_TOKEN_FILE = missing;
		const err = await chainError(env);
		expect(err).toBeInstanceOf(CredentialsError);
		expect(err.message).toContain(missing);
		expect(err.message).toContain("ENOENT");
		expect(sts.requests).toHaveLength(0);
		expect(later.requests).toHaveLength(0); // the chain stopped: the container was not asked
	});

	test("an STS error (wrong token → InvalidIdentityToken) is a typed error that stops the chain", async () => {
		const sts = track(stsStandIn({ token: "the-right-token", creds: () => registered() }));
		const later = track(containerStandIn({ creds: () => registered() }));
		const err = await chainError(webEnv(sts, { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${later.url}/creds` }));
		expect(err).toBeInstanceOf(AwsError);
		const e = err as AwsError;
		expect(e.service).toBe("sts");
		expect(e.code).toBe("InvalidIdentityToken");
		expect(e.status).toBe(400);
		expect(e.requestId).toBe("r-1");
		expect(e.message).toContain("The web identity token is not valid");
		expect(sts.requests).toHaveLength(1);
		expect(later.requests).toHaveLength(0);
	});
});

// ---------- 4. container ----------

describe("source 4: container (AWS_CONTAINER_CREDENTIALS_FULL_URI)", () => {
	/** A container endpoint that accepts any Authorization value and records it. */
	function anyTokenContainer(creds: () => IssuedCredentials): StandIn {
		return track(
			standIn(() => {
				const c = creds();
				return Response.json({
					AccessKeyId: c.accessKeyId,
					SecretAccessKey: c.secretAccessKey,
					Token: c.sessionToken,
					Expiration: c.expiration.toISOString(),
				});
			}),
		);
	}

	test("with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: credentials download a real object", async () => {
		const c = registered();
		const home = tempDir();
		const tokenFile = write(home, "pod-token", "EKS-POD-TOKEN");
		const container = track(containerStandIn({ token: "EKS-POD-TOKEN", creds: () => c }));
		await provesDownload(
			{
				HOME: home,
				AWS_CONTAINER_CREDENTIALS_FULL_URI: `${container.url}/v1/credentials?x=1`,
				AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
			},
			{ accessKeyId: c.accessKeyId, sessionToken: c.sessionToken, source: "container" },
		);
		expect(container.requests).toHaveLength(1);
		expect(container.requests[0]?.method).toBe("GET");
		expect(container.requests[0]?.path).toBe("/v1/credentials?x=1");
		expect(container.requests[0]?.headers.authorization).toBe("EKS-POD-TOKEN");
	});

	test("the token file is re-read on every refresh", async () => {
		const container = anyTokenContainer(() => registered());
		const home = tempDir();
		const tokenFile = write(home, "pod-token", "token-one");
		const provider = CredentialProvider.chain({
			env: {
				HOME: home,
				AWS_CONTAINER_CREDENTIALS_FULL_URI: `${container.url}/creds`,
				AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
			},
			containerAttempts: 1,
		});
		await provider.refresh();
		writeFileSync(tokenFile, "token-two");
		await provider.refresh();
		expect(container.requests.map((r) => r.headers.authorization)).toEqual(["token-one", "token-two"]);
	});

	test("the file wins over AWS_CONTAINER_AUTHORIZATION_TOKEN when both are set", async () => {
		const container = anyTokenContainer(() => registered());
		const home = tempDir();
		await CredentialProvider.chain({
			env: {
				HOME: home,
				AWS_CONTAINER_CREDENTIALS_FULL_URI: `${container.url}/creds`,
				AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: write(home, "t", "from-file"),
				AWS_CONTAINER_AUTHORIZATION_TOKEN: "from-env",
			},
			containerAttempts: 1,
		}).get();
		expect(container.requests[0]?.headers.authorization).toBe("from-file");
	});

	test("with AWS_CONTAINER_AUTHORIZATION_TOKEN: credentials download a real object", async () => {
		const c = registered();
		const container = track(containerStandIn({ token: "env-token", creds: () => c }));
		await provesDownload(
			homeEnv({
				AWS_CONTAINER_CREDENTIALS_FULL_URI: `${container.url}/creds`,
				AWS_CONTAINER_AUTHORIZATION_TOKEN: "env-token",
			}),
			{ accessKeyId: c.accessKeyId, sessionToken: c.sessionToken, source: "container" },
		);
		expect(container.requests[0]?.headers.authorization).toBe("env-token");
	});

	test("a wrong secret from the container endpoint is refused: AwsError SignatureDoesNotMatch 403", async () => {
		const c = registered();
		const container = track(containerStandIn({ creds: () => withWrongSecret(c) }));
		await provesRefusal(homeEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${container.url}/creds` }));
		expect(container.requests).toHaveLength(1);
	});

	test("a FULL_URI to a non-allowed http host is skipped with a reason", async () => {
		const err = await chainError(
			homeEnv({
				AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://example.com/creds",
				AWS_EC2_METADATA_DISABLED: "true",
			}),
		);
		expect(err).toBeInstanceOf(CredentialsError);
		const reason = (err as CredentialsError).tried.find((t) => t.source === "container")?.reason;
		expect(reason).toContain("AWS_CONTAINER_CREDENTIALS_FULL_URI");
		expect(reason).toContain("http://example.com");
		expect(err.message).toContain("container: AWS_CONTAINER_CREDENTIALS_FULL_URI must be https");
	});

	test("an endpoint refusing the token is skipped with its status and error code", async () => {
		const container = track(containerStandIn({ token: "right", creds: () => registered() }));
		const err = await chainError(
			homeEnv({
				AWS_CONTAINER_CREDENTIALS_FULL_URI: `${container.url}/creds`,
				AWS_CONTAINER_AUTHORIZATION_TOKEN: "wrong",
				AWS_EC2_METADATA_DISABLED: "true",
			}),
		);
		expect(err).toBeInstanceOf(CredentialsError);
		const reason = (err as CredentialsError).tried.find((t) => t.source === "container")?.reason;
		expect(reason).toContain("HTTP 403");
		expect(reason).toContain("AccessDenied");
		expect(reason).not.toContain("wrong");
	});
});

// ---------- 5. EC2 instance metadata ----------

describe("source 5: EC2 instance metadata", () => {
	test("IMDSv2: token PUT with TTL, role, credentials (token header on each GET); a real download", async () => {
		const c = registered();
		const imds = track(imdsStandIn({ creds: () => c }));
		await provesDownload(homeEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url }), {
			accessKeyId: c.accessKeyId,
			sessionToken: c.sessionToken,
			source: "EC2 instance metadata (role registry-role)",
		});
		const calls = imds.requests.map((r) => `${r.method} ${r.path}`);
		expect(calls).toEqual([
			"PUT /latest/api/token",
			"GET /latest/meta-data/iam/security-credentials/",
			"PUT /latest/api/token",
			"GET /latest/meta-data/iam/security-credentials/registry-role",
		]);
		for (const r of imds.requests) {
			if (r.method === "PUT") expect(r.headers["x-aws-ec2-metadata-token-ttl-seconds"]).toBe("21600");
			else expect(r.headers["x-aws-ec2-metadata-token"]).toBe("imds-token-1");
		}
	});

	test("a wrong secret from instance metadata is refused: AwsError SignatureDoesNotMatch 403", async () => {
		const c = registered();
		const imds = track(imdsStandIn({ creds: () => withWrongSecret(c) }));
		await provesRefusal(homeEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url }));
	});

	for (const status of [403, 404, 405]) {
		test(`IMDSv1 fallback when the token PUT answers ${status}: GETs carry no token header`, async () => {
			const c = registered();
			const imds = track(imdsStandIn({ creds: () => c, tokenStatus: status }));
			await provesDownload(homeEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url }), {
				accessKeyId: c.accessKeyId,
				sessionToken: c.sessionToken,
				source: "EC2 instance metadata (role registry-role)",
			});
			const gets = imds.requests.filter((r) => r.method === "GET");
			expect(gets.map((r) => r.path)).toEqual([
				"/latest/meta-data/iam/security-credentials/",
				"/latest/meta-data/iam/security-credentials/registry-role",
			]);
			for (const r of gets) expect(r.headers["x-aws-ec2-metadata-token"]).toBeUndefined();
		});
	}

	test("the v1 fallback is refused when AWS_EC2_METADATA_V1_DISABLED=true", async () => {
		const imds = track(imdsStandIn({ creds: () => registered(), tokenStatus: 403 }));
		const err = await chainError(
			homeEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url, AWS_EC2_METADATA_V1_DISABLED: "true" }),
		);
		expect(err).toBeInstanceOf(CredentialsError);
		expect(err.message).toContain("AWS_EC2_METADATA_V1_DISABLED");
		expect(imds.requests.map((r) => r.method)).toEqual(["PUT"]); // no GET without a token
	});

	test("AWS_EC2_METADATA_DISABLED=true skips it: the service is never asked", async () => {
		const imds = track(imdsStandIn({ creds: () => registered() }));
		const err = await chainError(
			homeEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url, AWS_EC2_METADATA_DISABLED: "true" }),
		);
		expect(err).toBeInstanceOf(CredentialsError);
		expect((err as CredentialsError).tried.at(-1)).toEqual({
			source: "EC2 instance metadata",
			reason: "AWS_EC2_METADATA_DISABLED is set",
		});
		expect(imds.requests).toHaveLength(0);
	});
});

// ---------- the chain as a whole ----------

describe("the chain", () => {
	test("order: environment, shared files, web identity, container, instance metadata", async () => {
		const envKeys = registered();
		const fileKeys = registered();
		const sts = track(stsStandIn({ token: WEB_TOKEN, creds: () => registered() }));
		const container = track(containerStandIn({ creds: () => registered() }));
		const imds = track(imdsStandIn({ creds: () => registered() }));
		const home = tempDir();
		const credentials = write(
			home,
			"credentials",
			`[default]\naws_access_key_id = ${fileKeys.accessKeyId}\naws_secret_access_key = ${fileKeys.secretAccessKey}\n`,
		);
		const all: Env = {
			HOME: home,
			AWS_ACCESS_KEY_ID: envKeys.accessKeyId,
			AWS_SECRET_ACCESS_KEY: envKeys.secretAccessKey,
			AWS_SHARED_CREDENTIALS_FILE: credentials,
			AWS_WEB_IDENTITY_TOKEN_FILE: write(home, "token", WEB_TOKEN),
			AWS_ROLE_ARN: ROLE_ARN,
			AWS_ENDPOINT_URL_STS: sts.url,
			AWS_CONTAINER_CREDENTIALS_FULL_URI: `${container.url}/creds`,
			AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url,
		};
		const asked = () => [sts.requests.length, container.requests.length, imds.requests.length];
		const sourceOf = async (env: Env) =>
			(await CredentialProvider.chain({ env, containerAttempts: 1 }).get()).source;

		expect(await sourceOf(all)).toBe("environment");
		expect(asked()).toEqual([0, 0, 0]);

		const noEnv = { ...all, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined };
		expect(await sourceOf(noEnv)).toBe("shared files (profile default)");
		expect(asked()).toEqual([0, 0, 0]);

		const noFiles = { ...noEnv, AWS_SHARED_CREDENTIALS_FILE: join(home, "absent") };
		expect(await sourceOf(noFiles)).toBe("web identity");
		expect(asked()).toEqual([1, 0, 0]);

		const noWeb = { ...noFiles, AWS_WEB_IDENTITY_TOKEN_FILE: undefined };
		expect(await sourceOf(noWeb)).toBe("container");
		expect(asked()).toEqual([1, 1, 0]);

		const noContainer = { ...noWeb, AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined };
		expect(await sourceOf(noContainer)).toBe("EC2 instance metadata (role registry-role)");
		expect(asked()[2]).toBeGreaterThan(0);
	});

	test("when nothing works: one CredentialsError listing every source and why", async () => {
		const port = await closedPort();
		const err = await chainError(homeEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${port}` }), {
			imdsTimeoutMs: 200,
		});
		expect(err).toBeInstanceOf(CredentialsError);
		const e = err as CredentialsError;
		expect(e.tried.map((t) => t.source)).toEqual([
			"environment",
			"shared files",
			"web identity",
			"container",
			"EC2 instance metadata",
		]);
		for (const t of e.tried) {
			expect(t.reason.length).toBeGreaterThan(0);
			expect(e.message).toContain(`${t.source}: ${t.reason}`);
		}
		expect(e.tried[0]?.reason).toContain("AWS_ACCESS_KEY_ID");
		expect(e.tried[1]?.reason).toContain("profile default");
		expect(e.tried[2]?.reason).toContain("AWS_WEB_IDENTITY_TOKEN_FILE");
		expect(e.tried[3]?.reason).toContain("AWS_CONTAINER_CREDENTIALS_FULL_URI");
		expect(e.tried[4]?.reason).toContain(`127.0.0.1:${port}`);
	});

	test("a key id without a secret is skipped, not used", async () => {
		const err = await chainError(
			homeEnv({ AWS_ACCESS_KEY_ID: "AKIAONLY", AWS_EC2_METADATA_DISABLED: "true" }),
		);
		expect(err).toBeInstanceOf(CredentialsError);
		expect((err as CredentialsError).tried[0]?.reason).toContain("without AWS_SECRET_ACCESS_KEY");
	});
});

// ---------- secrecy ----------

describe("no secret anywhere", () => {
	test("not in JSON.stringify, Bun.inspect or String of credentials, nor of the provider holding them", async () => {
		const c = registered();
		const provider = CredentialProvider.chain({
			env: homeEnv({
				AWS_ACCESS_KEY_ID: c.accessKeyId,
				AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
				AWS_SESSION_TOKEN: c.sessionToken,
			}),
		});
		const creds = await provider.get();
		expect(creds.secretAccessKey).toBe(c.secretAccessKey); // it is there to sign with
		const views = [
			JSON.stringify(creds),
			Bun.inspect(creds),
			String(creds),
			`${creds}`,
			JSON.stringify({ creds }),
			Bun.inspect({ creds }),
			Bun.inspect(provider),
			JSON.stringify(Object.entries(creds)),
		];
		for (const v of views) {
			expect(v).not.toContain(c.secretAccessKey);
			expect(v).not.toContain(c.sessionToken);
		}
		expect(JSON.stringify(creds)).toContain(c.accessKeyId);
	});

	test("not in the errors: S3 refusal, STS failure, a failed chain", async () => {
		const c = registered();
		const wrong = `wrong-${c.secretAccessKey}`;
		const refusal = await provesRefusal(
			homeEnv({
				AWS_ACCESS_KEY_ID: c.accessKeyId,
				AWS_SECRET_ACCESS_KEY: wrong,
				AWS_SESSION_TOKEN: "tok-secret",
			}),
		);
		const sts = track(stsStandIn({ token: "other", creds: () => registered() }));
		const home = tempDir();
		const stsErr = await chainError({
			HOME: home,
			AWS_WEB_IDENTITY_TOKEN_FILE: write(home, "token", WEB_TOKEN),
			AWS_ROLE_ARN: ROLE_ARN,
			AWS_ENDPOINT_URL_STS: sts.url,
		});
		const chainErr = await chainError(
			homeEnv({ AWS_SECRET_ACCESS_KEY: c.secretAccessKey, AWS_EC2_METADATA_DISABLED: "true" }),
		);
		expect(chainErr).toBeInstanceOf(CredentialsError);
		for (const e of [refusal, stsErr, chainErr]) {
			for (const v of [e.message, String(e), Bun.inspect(e), JSON.stringify(e)]) {
				expect(v).not.toContain(c.secretAccessKey);
				expect(v).not.toContain("tok-secret");
				expect(v).not.toContain(WEB_TOKEN);
			}
		}
	});
});

// ---------- refresh ----------

describe("refresh", () => {
	const MIN = 60_000;

	function creds(id: string, expiration?: number): Credentials {
		return new Credentials({
			accessKeyId: id,
			secretAccessKey: `s-${id}`,
			expiration: expiration === undefined ? undefined : new Date(expiration),
			source: "test",
		});
	}

	function deferred<T>() {
		let resolve!: (v: T) => void;
		let reject!: (e: unknown) => void;
		const promise = new Promise<T>((res, rej) => {
			resolve = res;
			reject = rej;
		});
		return { promise, resolve, reject };
	}

	test("credentials without an expiration are cached for good", async () => {
		let now = 0;
		let calls = 0;
		const p = new CredentialProvider(
			async () => creds(`c${++calls}`),
			() => now,
		);
		const first = await p.get();
		now += 10 * 365 * 24 * 60 * MIN;
		expect(await p.get()).toBe(first);
		expect(await p.get()).toBe(first);
		expect(calls).toBe(1);
	});

	test("more than 5 minutes before expiry the cached ones are returned, no refresh", async () => {
		let now = 0;
		let calls = 0;
		const p = new CredentialProvider(
			async () => creds(`c${++calls}`, 60 * MIN),
			() => now,
		);
		const first = await p.get();
		now = 54 * MIN;
		expect(await p.get()).toBe(first);
		expect(calls).toBe(1);
	});

	test("within 5 minutes of expiry: the current ones are returned and ONE background refresh runs", async () => {
		let now = 0;
		const pending: ReturnType<typeof deferred<Credentials>>[] = [];
		let calls = 0;
		const p = new CredentialProvider(
			() => {
				calls++;
				if (calls === 1) return Promise.resolve(creds("old", 10 * MIN));
				const d = deferred<Credentials>();
				pending.push(d);
				return d.promise;
			},
			() => now,
		);
		const old = await p.get();
		now = 6 * MIN; // 4 minutes left
		expect(await p.get()).toBe(old); // not blocked by the refresh
		expect(await p.get()).toBe(old);
		expect(await p.get()).toBe(old);
		expect(calls).toBe(2);
		pending[0]?.resolve(creds("new", 70 * MIN));
		const next = await until("the refreshed credentials", async () => {
			const c = await p.get();
			return c.accessKeyId === "new" && c;
		});
		expect(next.accessKeyId).toBe("new");
		expect(calls).toBe(2);
	});

	test("after expiry the call blocks on the refresh", async () => {
		let now = 0;
		let calls = 0;
		const d = deferred<Credentials>();
		const p = new CredentialProvider(
			() => (++calls === 1 ? Promise.resolve(creds("old", 10 * MIN)) : d.promise),
			() => now,
		);
		await p.get();
		now = 11 * MIN; // expired
		let settled: Credentials | undefined;
		const waiting = p.get().then((c) => {
			settled = c;
			return c;
		});
		// A window in which a call that did not wait for the refresh would have settled.
		await Bun.sleep(5);
		expect(settled).toBeUndefined();
		d.resolve(creds("new", 80 * MIN));
		expect((await waiting).accessKeyId).toBe("new");
		expect(calls).toBe(2);
	});

	test("an expired set whose refresh fails is an error, not the stale credentials", async () => {
		let now = 0;
		let calls = 0;
		const p = new CredentialProvider(
			async () => {
				if (++calls === 1) return creds("old", 10 * MIN);
				throw new CredentialsError("source down");
			},
			() => now,
		);
		await p.get();
		now = 11 * MIN;
		await expect(p.get()).rejects.toThrow("source down");
	});

	test("20 concurrent get() calls share one resolve call", async () => {
		let calls = 0;
		const d = deferred<Credentials>();
		const p = new CredentialProvider(() => {
			calls++;
			return d.promise;
		});
		const all = Array.from({ length: 20 }, () => p.get());
		d.resolve(creds("shared"));
		const got = await Promise.all(all);
		expect(calls).toBe(1);
		expect(new Set(got).size).toBe(1);
		expect(got[0]?.accessKeyId).toBe("shared");
	});

	test("a failed background refresh keeps the old credentials, and the next call tries again", async () => {
		let now = 0;
		let calls = 0;
		let fail = true;
		const p = new CredentialProvider(
			async () => {
				calls++;
				if (calls === 1) return creds("old", 10 * MIN);
				if (fail) throw new CredentialsError("temporarily down");
				return creds("new", 90 * MIN);
			},
			() => now,
		);
		const old = await p.get();
		now = 7 * MIN;
		expect(await p.get()).toBe(old);
		await until("the background refresh to run", () => calls === 2);
		// Once it has failed, the next call hands out the old ones still and starts a new try.
		await until("a new try", async () => (await p.get()) === old && calls === 3);
		fail = false;
		await until("the successful try", async () => (await p.get()).accessKeyId === "new");
		expect(calls).toBe(4);
	});

	test("end to end: container credentials expiring in 4 minutes are fetched again on the next get()", async () => {
		const issued: IssuedCredentials[] = [];
		const container = track(
			containerStandIn({
				creds: () => {
					const c = registered(4 * MIN);
					issued.push(c);
					return c;
				},
			}),
		);
		const provider = CredentialProvider.chain({
			env: homeEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${container.url}/creds` }),
			containerAttempts: 1,
		});
		const first = await provider.get();
		expect(container.requests).toHaveLength(1);
		expect(await provider.get()).toBe(first); // current ones handed out at once...
		await until("the background refresh", () => container.requests.length === 2); // ...and fetched again
		const second = await until("the refreshed credentials", async () => {
			const c = await provider.get();
			return c.accessKeyId === issued[1]?.accessKeyId && c;
		});
		expect(second.accessKeyId).toBe(issued[1]?.accessKeyId as string);
		expect(second.accessKeyId).not.toBe(first.accessKeyId);
		expect(await download(provider, s3.endpoint)).toBe(CONTENT);
	});
});

// ---------- regions ----------

describe("regions (RegionResolver)", () => {
	function regionFiles(opts: { config?: string; credentials?: string }): Env {
		const home = tempDir();
		const env: Env = { HOME: home };
		if (opts.config !== undefined) env.AWS_CONFIG_FILE = write(home, "config", opts.config);
		if (opts.credentials !== undefined)
			env.AWS_SHARED_CREDENTIALS_FILE = write(home, "credentials", opts.credentials);
		return env;
	}

	async function regionError(r: RegionResolver): Promise<RegionError> {
		try {
			const got = await r.region();
			throw new Error(`expected a RegionError, got ${got}`);
		} catch (err) {
			expect(err).toBeInstanceOf(RegionError);
			return err as RegionError;
		}
	}

	test("order: AWS_REGION > AWS_DEFAULT_REGION > profile (credentials file first) > configured > IMDS", async () => {
		const imds = track(imdsStandIn({ creds: () => registered(), region: "sa-east-1" }));
		const files = regionFiles({
			config: "[default]\nregion = eu-west-1\n",
			credentials: "[default]\nregion = eu-central-1\n",
		});
		const full: Env = {
			...files,
			AWS_REGION: "us-west-2",
			AWS_DEFAULT_REGION: "us-east-2",
			AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url,
		};
		const regionOf = (env: Env, configured?: string) =>
			new RegionResolver({ env, configured, imdsTimeoutMs: 500 }).region();

		expect(await regionOf(full, "ap-south-1")).toBe("us-west-2");
		const noRegion = { ...full, AWS_REGION: undefined };
		expect(await regionOf(noRegion, "ap-south-1")).toBe("us-east-2");
		const noDefault = { ...noRegion, AWS_DEFAULT_REGION: undefined };
		expect(await regionOf(noDefault, "ap-south-1")).toBe("eu-central-1");
		const configOnly = { ...noDefault, AWS_SHARED_CREDENTIALS_FILE: join(files.HOME as string, "absent") };
		expect(await regionOf(configOnly, "ap-south-1")).toBe("eu-west-1");
		const noProfile = { ...configOnly, AWS_CONFIG_FILE: join(files.HOME as string, "absent") };
		expect(await regionOf(noProfile, "ap-south-1")).toBe("ap-south-1");
		expect(imds.requests).toHaveLength(0);
		expect(await regionOf(noProfile)).toBe("sa-east-1");
		expect(imds.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
			"PUT /latest/api/token",
			"GET /latest/meta-data/placement/region",
		]);
		expect(imds.requests[1]?.headers["x-aws-ec2-metadata-token"]).toBe("imds-token-1");
	});

	test("AWS_PROFILE selects the profile whose region is used", async () => {
		const env = regionFiles({
			config: "[default]\nregion = eu-west-1\n[profile far]\nregion = ap-northeast-1\n",
		});
		expect(await new RegionResolver({ env: { ...env, AWS_PROFILE: "far" } }).region()).toBe("ap-northeast-1");
		expect(await new RegionResolver({ env }).region()).toBe("eu-west-1");
	});

	test("a resolved region is remembered (IMDS is asked once)", async () => {
		const imds = track(imdsStandIn({ creds: () => registered(), region: "eu-north-1" }));
		const r = new RegionResolver({ env: homeEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url }) });
		expect(await r.region()).toBe("eu-north-1");
		expect(await r.region()).toBe("eu-north-1");
		expect(imds.requests.filter((q) => q.method === "GET")).toHaveLength(1);
	});

	test("none → RegionError naming AWS_REGION and MCP_REGISTRY_AWS_REGION", async () => {
		const disabled = await regionError(
			new RegionResolver({ env: homeEnv({ AWS_EC2_METADATA_DISABLED: "true" }) }),
		);
		expect(disabled.message).toContain("AWS_REGION");
		expect(disabled.message).toContain("MCP_REGISTRY_AWS_REGION");
		expect(disabled.message).toContain("AWS_EC2_METADATA_DISABLED");

		const port = await closedPort();
		const unreachable = await regionError(
			new RegionResolver({
				env: homeEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${port}` }),
				imdsTimeoutMs: 200,
			}),
		);
		expect(unreachable.message).toContain("AWS_REGION");
		expect(unreachable.message).toContain("MCP_REGISTRY_AWS_REGION");
		expect(unreachable.message).toContain(`127.0.0.1:${port}`);
	});

	test("an invalid region value → RegionError naming where it came from", async () => {
		const cases: [Env, string | undefined, string][] = [
			[homeEnv({ AWS_REGION: "us-east-1/../evil" }), undefined, "AWS_REGION"],
			[homeEnv({ AWS_DEFAULT_REGION: "US East" }), undefined, "AWS_DEFAULT_REGION"],
			[regionFiles({ config: "[default]\nregion = eu west 1\n" }), undefined, "profile default"],
			[homeEnv({ AWS_EC2_METADATA_DISABLED: "true" }), "not_a_region", "MCP_REGISTRY_AWS_REGION"],
		];
		for (const [env, configured, named] of cases) {
			const e = await regionError(new RegionResolver({ env, configured }));
			expect(e.message).toContain(named);
		}
	});

	test("the sovereign-cloud region eusc-de-east-1 (partition aws-eusc) is accepted", async () => {
		const r = new RegionResolver({ env: homeEnv({ AWS_REGION: "eusc-de-east-1" }) });
		expect(await r.region()).toBe("eusc-de-east-1");
	});
});

// ---------- the chain's sources, one by one (defaultSources / resolveCredentials) ----------

// ---------- malformed answers ----------

describe("malformed answers: a clear reason naming the field, never a secret", () => {
	const SECRET = "s3cr3t-never-shown";
	const EXPIRES = new Date(Date.now() + 3600_000).toISOString();

	/** The chain's error when a credential_process prints `output`. */
	async function processError(output: string): Promise<CredentialsError> {
		const home = tempDir();
		const script = write(home, "print.sh", `#!/bin/sh\ncat <<'JSON'\n${output}\nJSON\n`, 0o755);
		const credentials = write(home, "credentials", `[default]\ncredential_process = ${script}\n`);
		const err = await chainError({
			HOME: home,
			AWS_SHARED_CREDENTIALS_FILE: credentials,
			AWS_EC2_METADATA_DISABLED: "true",
		});
		expect(err).toBeInstanceOf(CredentialsError);
		expect(err.message).not.toContain(SECRET);
		return err as CredentialsError;
	}

	const cases: [string, unknown, string][] = [
		["not JSON", "Version: 1", "credential_process did not print JSON"],
		["null", null, "credential_process output is null, expected Object"],
		["a list", [{ Version: 1 }], "credential_process output is an array, expected Object"],
		[
			"Version 2",
			{ Version: 2, AccessKeyId: "AKIA1", SecretAccessKey: SECRET },
			"credential_process output must have Version 1",
		],
		["no secret", { Version: 1, AccessKeyId: "AKIA1" }, "credential_process output lacks SecretAccessKey"],
		[
			"a numeric key id",
			{ Version: 1, AccessKeyId: 7, SecretAccessKey: SECRET },
			"credential_process output has AccessKeyId as a number, expected string",
		],
		[
			"a numeric session token",
			{ Version: 1, AccessKeyId: "AKIA1", SecretAccessKey: SECRET, SessionToken: 5 },
			"credential_process output has SessionToken as a number, expected string",
		],
	];
	for (const [what, output, reason] of cases) {
		test(`credential_process printing ${what}: skipped with "${reason}"`, async () => {
			const err = await processError(typeof output === "string" ? output : JSON.stringify(output));
			expect(err.tried.find((t) => t.source === "shared files")?.reason).toBe(reason);
		});
	}

	test("credential_process: a null SessionToken and Expiration are none", async () => {
		const home = tempDir();
		const json = JSON.stringify({
			Version: 1,
			AccessKeyId: "AKIA1",
			SecretAccessKey: SECRET,
			SessionToken: null,
			Expiration: null,
		});
		const script = write(home, "print.sh", `#!/bin/sh\necho '${json}'\n`, 0o755);
		const credentials = write(home, "credentials", `[default]\ncredential_process = ${script}\n`);
		const creds = await CredentialProvider.chain({
			env: { HOME: home, AWS_SHARED_CREDENTIALS_FILE: credentials },
		}).get();
		expect(creds.accessKeyId).toBe("AKIA1");
		expect(creds.sessionToken).toBeUndefined();
		expect(creds.expiration).toBeUndefined();
	});

	const remoteCases: [string, string, string][] = [
		["not JSON", "AccessKeyId=AKIA1", "the answer is not JSON"],
		[
			"no Expiration",
			JSON.stringify({ AccessKeyId: "AKIA1", SecretAccessKey: SECRET, Token: "t" }),
			"the answer lacks Expiration",
		],
		[
			"a secret that is an object",
			JSON.stringify({
				AccessKeyId: "AKIA1",
				SecretAccessKey: { value: SECRET },
				Token: "t",
				Expiration: EXPIRES,
			}),
			"the answer has SecretAccessKey as an object, expected string",
		],
		[
			"an expiration that is no date",
			JSON.stringify({ AccessKeyId: "AKIA1", SecretAccessKey: SECRET, Token: "t", Expiration: "soon" }),
			'expiration "soon" is not a date',
		],
	];
	for (const [what, body, reason] of remoteCases) {
		test(`a container endpoint answering ${what}: skipped with the reason`, async () => {
			const container = track(standIn(() => new Response(body)));
			const err = await chainError(
				homeEnv({
					AWS_CONTAINER_CREDENTIALS_FULL_URI: `${container.url}/creds`,
					AWS_EC2_METADATA_DISABLED: "true",
				}),
			);
			expect(err).toBeInstanceOf(CredentialsError);
			expect(err.message).not.toContain(SECRET);
			expect((err as CredentialsError).tried.find((t) => t.source === "container")?.reason).toBe(
				`${container.url}/creds: container: ${reason}`,
			);
		});

		test(`instance metadata answering ${what}: an error naming the role and the reason`, async () => {
			const imds = track(
				standIn((req) => {
					const path = new URL(req.url).pathname;
					if (req.method === "PUT") return new Response("imds-token");
					if (path === "/latest/meta-data/iam/security-credentials/") return new Response("my-role\n");
					return new Response(body);
				}),
			);
			const err = await chainError(homeEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url }));
			expect(err).toBeInstanceOf(CredentialsError);
			expect(err.message).toStartWith(
				`EC2 instance metadata: EC2 instance metadata (role my-role): ${reason}; `,
			);
			// Why it came to instance metadata: what was tried before it, and why each did not apply.
			expect(err.message).toContain(
				"; tried before it: environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set; shared files:",
			);
		});
	}

	test("STS answering 200 without credentials: an error that stops the chain", async () => {
		const sts = track(
			standIn(
				() =>
					new Response(
						"<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>",
						{ headers: { "content-type": "text/xml" } },
					),
			),
		);
		const home = tempDir();
		const err = await chainError({
			HOME: home,
			AWS_WEB_IDENTITY_TOKEN_FILE: write(home, "token", WEB_TOKEN),
			AWS_ROLE_ARN: ROLE_ARN,
			AWS_ENDPOINT_URL_STS: sts.url,
			AWS_EC2_METADATA_DISABLED: "true",
		});
		expect(err).toBeInstanceOf(CredentialsError);
		expect(err.message).toBe("web identity: STS answered without AccessKeyId/SecretAccessKey");
	});
});

describe("resolveCredentials", () => {
	test("returns the first source's credentials and never asks the later ones", async () => {
		const asked: string[] = [];
		const make = (name: string, ok: boolean) => ({
			name,
			async resolve() {
				asked.push(name);
				if (!ok) throw new SourceSkipped(`${name} n/a`);
				return new Credentials({ accessKeyId: name, secretAccessKey: "x", source: name });
			},
		});
		const c = await resolveCredentials([make("a", false), make("b", true), make("c", true)]);
		expect(c.source).toBe("b");
		expect(asked).toEqual(["a", "b"]);
	});

	test("defaultSources lists the five sources in the SDK's order", () => {
		expect(defaultSources({ env: {} }).map((s) => s.name)).toEqual([
			"environment",
			"shared files",
			"web identity",
			"container",
			"EC2 instance metadata",
		]);
	});
});

describe("EC2 instance metadata on an instance without an instance profile", () => {
	test("the role list's 404 skips the source: one error listing all five sources", async () => {
		const imds = track(imdsStandIn({ creds: () => registered(), noRole: true }));
		const err = await chainError(homeEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url }));
		expect(err).toBeInstanceOf(CredentialsError);
		const e = err as CredentialsError;
		expect(e.message).toStartWith("no AWS credentials found");
		expect(e.tried.map((t) => t.source)).toEqual([
			"environment",
			"shared files",
			"web identity",
			"container",
			"EC2 instance metadata",
		]);
		expect(e.tried[4]?.reason).toContain("no IAM role");
		expect(e.tried[4]?.reason).toContain("404");
		// It asked for the role list (with a token) and for nothing after it.
		expect(imds.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
			"PUT /latest/api/token",
			"GET /latest/meta-data/iam/security-credentials/",
		]);
	});
});
