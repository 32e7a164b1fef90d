/**
 * Real AWS-protocol servers on loopback for tests (see the testing spec): s3rver (verifies
 * SigV4), local-aws-sqs behind a proxy that checks every signature with AWS's own signer
 * (@smithy/signature-v4), and small stand-ins for IMDS, the container endpoint and STS.
 * The AWS SDK for JavaScript is the independent client that creates queues and uploads objects.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Sha256 } from "@aws-crypto/sha256-js";
import { PutObjectCommand, S3Client as SdkS3 } from "@aws-sdk/client-s3";
import { CreateQueueCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Server } from "bun";
import { createSqsServer } from "local-aws-sqs";

const require = createRequire(import.meta.url);

export const DEFAULT_KEYS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
export const BUCKET = "registry";

/**
 * The environment a registry process needs to reach these servers as an AWS client would:
 * static keys, a region, the endpoint overrides, no instance metadata, HOME in `home`.
 */
export function awsClientEnv(o: { home: string; s3?: string; sqs?: string }): Record<string, string> {
	return {
		HOME: o.home,
		AWS_ACCESS_KEY_ID: DEFAULT_KEYS.accessKeyId,
		AWS_SECRET_ACCESS_KEY: DEFAULT_KEYS.secretAccessKey,
		AWS_REGION: "us-east-1",
		AWS_EC2_METADATA_DISABLED: "true",
		...(o.s3 ? { AWS_ENDPOINT_URL_S3: o.s3 } : {}),
		...(o.sqs ? { AWS_ENDPOINT_URL_SQS: o.sqs } : {}),
	};
}

// ---------- S3 ----------

export interface S3Server {
	endpoint: string;
	port: number;
	/** Lets `accessKeyId` / `secretAccessKey` sign requests (s3rver's account model). */
	addKeyPair(accessKeyId: string, secretAccessKey: string): void;
	put(key: string, body: string | Uint8Array, bucket?: string): Promise<{ etag: string }>;
	sdk: SdkS3;
	close(): Promise<void>;
}

export async function startS3(buckets: string[] = [BUCKET]): Promise<S3Server> {
	const S3rver = require("@20minutes/s3rver");
	const account = require("@20minutes/s3rver/lib/models/account");
	const directory = mkdtempSync(join(tmpdir(), "s3rver-"));
	const server = new S3rver({
		port: 0,
		address: "127.0.0.1",
		directory,
		silent: true,
		resetOnClose: true,
		configureBuckets: buckets.map((name) => ({ name })),
	});
	const { port } = (await server.run()) as { port: number };
	const endpoint = `http://127.0.0.1:${port}`;
	const sdk = new SdkS3({
		region: "us-east-1",
		endpoint,
		forcePathStyle: true,
		credentials: DEFAULT_KEYS,
		requestChecksumCalculation: "WHEN_REQUIRED",
	});
	const added: string[] = [];
	return {
		endpoint,
		port,
		addKeyPair(id, secret) {
			account.DUMMY_ACCOUNT.createKeyPair(id, secret);
			added.push(id);
		},
		async put(key, body, bucket = BUCKET) {
			const out = await sdk.send(
				new PutObjectCommand({
					Bucket: bucket,
					Key: key,
					Body: typeof body === "string" ? Buffer.from(body) : Buffer.from(body),
				}),
			);
			return { etag: out.ETag ?? "" };
		},
		sdk,
		async close() {
			for (const id of added) account.DUMMY_ACCOUNT.revokeAccessKey(id);
			sdk.destroy();
			await server.close();
			rmSync(directory, { recursive: true, force: true });
		},
	};
}

// ---------- SQS behind a signature-checking proxy ----------

export interface RecordedRequest {
	target: string;
	headers: Record<string, string>;
	body: Record<string, unknown>;
}

export interface SqsServer {
	/** The checking proxy: what the code under test talks to. */
	endpoint: string;
	/** local-aws-sqs itself, for the AWS SDK. */
	rawEndpoint: string;
	sdk: SQSClient;
	/** Key pairs the proxy accepts (starts with S3RVER/S3RVER). */
	keys: Map<string, string>;
	requests: RecordedRequest[];
	/** Answers the next requests for which it returns a Response instead of forwarding them. */
	intercept(fn: ((r: RecordedRequest) => Response | undefined) | undefined): void;
	/** Rewrites an upstream answer before it is returned (e.g. a wrong MD5OfBody). */
	rewrite(fn: ((r: RecordedRequest, body: string) => string) | undefined): void;
	createQueue(name: string, attributes?: Record<string, string>): Promise<string>;
	send(queueUrl: string, body: string): Promise<void>;
	close(): Promise<void>;
}

