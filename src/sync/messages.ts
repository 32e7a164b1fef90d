/**
 * SQS message bodies → the S3 objects they name. Accepts `{"s3_url"}` in every URL form,
 * `{"s3_uri"}`, S3 event notifications (every record; form-encoded keys), the same wrapped by
 * SNS, EventBridge "Object Created" events, and S3's test event. Bucket names are checked by
 * S3's naming rules and keys for control characters (endpoints.ts). Anything else is
 * unprocessable, with a reason precise enough to fix the sender.
 */
import * as v from "valibot";
import { maybe } from "../aws/answer.ts";
import {
	bucketNameProblem,
	objectKeyProblem,
	parseS3Url,
	REGION_PATTERN,
	S3UrlError,
} from "../aws/endpoints.ts";

export interface ObjectRef {
	bucket: string;
	key: string;
	/** The bucket's region, when the message says (URL host, event awsRegion / region). */
	region?: string;
	versionId?: string;
	/** The object's ETag as the event reports it (no quotes). */
	etag?: string;
	/** S3's per-key event order (hex); a smaller one is older. */
	sequencer?: string;
	size?: number;
}

export type ParsedMessage =
	| { kind: "objects"; refs: ObjectRef[]; ignored: string[] }
	| { kind: "test-event" }
	/** Only events that trigger nothing (deletes, restores…): acknowledged and ignored. */
	| { kind: "ignored"; reasons: string[] };

export class UnprocessableMessage extends Error {
	constructor(reason: string) {
		super(reason);
		this.name = "UnprocessableMessage";
	}
}

/** A JSON object: valibot's object schemas take arrays too, and a body that is one is refused. */
const JsonObject = v.pipe(
	v.unknown(),
	v.check((x) => !Array.isArray(x)),
	v.record(v.string(), v.unknown()),
);

const Text = v.pipe(v.string(), v.nonEmpty());

const unquoted = (s: string) => s.replace(/"/g, "");

/**
 * S3's per-key event order: hex digits (16 to 18 of them in practice). Anything else is refused,
 * for the applied one is kept and compared with every later event of the key: a forged
 * `"ZZZZ"` would make every real event look older.
 */
const Sequencer = v.pipe(
	v.string(),
	v.regex(/^[0-9A-Fa-f]{1,32}$/, "is not an S3 event sequencer (hex digits)"),
);

/** An event's region, which becomes part of a host name: only a real region name is taken. */
const Region = v.union([
	v.pipe(
		v.nullish(v.literal("")),
		v.transform(() => undefined),
	),
	v.pipe(v.string(), v.regex(REGION_PATTERN)),
]);

/** A creating S3 event record: where the object is, and what the event says of it. */
const CreatedRecord = v.object({
	awsRegion: v.optional(v.unknown()),
	s3: v.object({
		bucket: v.object({ name: Text }),
		object: v.object({
			key: Text,
			versionId: maybe(Text),
			eTag: maybe(v.pipe(Text, v.transform(unquoted))),
			sequencer: maybe(Sequencer),
			size: maybe(v.number()),
		}),
	}),
});

/** An EventBridge "Object Created" event (its detail, and region). */
const EventBridgeObject = v.object({
	region: v.optional(v.unknown()),
	detail: v.object({
		bucket: v.object({ name: Text }),
		object: v.object({
			key: Text,
			"version-id": maybe(v.string()),
			etag: maybe(v.pipe(v.string(), v.transform(unquoted))),
			sequencer: maybe(Sequencer),
			size: maybe(v.number()),
		}),
	}),
});

const TestEvent = v.object({ Event: v.literal("s3:TestEvent") });
const SnsNotification = v.object({ Type: v.literal("Notification"), Message: v.string() });
const EventBridgeS3 = v.object({ source: v.literal("aws.s3"), "detail-type": v.unknown() });

/**
 * The first of the required `fields` (dot paths, in the order they are checked) that a failed
 * parse did not find: the field itself, or a parent of it, is missing or of the wrong type.
 */
function missingField(issues: [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]], fields: string[]): string {
	const paths = issues.map((issue) => v.getDotPath(issue) ?? "");
	return fields.find((f) => paths.some((p) => f === p || f.startsWith(`${p}.`))) ?? (fields[0] as string);
}

function eventRegion(value: unknown, field: string): string | undefined {
	const region = v.safeParse(Region, value);
	if (!region.success) {
		// Quoted as JSON; a value nested past any stack is only named by its type.
		let shown: string;
		try {
			shown = JSON.stringify(value).slice(0, 80);
		} catch {
			shown = `a deeply nested ${Array.isArray(value) ? "array" : "object"}`;
		}
		throw new UnprocessableMessage(`${field} is not a region name: ${shown}`);
	}
	return region.output;
}

/** S3 event keys are form-encoded: `+` is a space, then percent-decoding. */
export function decodeEventKey(key: string): string {
	try {
		return decodeURIComponent(key.replace(/\+/g, " "));
	} catch {
		throw new UnprocessableMessage(`the object key ${JSON.stringify(key)} has an invalid percent-escape`);
	}
}

/**
 * An event's bucket and (decoded) key, checked before anything is requested: a bucket S3 could
 * not have, or a key with a control character, makes the message unprocessable.
 */
function checkedNames(at: string, bucket: string, key: string): { bucket: string; key: string } {
	const bucketProblem = bucketNameProblem(bucket);
	if (bucketProblem) throw new UnprocessableMessage(`${at}.bucket.name: ${bucketProblem}`);
	const keyProblem = objectKeyProblem(key);
	if (keyProblem) throw new UnprocessableMessage(`${at}.object.key: ${keyProblem}`);
	return { bucket, key };
}

