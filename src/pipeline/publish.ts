/**
 * `registry publish FILE s3://bucket/key`: what a pipeline runs to change what its registries
 * serve. FILE is validated with the server's own loader (the very bytes then uploaded), uploaded
 * in one PutObject with its SHA-256 as S3 checksum and signed payload hash, optionally only if the
 * object is still the one the pipeline last saw (If-Match: two pipelines cannot overwrite each
 * other) or only if there is none yet (If-None-Match: *); then `{"s3_url": "s3://bucket/key?versionId=…"}`
 * goes to each queue given, so the registries listening on them load it. The AWS clients are
 * the server's (credential chain, regions, endpoint overrides, path-style). `--dry-run` shows the
 * difference from the object in S3 instead, and changes nothing.
 */
import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import * as v from "valibot";
import { type Aws, createAws } from "../aws/clients.ts";
import { EndpointConfigError, parseS3Url, type S3Location, S3UrlError } from "../aws/endpoints.ts";
import { AwsError } from "../aws/errors.ts";
import { type ObjectSink, quoteEtag } from "../aws/s3.ts";
import { type CommandIo, type FileResult, failedResult, strictResult } from "../cli.ts";
import { CONFIG_ENTRIES, type Config, fileByteLimit, readVariable } from "../config/variables.ts";
import { escapeControl, type Logger } from "../log.ts";
import { redactText, redactUrl } from "../redact.ts";
import { readError, readRegistryFile } from "../registry/file.ts";
import { loadRegistryBytes } from "../registry/load.ts";
import { describeProblem } from "../registry/report.ts";
import type { SnapshotData } from "../registry/snapshot.ts";
import { describeRef } from "../sync/apply.ts";
import { parseMessage, UnprocessableMessage } from "../sync/messages.ts";
import { diffRecords, formatDiff, isEmptyDiff } from "./diff.ts";
import { type RegistryRecord, readRegistryBytes, recordsOf } from "./records.ts";

const PUBLISH_USAGE = `Usage: registry publish [--strict] [--dry-run] [--if-match ETAG | --if-none-match '*']
                        [--queue-url URL]... FILE s3://BUCKET/KEY

Validates FILE with the server's own rules, uploads it to S3 with its SHA-256 checksum, then sends
{"s3_url": "s3://BUCKET/KEY?versionId=…"} to each queue given (no ?versionId when the bucket is
not versioned), so that the registries listening on them load it. Prints the ETag and version id.

  FILE                 a registry file, in any shape the server loads; invalid: nothing is sent
  s3://BUCKET/KEY      where it goes (an https S3 object URL also works, its region used)
  --queue-url URL      send the object's URL to this SQS queue; repeat it for several queues
                       (a replica each, as an SNS fan-out would feed them)
  --if-match ETAG      upload only if the object is still the one with this ETag (what the last
                       publish printed): if someone published since, S3 refuses (412), nothing
                       is sent, exit 1
  --if-none-match '*'  upload only if there is no object at the key yet (a first publish)
  --strict             warnings are errors, as with registry validate --strict
  --dry-run            validate, and show what would change against the object now in S3 (a diff
                       as registry diff prints it); nothing is uploaded or sent
  -h, --help           print this help and exit

AWS as the server reaches it: the same credential chain, regions (from the URL; else AWS_REGION,
AWS_DEFAULT_REGION, the profile, MCP_REGISTRY_AWS_REGION, instance metadata) and endpoints
(AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL; MCP_REGISTRY_S3_FORCE_PATH_STYLE).
A file over MCP_REGISTRY_MAX_FILE_BYTES is refused, as the server would refuse it.

Exits 0 when uploaded and every message sent (with --dry-run: when the upload would go through),
1 when the file is invalid or S3 or SQS failed (no credentials or region found too), 2 on a usage
error or a malformed variable.
`;

const PUBLISH_OPTIONS = {
	"queue-url": { type: "string", multiple: true },
	"if-match": { type: "string" },
	"if-none-match": { type: "string" },
	strict: { type: "boolean" },
	"dry-run": { type: "boolean" },
	help: { type: "boolean", short: "h" },
} satisfies ParseArgsOptionsConfig;

/** What the command was asked to do, checked. */
export interface PublishPlan {
	file: string;
	target: S3Location;
	queueUrls: string[];
	ifMatch?: string;
	ifNoneMatch?: "*";
	strict: boolean;
	dryRun: boolean;
}

class UsageError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "UsageError";
	}
}

/** The message sent for an uploaded object: what the server's listener reads (sync/messages.ts). */
export function objectMessage(bucket: string, key: string, versionId?: string): string {
	const version = versionId === undefined ? "" : `?versionId=${encodeURIComponent(versionId)}`;
	return JSON.stringify({ s3_url: `s3://${bucket}/${key}${version}` });
}

