/**
 * SQS message bodies → the S3 objects they name. Accepts `{"s3_url"}` in every URL form,
 * `{"s3_uri"}`, S3 event notifications (every record; form-encoded keys), the same wrapped by
 * SNS, EventBridge "Object Created" events, and S3's test event. Anything else is
 * unprocessable, with a reason precise enough to fix the sender.
 */
import { parseS3Url, REGION_PATTERN, S3UrlError } from "../aws/endpoints.ts";

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

const isObject = (x: unknown): x is Record<string, unknown> =>
	typeof x === "object" && x !== null && !Array.isArray(x);

/** S3 event keys are form-encoded: `+` is a space, then percent-decoding. */
/** An event's region, which becomes part of a host name: only a real region name is taken. */
function eventRegion(value: unknown, field: string): string | undefined {
	if (value === undefined || value === null || value === "") return undefined;
	if (typeof value !== "string" || !REGION_PATTERN.test(value)) {
		throw new UnprocessableMessage(`${field} is not a region name: ${JSON.stringify(value).slice(0, 80)}`);
	}
	return value;
}

export function decodeEventKey(key: string): string {
	try {
		return decodeURIComponent(key.replace(/\+/g, " "));
	} catch {
		throw new UnprocessableMessage(`the object key ${JSON.stringify(key)} has an invalid percent-escape`);
	}
}

function fromUrl(field: string, value: unknown): ObjectRef {
	if (typeof value !== "string" || value === "")
		throw new UnprocessableMessage(`"${field}" must be a non-empty string`);
	try {
		const loc = parseS3Url(value);
		return { bucket: loc.bucket, key: loc.key, region: loc.region, versionId: loc.versionId };
	} catch (err) {
		if (err instanceof S3UrlError) throw new UnprocessableMessage(`"${field}": ${err.message}`);
		throw err;
	}
}

function fromRecords(records: unknown[]): ParsedMessage {
	const refs: ObjectRef[] = [];
	const ignored: string[] = [];
	records.forEach((r, i) => {
		const at = `Records[${i}]`;
		if (!isObject(r)) throw new UnprocessableMessage(`${at} is not an object`);
		const eventName = typeof r.eventName === "string" ? r.eventName : "";
		const s3 = isObject(r.s3) ? r.s3 : undefined;
		const bucket = isObject(s3?.bucket) ? s3.bucket.name : undefined;
		const object = isObject(s3?.object) ? s3.object : undefined;
		if (!eventName.startsWith("ObjectCreated:")) {
			ignored.push(`${at}: ${eventName || "an event without eventName"} does not create an object`);
			return;
		}
		if (typeof bucket !== "string" || bucket === "")
			throw new UnprocessableMessage(`${at}.s3.bucket.name is missing`);
		if (typeof object?.key !== "string" || object.key === "") {
			throw new UnprocessableMessage(`${at}.s3.object.key is missing`);
		}
		refs.push({
			bucket,
			key: decodeEventKey(object.key),
			region: eventRegion(r.awsRegion, `${at}.awsRegion`),
			versionId: typeof object.versionId === "string" && object.versionId ? object.versionId : undefined,
			etag: typeof object.eTag === "string" && object.eTag ? object.eTag.replace(/"/g, "") : undefined,
			sequencer: typeof object.sequencer === "string" && object.sequencer ? object.sequencer : undefined,
			size: typeof object.size === "number" ? object.size : undefined,
		});
	});
	if (refs.length === 0) return { kind: "ignored", reasons: ignored };
	return { kind: "objects", refs, ignored };
}

function fromEventBridge(doc: Record<string, unknown>): ParsedMessage {
	const type = String(doc["detail-type"] ?? "");
	if (type !== "Object Created")
		return { kind: "ignored", reasons: [`EventBridge "${type}" does not create an object`] };
	const detail = isObject(doc.detail) ? doc.detail : undefined;
	const bucket = isObject(detail?.bucket) ? detail.bucket.name : undefined;
	const object = isObject(detail?.object) ? detail.object : undefined;
	if (typeof bucket !== "string" || bucket === "")
		throw new UnprocessableMessage("detail.bucket.name is missing");
	if (typeof object?.key !== "string" || object.key === "")
		throw new UnprocessableMessage("detail.object.key is missing");
	return {
		kind: "objects",
		ignored: [],
		refs: [
			{
				bucket,
				key: decodeEventKey(object.key),
				region: eventRegion(doc.region, "region"),
				versionId: typeof object["version-id"] === "string" ? object["version-id"] : undefined,
				etag: typeof object.etag === "string" ? object.etag.replace(/"/g, "") : undefined,
				sequencer: typeof object.sequencer === "string" ? object.sequencer : undefined,
				size: typeof object.size === "number" ? object.size : undefined,
			},
		],
	};
}

function parseDocument(doc: unknown, wrapped: boolean): ParsedMessage {
	if (!isObject(doc)) throw new UnprocessableMessage("the body is JSON but not an object");
	if (doc.Event === "s3:TestEvent") return { kind: "test-event" };
	if ("s3_url" in doc) return { kind: "objects", refs: [fromUrl("s3_url", doc.s3_url)], ignored: [] };
	if ("s3_uri" in doc) return { kind: "objects", refs: [fromUrl("s3_uri", doc.s3_uri)], ignored: [] };
	if (Array.isArray(doc.Records)) {
		if (doc.Records.length === 0) throw new UnprocessableMessage('"Records" is empty');
		return fromRecords(doc.Records);
	}
	if (doc.Type === "Notification" && typeof doc.Message === "string") {
		if (wrapped) throw new UnprocessableMessage("an SNS notification inside an SNS notification");
		let inner: unknown;
		try {
			inner = JSON.parse(doc.Message);
		} catch {
			throw new UnprocessableMessage("the SNS notification's Message is not JSON");
		}
		return parseDocument(inner, true);
	}
	if (doc.source === "aws.s3" && "detail-type" in doc) return fromEventBridge(doc);
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