function fromUrl(field: string, value: unknown): ObjectRef {
	const url = v.safeParse(Text, value);
	if (!url.success) throw new UnprocessableMessage(`"${field}" must be a non-empty string`);
	try {
		const loc = parseS3Url(url.output);
		return { bucket: loc.bucket, key: loc.key, region: loc.region, versionId: loc.versionId };
	} catch (err) {
		if (err instanceof S3UrlError) throw new UnprocessableMessage(`"${field}": ${err.message}`);
		throw err;
	}
}

function fromRecords(records: unknown[]): ParsedMessage {
	const refs: ObjectRef[] = [];
	const ignored: string[] = [];
	records.forEach((value, i) => {
		const at = `Records[${i}]`;
		const r = v.safeParse(JsonObject, value);
		if (!r.success) throw new UnprocessableMessage(`${at} is not an object`);
		const eventName = v.is(v.string(), r.output.eventName) ? r.output.eventName : "";
		if (!eventName.startsWith("ObjectCreated:")) {
			ignored.push(`${at}: ${eventName || "an event without eventName"} does not create an object`);
			return;
		}
		const created = v.safeParse(CreatedRecord, r.output);
		if (!created.success) {
			const field = missingField(created.issues, ["s3.bucket.name", "s3.object.key"]);
			throw new UnprocessableMessage(`${at}.${field} is missing`);
		}
		const { s3, awsRegion } = created.output;
		refs.push({
			...checkedNames(`${at}.s3`, s3.bucket.name, decodeEventKey(s3.object.key)),
			region: eventRegion(awsRegion, `${at}.awsRegion`),
			versionId: s3.object.versionId,
			etag: s3.object.eTag,
			sequencer: s3.object.sequencer,
			size: s3.object.size,
		});
	});
	if (refs.length === 0) return { kind: "ignored", reasons: ignored };
	return { kind: "objects", refs, ignored };
}

function fromEventBridge(doc: v.InferOutput<typeof EventBridgeS3>): ParsedMessage {
	const type = String(doc["detail-type"] ?? "");
	if (type !== "Object Created")
		return { kind: "ignored", reasons: [`EventBridge "${type}" does not create an object`] };
	const event = v.safeParse(EventBridgeObject, doc);
	if (!event.success) {
		throw new UnprocessableMessage(
			`${missingField(event.issues, ["detail.bucket.name", "detail.object.key"])} is missing`,
		);
	}
	const { detail, region } = event.output;
	return {
		kind: "objects",
		ignored: [],
		refs: [
			{
				...checkedNames("detail", detail.bucket.name, decodeEventKey(detail.object.key)),
				region: eventRegion(region, "region"),
				versionId: detail.object["version-id"],
				etag: detail.object.etag,
				sequencer: detail.object.sequencer,
				size: detail.object.size,
			},
		],
	};
}

function parseDocument(value: unknown, wrapped: boolean): ParsedMessage {
	const body = v.safeParse(JsonObject, value);
	if (!body.success) throw new UnprocessableMessage("the body is JSON but not an object");
	const doc = body.output;
	if (v.is(TestEvent, doc)) return { kind: "test-event" };
	if ("s3_url" in doc) return { kind: "objects", refs: [fromUrl("s3_url", doc.s3_url)], ignored: [] };
	if ("s3_uri" in doc) return { kind: "objects", refs: [fromUrl("s3_uri", doc.s3_uri)], ignored: [] };
	if (v.is(v.array(v.unknown()), doc.Records)) {
		if (doc.Records.length === 0) throw new UnprocessableMessage('"Records" is empty');
		return fromRecords(doc.Records);
	}
	if (v.is(SnsNotification, doc)) {
		if (wrapped) throw new UnprocessableMessage("an SNS notification inside an SNS notification");
		let inner: unknown;
		try {
			inner = JSON.parse(doc.Message);
		} catch {
			throw new UnprocessableMessage("the SNS notification's Message is not JSON");
		}
		return parseDocument(inner, true);
	}
	if (v.is(EventBridgeS3, doc)) return fromEventBridge(doc);
	throw new UnprocessableMessage(
		'no known shape: expected {"s3_url": …}, {"s3_uri": …}, an S3 event ({"Records": […]}), an SNS notification of one, or an EventBridge S3 event',
	);
}

/** Parses a message body; throws UnprocessableMessage with the reason. */
export function parseMessage(body: string, allowedBuckets?: string[]): ParsedMessage {
	let doc: unknown;
	try {
		doc = JSON.parse(body);
	} catch {
		throw new UnprocessableMessage(
			`the body is not JSON: ${JSON.stringify(body.length > 80 ? `${body.slice(0, 80)}…` : body)}`,
		);
	}
	const parsed = parseDocument(doc, false);
	if (parsed.kind === "objects" && allowedBuckets) {
		for (const ref of parsed.refs) {
			if (!allowedBuckets.includes(ref.bucket)) {
				throw new UnprocessableMessage(
					`bucket ${JSON.stringify(ref.bucket)} is not in MCP_REGISTRY_SQS_ALLOWED_BUCKETS (${allowedBuckets.join(", ")})`,
				);
			}
		}
	}
	return parsed;
}

/** Compares S3 event sequencers as AWS says: right-pad the shorter with zeros, then compare. */
export function compareSequencers(a: string, b: string): number {
	const n = Math.max(a.length, b.length);
	const x = a.toUpperCase().padEnd(n, "0");
	const y = b.toUpperCase().padEnd(n, "0");
	return x < y ? -1 : x > y ? 1 : 0;
}