function parseAuthorization(
	h: string,
):
	| { id: string; date: string; region: string; service: string; signed: string[]; signature: string }
	| undefined {
	const m =
		/^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
			h,
		);
	if (!m) return undefined;
	return {
		id: m[1] as string,
		date: m[2] as string,
		region: m[3] as string,
		service: m[4] as string,
		signed: (m[5] as string).split(";"),
		signature: m[6] as string,
	};
}

/** Recomputes a request's SigV4 signature with @smithy/signature-v4; a reason when it does not match. */
export async function checkSignature(
	req: Request,
	body: string,
	keys: Map<string, string>,
): Promise<string | undefined> {
	const auth = parseAuthorization(req.headers.get("authorization") ?? "");
	if (!auth) return "missing or malformed Authorization header";
	const secret = keys.get(auth.id);
	if (secret === undefined) return `unknown access key ${auth.id}`;
	const url = new URL(req.url);
	const headers: Record<string, string> = {};
	for (const name of auth.signed) {
		const v = name === "host" ? url.host : req.headers.get(name);
		if (v !== null) headers[name] = v;
	}
	const amzDate = req.headers.get("x-amz-date") ?? "";
	const d = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
	if (!d) return "missing x-amz-date";
	const signingDate = new Date(`${d[1]}-${d[2]}-${d[3]}T${d[4]}:${d[5]}:${d[6]}Z`);
	const signer = new SignatureV4({
		credentials: {
			accessKeyId: auth.id,
			secretAccessKey: secret,
			sessionToken: req.headers.get("x-amz-security-token") ?? undefined,
		},
		region: auth.region,
		service: auth.service,
		sha256: Sha256,
		// Sign exactly what the client signed: no payload-hash header of smithy's own.
		applyChecksum: false,
	});
	const query: Record<string, string> = {};
	for (const [k, v] of url.searchParams) query[k] = v;
	const signed = await signer.sign(
		{
			method: req.method,
			protocol: url.protocol,
			hostname: url.hostname,
			port: url.port ? Number(url.port) : undefined,
			path: url.pathname,
			query,
			headers,
			body,
		},
		{ signingDate, signableHeaders: new Set(auth.signed), unsignableHeaders: new Set() },
	);
	const expected = parseAuthorization(
		String(signed.headers.authorization ?? signed.headers.Authorization ?? ""),
	);
	if (!expected) return "could not recompute the signature";
	return expected.signature === auth.signature ? undefined : "signature does not match";
}

export async function startSqs(): Promise<SqsServer> {
	const raw = await createSqsServer({ port: 0, hostname: "127.0.0.1" });
	const rawPort = (raw.address() as { port: number }).port;
	const rawEndpoint = `http://127.0.0.1:${rawPort}`;
	const keys = new Map([[DEFAULT_KEYS.accessKeyId, DEFAULT_KEYS.secretAccessKey]]);
	const requests: RecordedRequest[] = [];
	let interceptor: ((r: RecordedRequest) => Response | undefined) | undefined;
	let rewriter: ((r: RecordedRequest, body: string) => string) | undefined;
	const proxy: Server<undefined> = Bun.serve({
		port: 0,
		hostname: "127.0.0.1",
		idleTimeout: 60,
		async fetch(req) {
			const body = await req.text();
			const reason = await checkSignature(req, body, keys);
			const headers: Record<string, string> = {};
			req.headers.forEach((v, k) => {
				headers[k] = v;
			});
			let parsed: Record<string, unknown> = {};
			try {
				parsed = JSON.parse(body) as Record<string, unknown>;
			} catch {}
			const record = { target: req.headers.get("x-amz-target") ?? "", headers, body: parsed };
			requests.push(record);
			if (reason) {
				return Response.json(
					{
						__type: "com.amazon.coral.service#InvalidSignatureException",
						message: `checking proxy: ${reason}`,
					},
					{ status: 403, headers: { "x-amzn-query-error": "SignatureDoesNotMatch;Sender" } },
				);
			}
			const answer = interceptor?.(record);
			if (answer) return answer;
			const upstream = await fetch(`${rawEndpoint}/`, {
				method: "POST",
				headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": record.target },
				body,
				signal: req.signal,
			});
			let text = await upstream.text();
			if (rewriter) text = rewriter(record, text);
			const out = new Headers(upstream.headers);
			out.delete("content-length");
			return new Response(text, { status: upstream.status, headers: out });
		},
	});
	const sdk = new SQSClient({ region: "us-east-1", endpoint: rawEndpoint, credentials: DEFAULT_KEYS });
	return {
		endpoint: `http://127.0.0.1:${proxy.port}`,
		rawEndpoint,
		sdk,
		keys,
		requests,
		intercept(fn) {
			interceptor = fn;
		},
		rewrite(fn) {
			rewriter = fn;
		},
		async createQueue(name, attributes) {
			const out = await sdk.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
			return out.QueueUrl as string;
		},
		async send(queueUrl, body) {
			await sdk.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
		},
		async close() {
			sdk.destroy();
			await proxy.stop(true);
			await new Promise<void>((resolve) => raw.close(() => resolve()));
		},
	};
}

