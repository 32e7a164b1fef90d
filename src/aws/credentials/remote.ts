/**
 * Role credentials served over HTTP: the container endpoint (ECS, EKS Pod Identity) and EC2
 * instance metadata. Both answer the same JSON shape, checked before use.
 */
import { readFileSync } from "node:fs";
import * as v from "valibot";
import { checkJson, maybe } from "../answer.ts";
import { Imds, ImdsHttpError, ImdsUnavailable, imdsDisabled } from "../imds.ts";
import {
	type ChainOptions,
	type CredentialSource,
	Credentials,
	CredentialsError,
	parseExpiration,
	SourceSkipped,
} from "./base.ts";

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

/** What the container endpoint and instance metadata answer (both also send more, unused). */
const RemoteCredentials = v.object({
	AccessKeyId: v.string(),
	SecretAccessKey: v.string(),
	Token: v.string(),
	Expiration: v.string(),
});

/** A container endpoint's error answer. */
const RemoteError = v.object({ Code: maybe(v.string()), Message: maybe(v.string()) });

function parseRemoteCredentials(text: string, source: string): Credentials {
	const c = checkJson(RemoteCredentials, text);
	if (!c.ok) throw new Error(`${source}: the answer ${c.reason}`);
	return new Credentials({
		accessKeyId: c.value.AccessKeyId,
		secretAccessKey: c.value.SecretAccessKey,
		sessionToken: c.value.Token,
		expiration: parseExpiration(c.value.Expiration, source),
		source,
	});
}

export function containerSource(o: ChainOptions): CredentialSource {
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
					if (res.ok) return parseRemoteCredentials(text, "container");
					const e = checkJson(RemoteError, text);
					const detail = e.ok ? [e.value.Code, e.value.Message].filter(Boolean).join(": ") : "";
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

export function imdsSource(o: ChainOptions): CredentialSource {
	const imds = new Imds({ env: o.env, fetch: o.fetch, timeoutMs: o.imdsTimeoutMs });
	return {
		name: "EC2 instance metadata",
		async resolve() {
			if (imdsDisabled(o.env)) throw new SourceSkipped("AWS_EC2_METADATA_DISABLED is set");
			// As the AWS SDK: where container credentials are configured, instance metadata is not tried.
			if (o.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || o.env.AWS_CONTAINER_CREDENTIALS_FULL_URI) {
				throw new SourceSkipped("container credentials are configured, so instance metadata is not tried");
			}
			const roles = "/latest/meta-data/iam/security-credentials/";
			try {
				let list: string;
				try {
					list = await imds.get(roles);
				} catch (err) {
					// An instance without an instance profile: EC2 answers 404 for the role list.
					if (err instanceof ImdsHttpError && err.status === 404) {
						throw new SourceSkipped(`the instance has no IAM role (HTTP 404 for ${roles})`);
					}
					throw err;
				}
				const role = list.trim().split("\n")[0]?.trim();
				if (!role) throw new SourceSkipped("the instance has no IAM role");
				const json = await imds.get(`/latest/meta-data/iam/security-credentials/${encodeURIComponent(role)}`);
				return parseRemoteCredentials(json, `EC2 instance metadata (role ${role})`);
			} catch (err) {
				if (err instanceof ImdsUnavailable) throw new SourceSkipped(err.message);
				throw err;
			}
		},
	};
}
