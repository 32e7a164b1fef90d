/**
 * What real S3 checks on a PutObject and s3rver does not, as a proxy in front of s3rver: the
 * payload hash the signature covers (x-amz-content-sha256, 400 XAmzContentSHA256Mismatch), the
 * checksum (x-amz-checksum-sha256, 400 BadDigest) and the conditions (If-Match: 412
 * PreconditionFailed when the object's ETag differs, 404 NoSuchKey when there is none;
 * If-None-Match: * → 412 when there is one), answered in S3's XML. The current ETag comes from a
 * HeadObject to s3rver, and conditional writes to one key are serialised, so the check and the
 * write are one step as in S3. Everything else is forwarded byte for byte, headers and Host
 * included: s3rver verifies each SigV4 signature, which covers the host the client sent to.
 * Optionally it plays a versioned bucket: each PutObject answer gets an x-amz-version-id.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import type { S3Server } from "./aws-servers.ts";

export interface S3PutRecord {
	method: string;
	/** Path and query as sent. */
	path: string;
	headers: Record<string, string>;
	bytes: number;
	/** The proxy's own answer (400 / 404 / 412), or s3rver's status. */
	status: number;
}

export interface S3ConditionsProxy {
	/** Where AWS_ENDPOINT_URL_S3 points. */
	endpoint: string;
	/** Every PUT of an object, in order. */
	puts: S3PutRecord[];
	/** Answer PutObject with x-amz-version-id (a new id each time), as a versioned bucket does. */
	versioned: boolean;
	close(): Promise<void>;
}