/**
 * Whether the listener reads `objectMessage` back as this very object, with and without a
 * version: a key the s3:// form cannot carry (one holding `?versionId=`) is refused before
 * anything is uploaded.
 */
function checkMessageRoundTrip(target: S3Location): void {
	for (const versionId of [undefined, "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"]) {
		let ok = false;
		try {
			const parsed = parseMessage(objectMessage(target.bucket, target.key, versionId));
			const ref = parsed.kind === "objects" ? parsed.refs[0] : undefined;
			ok =
				parsed.kind === "objects" &&
				parsed.refs.length === 1 &&
				ref?.bucket === target.bucket &&
				ref.key === target.key &&
				ref.versionId === versionId;
		} catch (err) {
			if (!(err instanceof UnprocessableMessage)) throw err;
		}
		if (!ok) {
			throw new UsageError(
				`the key ${JSON.stringify(target.key)} cannot be named in an s3_url message (the registry would read another object); choose another key`,
			);
		}
	}
}

/** An SQS queue URL as the server takes MCP_REGISTRY_SQS_QUEUE_URL: http(s), with a queue path. */
function checkQueueUrl(url: string): void {
	const shown = JSON.stringify(redactUrl(url));
	const schema = CONFIG_ENTRIES.entries.sqsQueueUrl;
	const parsed = v.safeParse(schema, url);
	if (!parsed.success || parsed.output === undefined) {
		throw new UsageError(`--queue-url ${shown} is not an http(s) SQS queue URL`);
	}
	const u = new URL(url);
	if (u.username || u.password)
		throw new UsageError(`--queue-url ${shown}: a queue URL has no user name or password`);
	if (u.pathname.replace(/\/+$/, "") === "") {
		throw new UsageError(
			`--queue-url ${shown} names no queue (expected https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)`,
		);
	}
}

/** Reads the arguments; throws UsageError. `undefined`: --help was asked for. */
function parsePublishArgs(args: string[]): PublishPlan | undefined {
	let parsed: ReturnType<
		typeof parseArgs<{ args: string[]; options: typeof PUBLISH_OPTIONS; allowPositionals: true }>
	>;
	try {
		parsed = parseArgs({ args, options: PUBLISH_OPTIONS, allowPositionals: true, strict: true });
	} catch (err) {
		throw new UsageError((err as Error).message.split("\n")[0] ?? "bad arguments");
	}
	const { values, positionals } = parsed;
	if (values.help) return undefined;
	if (positionals.length !== 2) {
		throw new UsageError(
			positionals.length < 2
				? "expected FILE and s3://BUCKET/KEY"
				: `unexpected argument ${JSON.stringify(redactUrl(positionals[2] as string))}`,
		);
	}
	const [file, targetUrl] = positionals as [string, string];
	if (file === "-") throw new UsageError("FILE must be a file (standard input is not published)");
	let target: S3Location;
	try {
		target = parseS3Url(targetUrl);
	} catch (err) {
		if (err instanceof S3UrlError) throw new UsageError(err.message);
		throw err;
	}
	if (target.versionId !== undefined) {
		throw new UsageError(
			"the S3 URL names a version (?versionId=): a publish writes a new version; name the object only",
		);
	}
	const ifMatch = values["if-match"];
	const ifNoneMatch = values["if-none-match"];
	if (ifMatch !== undefined && ifNoneMatch !== undefined) {
		throw new UsageError("--if-match and --if-none-match exclude each other");
	}
	// An entity tag's characters (RFC 9110): visible ASCII but the quote; quoted or not.
	if (ifMatch !== undefined && !/^(?:"[\x21\x23-\x7e]+"|[\x21\x23-\x7e]+)$/.test(ifMatch)) {
		throw new UsageError(
			`--if-match takes an ETag such as "3858f62230ac3c915f300c664312c63f" (got ${JSON.stringify(ifMatch)})`,
		);
	}
	if (ifNoneMatch !== undefined && ifNoneMatch !== "*") {
		throw new UsageError(
			`--if-none-match takes only '*' (no object at the key yet), as S3 does (got ${JSON.stringify(ifNoneMatch)})`,
		);
	}
	const queueUrls = values["queue-url"] ?? [];
	for (const q of queueUrls) checkQueueUrl(q);
	if (queueUrls.length > 0) checkMessageRoundTrip(target);
	return {
		file,
		target,
		queueUrls: [...new Set(queueUrls)],
		...(ifMatch !== undefined ? { ifMatch } : {}),
		...(ifNoneMatch !== undefined ? { ifNoneMatch: "*" as const } : {}),
		strict: Boolean(values.strict),
		dryRun: Boolean(values["dry-run"]),
	};
}

