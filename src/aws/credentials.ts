/**
 * AWS credentials, resolved as the AWS SDK for JavaScript v3 does: environment, shared files
 * (static keys, web identity, credential_process), web identity from the environment,
 * container credentials, EC2 instance metadata. Cached, refreshed before they expire.
 * Secret values never appear in a message, a log line or an inspected object.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { stsEndpoint } from "./endpoints.ts";
import { AwsError, xmlText } from "./errors.ts";
import { Imds, ImdsUnavailable, imdsDisabled } from "./imds.ts";
import { loadSharedFiles, profileName, profileOf } from "./ini.ts";

export class Credentials {
	readonly accessKeyId: string;
	readonly secretAccessKey: string;
	readonly sessionToken: string | undefined;
	readonly expiration: Date | undefined;
	/** Which source gave them, e.g. `environment`, `shared files (profile default)`. */
	readonly source: string;

	constructor(c: {
		accessKeyId: string;
		secretAccessKey: string;
		sessionToken?: string;
		expiration?: Date;
		source: string;
	}) {
		this.accessKeyId = c.accessKeyId;
		this.secretAccessKey = c.secretAccessKey;
		this.sessionToken = c.sessionToken || undefined;
		this.expiration = c.expiration;
		this.source = c.source;
		// Keep the secret out of enumeration, JSON and inspection.
		Object.defineProperty(this, "secretAccessKey", { enumerable: false });
		Object.defineProperty(this, "sessionToken", { enumerable: false });
	}

	toJSON(): Record<string, unknown> {
		return { accessKeyId: this.accessKeyId, source: this.source, expiration: this.expiration?.toISOString() };
	}

	[Symbol.for("nodejs.util.inspect.custom")](): string {
		return `Credentials { accessKeyId: ${this.accessKeyId}, source: ${this.source} }`;
	}
}

/** A source that does not apply here; the chain goes on to the next. */
export class SourceSkipped extends Error {}

/** No source gave credentials, or one failed in a way that stops the chain (as the SDK does). */
export class CredentialsError extends Error {
	constructor(
		message: string,
		readonly tried: { source: string; reason: string }[] = [],
	) {
		super(message);
		this.name = "CredentialsError";
	}
}

export interface ChainOptions {
	env: Record<string, string | undefined>;
	fetch?: typeof fetch;
	/** The region for STS when the environment and profile name none. */
	region?: string;
	/** Container-credential attempts and the pause between them (the SDK: 4 and 1 s). */
	containerAttempts?: number;
	containerRetryMs?: number;
	/** Milliseconds a credential_process may run. */
	processTimeoutMs?: number;
	imdsTimeoutMs?: number;
	/** Warnings (never secrets), e.g. AWS_PROFILE beside environment keys. */
	warn?: (message: string) => void;
}

export interface CredentialSource {
	name: string;
	resolve(): Promise<Credentials>;
}

function parseExpiration(value: unknown, what: string): Date | undefined {
	if (value === undefined || value === null || value === "") return undefined;
	const d = new Date(String(value));
	if (Number.isNaN(d.getTime()))
		throw new Error(`${what}: expiration ${JSON.stringify(value)} is not a date`);
	return d;
}