function xmlError(res: ServerResponse, status: number, code: string, message: string, extra = ""): void {
	const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>proxy-${crypto.randomUUID()}</RequestId></Error>`;
	res.writeHead(status, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
	res.end(body);
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const c of req) chunks.push(c as Buffer);
	return Buffer.concat(chunks);
}

/** The raw headers as the client sent them (names lower-cased; repeated ones joined). */
function headersOf(req: IncomingMessage): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(req.headers)) {
		if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
	}
	return out;
}

export async function startS3Conditions(
	s3: S3Server,
	o: { versioned?: boolean } = {},
): Promise<S3ConditionsProxy> {
	const puts: S3PutRecord[] = [];
	const locks = new Map<string, Promise<unknown>>();
	let versions = 0;
	const state = { versioned: o.versioned ?? false };

	/** Forwards to s3rver unchanged (the Host header too); `body` when already read. */
	const forward = (
		req: IncomingMessage,
		res: ServerResponse,
		body: Buffer | undefined,
		onAnswer?: (status: number, headers: Record<string, string | string[] | undefined>) => void,
	) =>
		new Promise<number>((resolve, reject) => {
			const up = request(
				{
					host: "127.0.0.1",
					port: s3.port,
					method: req.method,
					path: req.url,
					headers: req.headers,
				},
				(answer) => {
					const headers = { ...answer.headers };
					onAnswer?.(answer.statusCode ?? 502, headers);
					res.writeHead(answer.statusCode ?? 502, headers);
					answer.pipe(res);
					answer.on("end", () => resolve(answer.statusCode ?? 502));
					answer.on("error", reject);
				},
			);
			up.on("error", reject);
			if (body) up.end(body);
			else req.pipe(up);
		});

	/** The object's current ETag (quoted), or undefined when there is none. */
	const currentEtag = async (bucket: string, key: string): Promise<string | undefined> => {
		try {
			const head = await s3.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
			return head.ETag;
		} catch (err) {
			const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
			if (status === 404) return undefined;
			throw err;
		}
	};

	const putObject = async (req: IncomingMessage, res: ServerResponse, bucket: string, key: string) => {
		const body = await bodyOf(req);
		const headers = headersOf(req);
		const record: S3PutRecord = {
			method: "PUT",
			path: req.url ?? "",
			headers,
			bytes: body.byteLength,
			status: 0,
		};
		puts.push(record);
		const contentSha = headers["x-amz-content-sha256"];
		if (contentSha && /^[0-9a-f]{64}$/i.test(contentSha)) {
			const actual = createHash("sha256").update(body).digest("hex");
			if (actual !== contentSha.toLowerCase()) {
				record.status = 400;
				return xmlError(
					res,
					400,
					"XAmzContentSHA256Mismatch",
					"The provided &apos;x-amz-content-sha256&apos; header does not match what was computed.",
					`<ClientComputedContentSHA256>${contentSha}</ClientComputedContentSHA256><S3ComputedContentSHA256>${actual}</S3ComputedContentSHA256>`,
				);
			}
		}
		const checksum = headers["x-amz-checksum-sha256"];
		if (checksum !== undefined) {
			const actual = createHash("sha256").update(body).digest("base64");
			if (actual !== checksum) {
				record.status = 400;
				return xmlError(
					res,
					400,
					"BadDigest",
					"The SHA256 you specified did not match the calculated checksum.",
				);
			}
		}
		const ifMatch = headers["if-match"];
		const ifNoneMatch = headers["if-none-match"];
		if (ifMatch === undefined && ifNoneMatch === undefined) {
			record.status = await forward(req, res, body, (_, h) => addVersion(h));
			return;
		}
		// Check and write as one step per key, as S3 does.
		const lockKey = `${bucket}/${key}`;
		const before = locks.get(lockKey) ?? Promise.resolve();
		const run = before.then(async () => {
			const etag = await currentEtag(bucket, key);
			if (ifMatch !== undefined) {
				if (etag === undefined) {
					record.status = 404;
					return xmlError(res, 404, "NoSuchKey", "The specified key does not exist.", `<Key>${key}</Key>`);
				}
				const wanted = ifMatch.startsWith('"') ? ifMatch : `"${ifMatch}"`;
				if (wanted !== etag) {
					record.status = 412;
					return xmlError(
						res,
						412,
						"PreconditionFailed",
						"At least one of the pre-conditions you specified did not hold",
						"<Condition>If-Match</Condition>",
					);
				}
			}
			if (ifNoneMatch !== undefined && etag !== undefined) {
				record.status = 412;
				return xmlError(
					res,
					412,
					"PreconditionFailed",
					"At least one of the pre-conditions you specified did not hold",
					"<Condition>If-None-Match</Condition>",
				);
			}
			record.status = await forward(req, res, body, (_, h) => addVersion(h));
		});
		locks.set(
			lockKey,
			run.catch(() => {}),
		);
		await run;
	};

	const addVersion = (h: Record<string, string | string[] | undefined>) => {
		if (state.versioned) h["x-amz-version-id"] = `v${++versions}-${crypto.randomUUID().slice(0, 8)}`;
	};

	const server = createServer((req, res) => {
		const url = new URL(req.url ?? "/", "http://proxy");
		const m = /^\/([^/]+)\/(.+)$/.exec(url.pathname);
		// A PutObject (not a part upload, a copy or a sub-resource such as ?tagging; the SDK adds ?x-id).
		const query = [...url.searchParams.keys()].filter((k) => k !== "x-id");
		const isPut =
			req.method === "PUT" && m && query.length === 0 && req.headers["x-amz-copy-source"] === undefined;
		const done = isPut
			? putObject(req, res, m[1] as string, decodeURIComponent(m[2] as string))
			: forward(req, res, undefined);
		done.catch((err) => {
			if (!res.headersSent) xmlError(res, 500, "InternalError", String((err as Error).message));
			else res.destroy();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const port = (server.address() as { port: number }).port;
	return {
		endpoint: `http://127.0.0.1:${port}`,
		puts,
		get versioned() {
			return state.versioned;
		},
		set versioned(value: boolean) {
			state.versioned = value;
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections?.();
				server.close(() => resolve());
			}),
	};
}