/**
 * The server's variables publish reads (the file byte limit, the fallback region, path-style),
 * each parsed by its own declaration; a malformed one throws UsageError naming it.
 */
function publishConfig(
	env: Record<string, string | undefined>,
): Pick<Config, "awsRegion" | "s3ForcePathStyle" | "maxFileBytes" | "s3MaxBytes"> {
	const read = <K extends "awsRegion" | "s3ForcePathStyle" | "maxFileBytes" | "s3MaxBytes">(key: K) => {
		try {
			return readVariable(env, key);
		} catch (err) {
			throw new UsageError((err as Error).message);
		}
	};
	return {
		awsRegion: read("awsRegion"),
		s3ForcePathStyle: read("s3ForcePathStyle"),
		maxFileBytes: read("maxFileBytes"),
		s3MaxBytes: read("s3MaxBytes"),
	};
}

/** A file that is not published: why, one line, then its problems. */
class InvalidFile extends Error {
	constructor(
		message: string,
		readonly problems: string[] = [],
	) {
		super(message);
		this.name = "InvalidFile";
	}
}

/** How many problems an invalid file's report lists (registry validate lists them all). */
const PROBLEMS_LISTED = 20;

function invalid(r: FileResult): InvalidFile {
	const lines = r.errors.slice(0, PROBLEMS_LISTED).map((e) => `  error: ${describeProblem(e)}`);
	const more = r.errors.length - lines.length;
	if (more > 0)
		lines.push(
			`  … and ${more} more (registry validate${r.strictErrors ? " --strict" : ""} ${r.file} lists them all)`,
		);
	const summary =
		r.errors.length > 0 ? `${r.file}: invalid: ${r.error?.replace(`${r.file}: `, "")}` : `${r.error}`;
	return new InvalidFile(summary, lines);
}

export interface ValidFile {
	bytes: Uint8Array;
	data: SnapshotData;
	/** One line for the output. */
	summary: string;
}

/**
 * FILE's bytes, read once and validated with the server's loader as a load of them would be
 * (reject; with `strict` warnings are errors, as registry validate --strict): the bytes checked
 * are the bytes uploaded. Throws InvalidFile.
 */
async function validFile(file: string, strict: boolean, maxBytes: number): Promise<ValidFile> {
	let read: { bytes: Uint8Array; mtime: Date };
	try {
		read = await readRegistryFile(file, { name: file, maxBytes });
	} catch (err) {
		throw new InvalidFile(readError(file, err).message);
	}
	let result: FileResult;
	let data: SnapshotData | undefined;
	try {
		data = loadRegistryBytes(read.bytes, {
			file,
			invalidEntries: "reject",
			mtime: read.mtime,
			keepProblems: Number.POSITIVE_INFINITY,
		});
		const report = data.provenance.report;
		result = {
			file,
			ok: true,
			shape: report.shape,
			entries: data.index.count,
			servers: data.index.nameCount,
			errors: report.errors.first,
			warnings: report.warnings.first,
		};
	} catch (err) {
		result = failedResult(file, err);
	}
	if (strict) result = strictResult(result);
	if (!result.ok || !data) throw invalid(result);
	const warnings = result.warnings.length;
	const note = warnings > 0 ? ` (registry validate ${file} lists them; --strict refuses them)` : "";
	return {
		bytes: read.bytes,
		data,
		summary: `${file}: valid: ${result.entries} entries (${result.servers} servers, ${result.shape} shape), ${warnings} ${warnings === 1 ? "warning" : "warnings"}${note}`,
	};
}

const versionText = (versionId: string | undefined) =>
	versionId === undefined ? "no version id (the bucket is not versioned)" : `version id ${versionId}`;

/** A failure's message, with a hint where one helps; no secrets (URLs' user information). */
async function describeFailure(err: unknown, aws: Aws | undefined, plan: PublishPlan): Promise<string> {
	const message = (err as Error).message ?? String(err);
	if (err instanceof AwsError && err.status === 412) {
		return plan.ifNoneMatch
			? `${describeRef(plan.target)} already exists (--if-none-match '*'): nothing uploaded, no message sent`
			: `${describeRef(plan.target)} changed since ETag ${quoteEtag(plan.ifMatch ?? "")} (someone else published): S3 refused the upload (412 PreconditionFailed); nothing uploaded, no message sent`;
	}
	if (err instanceof AwsError && err.status === 404 && plan.ifMatch !== undefined && err.service === "s3") {
		return `${describeRef(plan.target)} does not exist, so it cannot match --if-match ${quoteEtag(plan.ifMatch)} (${message})`;
	}
	if (err instanceof AwsError && (err.status === 403 || err.status === 401) && aws) {
		const source = await aws.credentials.get().then(
			(c) => c.source,
			() => undefined,
		);
		return `${message} (the credentials${source ? ` from ${source}` : ""} were refused: check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_PROFILE or the role, and that it may write the object)`;
	}
	return message;
}