function environmentSource(o: ChainOptions): CredentialSource {
	let warned = false;
	return {
		name: "environment",
		async resolve() {
			const { env } = o;
			const id = env.AWS_ACCESS_KEY_ID;
			const secret = env.AWS_SECRET_ACCESS_KEY;
			if (env.AWS_PROFILE) {
				if ((id || secret) && !warned) {
					warned = true;
					o.warn?.("AWS_PROFILE and AWS_ACCESS_KEY_ID are both set: using the profile, as the AWS SDK does");
				}
				throw new SourceSkipped("AWS_PROFILE is set");
			}
			if (!id && !secret) throw new SourceSkipped("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
			if (!id) throw new SourceSkipped("AWS_SECRET_ACCESS_KEY is set without AWS_ACCESS_KEY_ID");
			if (!secret) throw new SourceSkipped("AWS_ACCESS_KEY_ID is set without AWS_SECRET_ACCESS_KEY");
			return new Credentials({
				accessKeyId: id,
				secretAccessKey: secret,
				sessionToken: env.AWS_SESSION_TOKEN,
				expiration: parseExpiration(env.AWS_CREDENTIAL_EXPIRATION, "AWS_CREDENTIAL_EXPIRATION"),
				source: "environment",
			});
		},
	};
}

/** The region STS is called in: AWS_REGION, the profile's region, the configured one, us-east-1. */
function stsRegion(o: ChainOptions, profile?: Record<string, string>): string {
	return o.env.AWS_REGION || profile?.region || o.region || "us-east-1";
}

/** AssumeRoleWithWebIdentity: unsigned, at the regional STS endpoint, answered in XML. */
export async function assumeRoleWithWebIdentity(
	o: ChainOptions,
	args: { roleArn: string; tokenFile: string; sessionName?: string; region: string; source: string },
): Promise<Credentials> {
	let token: string;
	try {
		token = readFileSync(args.tokenFile, "ascii");
	} catch (err) {
		throw new CredentialsError(
			`${args.source}: cannot read the web identity token file ${args.tokenFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
		);
	}
	const body = new URLSearchParams({
		Action: "AssumeRoleWithWebIdentity",
		Version: "2011-06-15",
		RoleArn: args.roleArn,
		RoleSessionName: args.sessionName || `registry-session-${Date.now()}`,
		WebIdentityToken: token,
	});
	const url = stsEndpoint(args.region, o.env);
	let res: Response;
	try {
		res = await (o.fetch ?? fetch)(url, {
			method: "POST",
			headers: { "content-type": "application/x-www-form-urlencoded" },
			body: body.toString(),
			redirect: "manual",
			signal: AbortSignal.timeout(10_000),
		});
	} catch (err) {
		throw new CredentialsError(`${args.source}: STS at ${url} is unreachable: ${(err as Error).message}`);
	}
	const xml = await res.text();
	if (!res.ok) {
		const code = xmlText(xml, "Code") ?? `HTTP${res.status}`;
		throw new AwsError(
			`${args.source}: STS AssumeRoleWithWebIdentity failed: ${code}: ${xmlText(xml, "Message") ?? res.statusText}`,
			{
				service: "sts",
				code,
				status: res.status,
				retryable: res.status >= 500,
				requestId: xmlText(xml, "RequestId"),
			},
		);
	}
	const accessKeyId = xmlText(xml, "AccessKeyId");
	const secretAccessKey = xmlText(xml, "SecretAccessKey");
	if (!accessKeyId || !secretAccessKey) {
		throw new CredentialsError(`${args.source}: STS answered without AccessKeyId/SecretAccessKey`);
	}
	return new Credentials({
		accessKeyId,
		secretAccessKey,
		sessionToken: xmlText(xml, "SessionToken"),
		expiration: parseExpiration(xmlText(xml, "Expiration"), "STS"),
		source: args.source,
	});
}

/** Runs a credential_process through the shell; on timeout its whole process group is killed. */
function runProcess(command: string, timeoutMs: number): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn("/bin/sh", ["-c", command], { detached: true, stdio: ["ignore", "pipe", "ignore"] });
		let out = "";
		let size = 0;
		child.stdout?.on("data", (chunk: Buffer) => {
			size += chunk.length;
			if (size <= 1024 * 1024) out += chunk.toString("utf8");
		});
		const killGroup = () => {
			try {
				if (child.pid) process.kill(-child.pid, "SIGKILL");
			} catch {}
		};
		const timer = setTimeout(() => {
			killGroup();
			reject(new Error(`timed out after ${timeoutMs} ms`));
		}, timeoutMs);
		child.on("error", (err) => {
			clearTimeout(timer);
			reject(new Error(`could not start: ${err.message}`));
		});
		child.on("close", (code) => {
			clearTimeout(timer);
			if (code === 0) resolve(out);
			else reject(new Error(`exited with ${code ?? "a signal"}`));
		});
	});
}

async function fromProcess(command: string, o: ChainOptions, source: string): Promise<Credentials> {
	let out: string;
	try {
		out = await runProcess(command, o.processTimeoutMs ?? 60_000);
	} catch (err) {
		throw new SourceSkipped(`credential_process ${(err as Error).message}`);
	}
	let doc: Record<string, unknown>;
	try {
		doc = JSON.parse(out.trim()) as Record<string, unknown>;
	} catch {
		throw new SourceSkipped("credential_process did not print JSON");
	}
	if (doc.Version !== 1) throw new SourceSkipped("credential_process output must have Version 1");
	if (typeof doc.AccessKeyId !== "string" || typeof doc.SecretAccessKey !== "string") {
		throw new SourceSkipped("credential_process output lacks AccessKeyId or SecretAccessKey");
	}
	const expiration = parseExpiration(doc.Expiration, "credential_process");
	if (expiration && expiration.getTime() <= Date.now())
		throw new SourceSkipped("credential_process returned expired credentials");
	return new Credentials({
		accessKeyId: doc.AccessKeyId,
		secretAccessKey: doc.SecretAccessKey,
		sessionToken: typeof doc.SessionToken === "string" ? doc.SessionToken : undefined,
		expiration,
		source,
	});
}

function sharedFilesSource(o: ChainOptions): CredentialSource {
	return {
		name: "shared files",
		async resolve() {
			const files = loadSharedFiles(o.env);
			const name = profileName(o.env);
			const profile = profileOf(files, name);
			const source = `shared files (profile ${name})`;
			if (!profile) {
				throw new SourceSkipped(
					`profile ${name} is in neither ${files.credentialsPath} nor ${files.configPath}`,
				);
			}
			if (profile.role_arn && (profile.source_profile || profile.credential_source)) {
				throw new SourceSkipped(
					`profile ${name} assumes a role from source_profile/credential_source, which this registry does not support (use static keys, web identity or credential_process)`,
				);
			}
			if (profile.aws_access_key_id && profile.aws_secret_access_key) {
				return new Credentials({
					accessKeyId: profile.aws_access_key_id,
					secretAccessKey: profile.aws_secret_access_key,
					sessionToken: profile.aws_session_token,
					source,
				});
			}
			if (profile.web_identity_token_file && profile.role_arn) {
				return await assumeRoleWithWebIdentity(o, {
					roleArn: profile.role_arn,
					tokenFile: profile.web_identity_token_file,
					sessionName: profile.role_session_name,
					region: stsRegion(o, profile),
					source: `${source}, web identity`,
				});
			}
			if (profile.credential_process)
				return await fromProcess(profile.credential_process, o, `${source}, credential_process`);
			throw new SourceSkipped(
				`profile ${name} has no aws_access_key_id/aws_secret_access_key, web_identity_token_file + role_arn or credential_process`,
			);
		},
	};
}

function webIdentitySource(o: ChainOptions): CredentialSource {
	return {
		name: "web identity",
		async resolve() {
			const { env } = o;
			if (!env.AWS_WEB_IDENTITY_TOKEN_FILE || !env.AWS_ROLE_ARN) {
				throw new SourceSkipped("AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not both set");
			}
			const files = loadSharedFiles(env);
			return await assumeRoleWithWebIdentity(o, {
				roleArn: env.AWS_ROLE_ARN,
				tokenFile: env.AWS_WEB_IDENTITY_TOKEN_FILE,
				sessionName: env.AWS_ROLE_SESSION_NAME,
				region: stsRegion(o, profileOf(files, profileName(env))),
				source: "web identity",
			});
		},
	};
}

const CONTAINER_HTTP_HOSTS = new Set([
	"169.254.170.2",
	"169.254.170.23",
	"[fd00:ec2::23]",
	"localhost",
	"[::1]",
]);

/** The container credentials URL, or the reason there is none. */
export function containerUrl(env: Record<string, string | undefined>): URL {
	if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) {
		return new URL(`http://169.254.170.2${env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI}`);
	}
	const full = env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
	if (!full) {
		throw new SourceSkipped(
			"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set",
		);
	}
	let url: URL;
	try {
		url = new URL(full);
	} catch {
		throw new SourceSkipped("AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL");
	}
	const host = url.hostname.toLowerCase();
	if (url.protocol === "https:") return url;
	if (url.protocol === "http:" && (CONTAINER_HTTP_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host)))
		return url;
	throw new SourceSkipped(
		`AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a container credentials host or loopback (got ${url.protocol}//${url.host})`,
	);
}

function containerToken(env: Record<string, string | undefined>): string | undefined {
	let token = env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
	if (env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) {
		try {
			token = readFileSync(env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, "utf8"); // re-read every time
		} catch (err) {
			throw new CredentialsError(
				`container: cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE ${env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
			);
		}
	}
	if (token?.includes("\r\n"))
		throw new CredentialsError("container: the authorization token contains a line break");
	return token;
}

function parseRemoteCredentials(json: unknown, source: string): Credentials {
	const c = json as Record<string, unknown>;
	for (const k of ["AccessKeyId", "SecretAccessKey", "Token", "Expiration"]) {
		if (typeof c?.[k] !== "string") throw new Error(`${source}: the answer lacks ${k}`);
	}
	return new Credentials({
		accessKeyId: c.AccessKeyId as string,
		secretAccessKey: c.SecretAccessKey as string,
		sessionToken: c.Token as string,
		expiration: parseExpiration(c.Expiration, source),
		source,
	});
}

function containerSource(o: ChainOptions): CredentialSource {
	return {
		name: "container",
		async resolve() {
			const url = containerUrl(o.env);
			const attempts = o.containerAttempts ?? 4;
			let last = "";
			for (let attempt = 1; attempt <= attempts; attempt++) {
				const token = containerToken(o.env);
				try {
					const res = await (o.fetch ?? fetch)(url, {
						headers: token ? { authorization: token } : {},
						redirect: "manual",
						signal: AbortSignal.timeout(1000),
					});
					const text = await res.text();
					if (res.ok) return parseRemoteCredentials(JSON.parse(text), "container");
					let detail = "";
					try {
						const e = JSON.parse(text) as { Code?: string; Message?: string };
						detail = [e.Code, e.Message].filter(Boolean).join(": ");
					} catch {}
					last = `HTTP ${res.status}${detail ? ` ${detail}` : ""}`;
					if (res.status < 500) break;
				} catch (err) {
					last = (err as Error).message;
				}
				if (attempt < attempts) await new Promise((r) => setTimeout(r, o.containerRetryMs ?? 1000));
			}
			throw new SourceSkipped(`${url.origin}${url.pathname}: ${last}`);
		},
	};
}

function imdsSource(o: ChainOptions): CredentialSource {
	const imds = new Imds({ env: o.env, fetch: o.fetch, timeoutMs: o.imdsTimeoutMs });
	return {
		name: "EC2 instance metadata",
		async resolve() {
			if (imdsDisabled(o.env)) throw new SourceSkipped("AWS_EC2_METADATA_DISABLED is set");
			// As the AWS SDK: where container credentials are configured, instance metadata is not tried.
			if (o.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || o.env.AWS_CONTAINER_CREDENTIALS_FULL_URI) {
				throw new SourceSkipped("container credentials are configured, so instance metadata is not tried");
			}
			try {
				const role = (await imds.get("/latest/meta-data/iam/security-credentials/"))
					.trim()
					.split("\n")[0]
					?.trim();
				if (!role) throw new SourceSkipped("the instance has no IAM role");
				const json = await imds.get(`/latest/meta-data/iam/security-credentials/${encodeURIComponent(role)}`);
				return parseRemoteCredentials(JSON.parse(json), `EC2 instance metadata (role ${role})`);
			} catch (err) {
				if (err instanceof ImdsUnavailable) throw new SourceSkipped(err.message);
				throw err;
			}
		},
	};
}

/** The sources in the order the AWS SDK for JavaScript v3 tries them. */
export function defaultSources(o: ChainOptions): CredentialSource[] {
	return [
		environmentSource(o),
		sharedFilesSource(o),
		webIdentitySource(o),
		containerSource(o),
		imdsSource(o),
	];
}

/** Tries each source in turn; one error listing every source and why, when none applies. */
export async function resolveCredentials(sources: CredentialSource[]): Promise<Credentials> {
	const tried: { source: string; reason: string }[] = [];
	for (const s of sources) {
		try {
			return await s.resolve();
		} catch (err) {
			if (err instanceof SourceSkipped) {
				tried.push({ source: s.name, reason: err.message });
				continue;
			}
			if (err instanceof CredentialsError || err instanceof AwsError) throw err;
			throw new CredentialsError(`${s.name}: ${(err as Error).message}`, tried);
		}
	}
	throw new CredentialsError(
		`no AWS credentials found; tried, in order:\n${tried.map((t) => `  ${t.source}: ${t.reason}`).join("\n")}`,
		tried,
	);
}

const REFRESH_BEFORE_MS = 5 * 60_000;

/**
 * Credentials cached until five minutes before they expire; then refreshed in the background
 * while the current ones are still handed out, and blocking once they have expired. One refresh
 * at a time, shared by every caller.
 */
export class CredentialProvider {
	private current: Credentials | undefined;
	private inflight: Promise<Credentials> | undefined;

	constructor(
		private readonly resolve: () => Promise<Credentials>,
		private readonly now: () => number = Date.now,
	) {}

	static chain(o: ChainOptions): CredentialProvider {
		const sources = defaultSources(o);
		return new CredentialProvider(() => resolveCredentials(sources));
	}

	static fixed(c: {
		accessKeyId: string;
		secretAccessKey: string;
		sessionToken?: string;
	}): CredentialProvider {
		const creds = new Credentials({ ...c, source: "fixed" });
		return new CredentialProvider(async () => creds);
	}

	async get(): Promise<Credentials> {
		const c = this.current;
		if (c) {
			const left = c.expiration ? c.expiration.getTime() - this.now() : Number.POSITIVE_INFINITY;
			if (left > REFRESH_BEFORE_MS) return c;
			if (left > 0) {
				this.refresh().catch(() => {}); // the next call tries again
				return c;
			}
		}
		return this.refresh();
	}

	/** Fetches new credentials; concurrent callers share one fetch. */
	refresh(): Promise<Credentials> {
		this.inflight ??= this.resolve()
			.then((c) => {
				this.current = c;
				return c;
			})
			.finally(() => {
				this.inflight = undefined;
			});
		return this.inflight;
	}
}