// ---------- stand-ins: IMDS, container endpoint, STS ----------

export interface StandIn {
	url: string;
	requests: { method: string; path: string; headers: Record<string, string>; body: string }[];
	close(): Promise<void>;
}

/** A tiny HTTP server answering with `handle`, recording every request. */
export function standIn(handle: (req: Request, body: string) => Response | Promise<Response>): StandIn {
	const requests: StandIn["requests"] = [];
	const server = Bun.serve({
		port: 0,
		hostname: "127.0.0.1",
		async fetch(req) {
			const body = await req.text();
			const headers: Record<string, string> = {};
			req.headers.forEach((v, k) => {
				headers[k] = v;
			});
			const url = new URL(req.url);
			requests.push({ method: req.method, path: url.pathname + url.search, headers, body });
			return handle(req, body);
		},
	});
	return { url: `http://127.0.0.1:${server.port}`, requests, close: () => server.stop(true) };
}

export interface IssuedCredentials {
	accessKeyId: string;
	secretAccessKey: string;
	sessionToken: string;
	expiration: Date;
}

let issued = 0;

/** Fresh credentials for a stand-in to hand out (register them with the S3 server to be useful). */
export function issueCredentials(expiresInMs = 3600_000): IssuedCredentials {
	issued++;
	return {
		accessKeyId: `AKIATEST${String(issued).padStart(8, "0")}`,
		secretAccessKey: `secret-${crypto.randomUUID()}`,
		sessionToken: `token-${crypto.randomUUID()}`,
		expiration: new Date(Date.now() + expiresInMs),
	};
}

/** IMDSv2: token PUT, role name, role credentials. */
export function imdsStandIn(opts: {
	role?: string;
	creds: () => IssuedCredentials;
	region?: string;
	tokenStatus?: number;
	/** An instance without an instance profile: the role list answers 404, as EC2's does. */
	noRole?: boolean;
}): StandIn {
	const role = opts.role ?? "registry-role";
	return standIn((req) => {
		const path = new URL(req.url).pathname;
		if (req.method === "PUT" && path === "/latest/api/token") {
			if (opts.tokenStatus) return new Response("", { status: opts.tokenStatus });
			return new Response("imds-token-1");
		}
		if (opts.tokenStatus === undefined && req.headers.get("x-aws-ec2-metadata-token") !== "imds-token-1") {
			return new Response("", { status: 401 });
		}
		if (path === "/latest/meta-data/iam/security-credentials/") {
			if (opts.noRole) return new Response("", { status: 404 });
			return new Response(`${role}\n`);
		}
		if (path === `/latest/meta-data/iam/security-credentials/${role}`) {
			const c = opts.creds();
			return Response.json({
				Code: "Success",
				Type: "AWS-HMAC",
				AccessKeyId: c.accessKeyId,
				SecretAccessKey: c.secretAccessKey,
				Token: c.sessionToken,
				Expiration: c.expiration.toISOString(),
			});
		}
		if (path === "/latest/meta-data/placement/region" && opts.region) return new Response(opts.region);
		return new Response("", { status: 404 });
	});
}

/** ECS / EKS Pod Identity container credentials endpoint. */
export function containerStandIn(opts: { token?: string; creds: () => IssuedCredentials }): StandIn {
	return standIn((req) => {
		if (opts.token !== undefined && req.headers.get("authorization") !== opts.token) {
			return Response.json({ Code: "AccessDenied", Message: "bad token" }, { status: 403 });
		}
		const c = opts.creds();
		return Response.json({
			AccessKeyId: c.accessKeyId,
			SecretAccessKey: c.secretAccessKey,
			Token: c.sessionToken,
			Expiration: c.expiration.toISOString(),
		});
	});
}

/** STS AssumeRoleWithWebIdentity, answering in the real XML shape. */
export function stsStandIn(opts: { token: string; creds: () => IssuedCredentials }): StandIn {
	return standIn((_req, body) => {
		const p = new URLSearchParams(body);
		if (p.get("Action") !== "AssumeRoleWithWebIdentity" || p.get("WebIdentityToken") !== opts.token) {
			return new Response(
				'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>The web identity token is not valid</Message></Error><RequestId>r-1</RequestId></ErrorResponse>',
				{ status: 400, headers: { "content-type": "text/xml" } },
			);
		}
		const c = opts.creds();
		return new Response(
			`<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/Role/${p.get("RoleSessionName")}</Arn><AssumedRoleId>AROA:x</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>${c.accessKeyId}</AccessKeyId><SecretAccessKey>${c.secretAccessKey}</SecretAccessKey><SessionToken>${c.sessionToken}</SessionToken><Expiration>${c.expiration.toISOString()}</Expiration></Credentials></AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`,
			{ headers: { "content-type": "text/xml" } },
		);
	});
}