/** The object now at the target, in memory: its bytes and ETag, or undefined when there is none. */
async function currentObject(
	aws: Aws,
	plan: PublishPlan,
	maxBytes: number,
): Promise<{ bytes: Uint8Array; etag?: string; versionId?: string } | undefined> {
	const chunks: Uint8Array[] = [];
	const sink: ObjectSink = { write: (c) => void chunks.push(c) };
	try {
		const got = await aws.s3.getObject(
			{ bucket: plan.target.bucket, key: plan.target.key, region: plan.target.region, maxBytes },
			sink,
		);
		if (got.notModified) return undefined;
		return { bytes: Buffer.concat(chunks), etag: got.etag, versionId: got.versionId };
	} catch (err) {
		if (err instanceof AwsError && err.status === 404) return undefined;
		throw err;
	}
}

/** The records of the object now in S3, read as the server would with invalid entries skipped. */
function currentRecords(bytes: Uint8Array, name: string): { records: RegistryRecord[]; note?: string } {
	try {
		const read = readRegistryBytes(bytes, name, "skip");
		const skipped = read.report.skipped;
		return {
			records: read.records,
			...(skipped > 0
				? { note: `${skipped} invalid entries of the object in S3 are left out of the diff` }
				: {}),
		};
	} catch (err) {
		return {
			records: [],
			note: `the object in S3 does not load (${(err as Error).message.split("\n")[0]}): every entry counts as added`,
		};
	}
}

async function dryRun(
	io: CommandIo,
	aws: Aws,
	plan: PublishPlan,
	file: ValidFile,
	maxBytes: number,
): Promise<number> {
	const name = describeRef(plan.target);
	const current = await currentObject(aws, plan, maxBytes);
	const next = recordsOf(file.data.index);
	let wouldFail: string | undefined;
	if (current === undefined) {
		io.out(`dry run: no current object at ${escapeControl(name)}: publishing would create it\n`);
		if (plan.ifMatch !== undefined)
			wouldFail = `there is no object to match --if-match ${quoteEtag(plan.ifMatch)}`;
	} else {
		io.out(
			`dry run: ${escapeControl(name)} now: ${current.bytes.byteLength} bytes, ETag ${current.etag ?? "(none)"}, ${versionText(current.versionId)}\n`,
		);
		if (plan.ifNoneMatch) wouldFail = "an object exists (--if-none-match '*')";
		else if (plan.ifMatch !== undefined && quoteEtag(plan.ifMatch) !== current.etag) {
			wouldFail = `its ETag is ${current.etag ?? "(none)"}, not ${quoteEtag(plan.ifMatch)} (someone else published)`;
		}
	}
	const old = current ? currentRecords(current.bytes, name) : { records: [] };
	if (old.note) io.out(`dry run: ${escapeControl(old.note)}\n`);
	const diff = diffRecords(old.records, next);
	if (current && Buffer.compare(current.bytes, file.bytes) === 0) {
		io.out("dry run: the object already has exactly these bytes (publishing would upload them again)\n");
	} else if (current && isEmptyDiff(diff)) {
		io.out("dry run: the bytes differ, the entries served would not\n");
	}
	io.out(formatDiff(diff, "text", { old: current ? name : "(no object)", new: plan.file }));
	if (wouldFail) {
		io.err(`registry publish: dry run: the upload would be refused: ${escapeControl(wouldFail)}\n`);
		return 1;
	}
	const condition = plan.ifMatch
		? ` if its ETag is still ${quoteEtag(plan.ifMatch)}`
		: plan.ifNoneMatch
			? " if there is still no object there"
			: "";
	io.out(`dry run: would upload ${file.bytes.byteLength} bytes to ${escapeControl(name)}${condition}\n`);
	for (const q of plan.queueUrls) {
		io.out(
			`dry run: would send {"s3_url": "${escapeControl(name)}[?versionId=…]"} to ${escapeControl(redactUrl(q))}\n`,
		);
	}
	io.out("dry run: nothing uploaded, no message sent\n");
	return 0;
}

async function publish(io: CommandIo, aws: Aws, plan: PublishPlan, file: ValidFile): Promise<number> {
	const name = describeRef(plan.target);
	const put = await aws.s3.putObject({
		bucket: plan.target.bucket,
		key: plan.target.key,
		region: plan.target.region,
		body: file.bytes,
		contentType: "application/json",
		// Hashed already, when the loader checked these very bytes.
		digests: { sha256: file.data.provenance.contentHash, md5: file.data.provenance.md5 },
		...(plan.ifMatch !== undefined ? { ifMatch: plan.ifMatch } : {}),
		...(plan.ifNoneMatch ? { ifNoneMatch: plan.ifNoneMatch } : {}),
	});
	io.out(
		`uploaded ${escapeControl(name)}: ${put.bytes} bytes, ETag ${escapeControl(put.etag ?? "(none)")}, ${escapeControl(versionText(put.versionId))}, content hash sha256:${file.data.provenance.contentHash}\n`,
	);
	if (plan.queueUrls.length === 0) {
		io.out(
			"no --queue-url: no queue told (replicas learn of it from S3 event notifications or MCP_REGISTRY_S3_URL)\n",
		);
		return 0;
	}
	const body = objectMessage(plan.target.bucket, plan.target.key, put.versionId);
	// Every queue is tried, whatever another answers: a replica's queue down does not keep the rest stale.
	const sends = await Promise.allSettled(plan.queueUrls.map((q) => aws.queue(q).sendMessage(body)));
	let failed = 0;
	for (const [i, outcome] of sends.entries()) {
		const shown = escapeControl(redactUrl(plan.queueUrls[i] as string));
		if (outcome.status === "fulfilled") {
			io.out(`sent message ${escapeControl(outcome.value.messageId)} to ${shown}\n`);
		} else {
			failed++;
			const why = await describeFailure(outcome.reason, aws, plan);
			io.err(
				`registry publish: ${escapeControl(redactText(why))}: ${escapeControl(name)} is uploaded, but the registries on ${shown} were not told (send ${escapeControl(body)} again)\n`,
			);
		}
	}
	return failed > 0 ? 1 : 0;
}

/** A logger for the AWS clients: their warnings (a profile beside environment keys) on standard error. */
function commandLogger(io: CommandIo): Logger {
	const warn = (msg: string) => io.err(`registry publish: warning: ${escapeControl(redactText(msg))}\n`);
	return { debug() {}, info() {}, warn, error: warn };
}

export async function publishCommand(args: string[], io: CommandIo): Promise<number> {
	const usage = (message: string) => {
		io.err(`registry publish: ${escapeControl(redactText(message))}\n${PUBLISH_USAGE}`);
		return 2;
	};
	let plan: PublishPlan | undefined;
	let config: ReturnType<typeof publishConfig>;
	try {
		plan = parsePublishArgs(args);
		if (plan === undefined) {
			io.out(PUBLISH_USAGE);
			return 0;
		}
		config = publishConfig(io.env);
	} catch (err) {
		if (err instanceof UsageError) return usage(err.message);
		throw err;
	}
	let aws: Aws;
	try {
		aws = createAws({ ...config, sqsQueueUrl: undefined }, commandLogger(io), io.env);
	} catch (err) {
		if (!(err instanceof EndpointConfigError)) throw err;
		io.err(`registry publish: ${escapeControl(err.message)}\n`);
		return 2;
	}
	let file: ValidFile;
	try {
		file = await validFile(plan.file, plan.strict, fileByteLimit(config));
	} catch (err) {
		if (!(err instanceof InvalidFile)) throw err;
		io.err(`registry publish: ${escapeControl(err.message)}\n`);
		for (const line of err.problems) io.err(`${line}\n`);
		io.err(`registry publish: nothing uploaded${plan.queueUrls.length > 0 ? ", no message sent" : ""}\n`);
		return 1;
	}
	io.out(`${escapeControl(file.summary)}\n`);
	try {
		if (plan.dryRun) return await dryRun(io, aws, plan, file, fileByteLimit(config));
		return await publish(io, aws, plan, file);
	} catch (err) {
		// Only the upload (or the dry run's read) throws here: the queues come after it.
		// An answer from S3 refused the upload; a broken connection leaves it unknown.
		const answered = err instanceof AwsError && err.status !== undefined;
		const sent = plan.queueUrls.length > 0 ? "no message sent" : "";
		const after =
			plan.dryRun || (answered && err.status === 412)
				? ""
				: answered
					? `; nothing uploaded${sent && `, ${sent}`}`
					: sent && `; ${sent}`;
		io.err(`registry publish: ${escapeControl(redactText(await describeFailure(err, aws, plan)))}${after}\n`);
		return 1;
	}
}
