/**
 * SQS message bodies → object references (sync spec, "Message bodies accepted"): every URL form
 * of {"s3_url"}, {"s3_uri"}, S3 event notifications (form-encoded keys, every record), the SNS
 * envelope, EventBridge, S3's test event, the bucket allow-list, and a precise reason for every
 * unprocessable body. Also the sequencer order and the newest-per-key reduction.
 */
import { describe, expect, test } from "bun:test";
import { latestPerKey } from "../../src/sync/listener.ts";
import {
	compareSequencers,
	type ObjectRef,
	type ParsedMessage,
	parseMessage,
	UnprocessableMessage,
} from "../../src/sync/messages.ts";

type Obj = Record<string, unknown>;

/** The object references of a message that must name objects. */
function refsOf(parsed: ParsedMessage): ObjectRef[] {
	if (parsed.kind !== "objects") throw new Error(`expected kind "objects", got ${JSON.stringify(parsed)}`);
	return parsed.refs;
}

/** The one reference a body names. */
function single(body: string, allowed?: string[]): ObjectRef {
	const refs = refsOf(parseMessage(body, allowed));
	expect(refs).toHaveLength(1);
	return refs[0] as ObjectRef;
}

const url = (u: unknown) => JSON.stringify({ s3_url: u });

/** parseMessage must refuse `body`; returns the reason. */
function refused(body: string, allowed?: string[]): string {
	let caught: unknown;
	try {
		parseMessage(body, allowed);
	} catch (err) {
		caught = err;
	}
	expect(caught).toBeInstanceOf(UnprocessableMessage);
	const err = caught as UnprocessableMessage;
	expect(err.name).toBe("UnprocessableMessage");
	expect(err.message.length).toBeGreaterThan(0);
	return err.message;
}

/** An S3 event notification record as S3 sends it (sync spec body 3; aws-facts §4.6). */
function record(o: {
	eventName?: string;
	bucket?: string | null;
	key?: string | null;
	region?: string;
	eTag?: string;
	versionId?: string;
	sequencer?: string;
	size?: number;
}): Obj {
	const object: Obj = {};
	if (o.key !== null) object.key = o.key ?? "registry.json";
	if (o.size !== undefined) object.size = o.size;
	if (o.eTag !== undefined) object.eTag = o.eTag;
	if (o.versionId !== undefined) object.versionId = o.versionId;
	if (o.sequencer !== undefined) object.sequencer = o.sequencer;
	const bucket: Obj = { ownerIdentity: { principalId: "A3NL1KOZZKExample" } };
	if (o.bucket !== null) {
		bucket.name = o.bucket ?? "my-bucket";
		bucket.arn = `arn:aws:s3:::${o.bucket ?? "my-bucket"}`;
	}
	return {
		eventVersion: "2.1",
		eventSource: "aws:s3",
		awsRegion: o.region ?? "us-west-2",
		eventTime: "1970-01-01T00:00:00.000Z",
		eventName: o.eventName ?? "ObjectCreated:Put",
		userIdentity: { principalId: "AIDAJDPLRKLG7UEXAMPLE" },
		requestParameters: { sourceIPAddress: "127.0.0.1" },
		responseElements: {
			"x-amz-request-id": "C3D13FE58DE4C810",
			"x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD",
		},
		s3: { s3SchemaVersion: "1.0", configurationId: "testConfigRule", bucket, object },
	};
}

const event = (...records: Obj[]) => JSON.stringify({ Records: records });

/** The SNS envelope with raw message delivery off (aws-facts §4.6 case 2). */
function sns(message: string): string {
	return JSON.stringify({
		Type: "Notification",
		MessageId: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
		TopicArn: "arn:aws:sns:us-west-2:123456789012:registry-updates",
		Subject: "Amazon S3 Notification",
		Message: message,
		Timestamp: "2025-10-01T12:00:00.000Z",
		SignatureVersion: "1",
		Signature:
			"EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=",
		SigningCertURL:
			"https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
		UnsubscribeURL:
			"https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:123456789012:registry-updates:c9135db0",
	});
}

/** An EventBridge S3 event (aws-facts §4.6 case 3). */
function eventBridge(o: { type?: string; bucket?: string; key?: string; detail?: unknown } = {}): string {
	return JSON.stringify({
		version: "0",
		id: "17793124-05d4-b198-2fde-7ededc63b103",
		"detail-type": o.type ?? "Object Created",
		source: "aws.s3",
		account: "111122223333",
		time: "2021-11-12T00:00:00Z",
		region: "ca-central-1",
		resources: [`arn:aws:s3:::${o.bucket ?? "my-bucket"}`],
		detail: o.detail ?? {
			version: "0",
			bucket: { name: o.bucket ?? "my-bucket" },
			object: {
				key: o.key ?? "dir/my+registry%2Bv2.json",
				size: 5,
				etag: "b1946ac92492d2347c6235b4d2611184",
				"version-id": "IYV3p45BT0ac8hjHg1houSdS1a.Mro8e",
				sequencer: "00617F08299329D189",
			},
			"request-id": "N4N7GDK58NMKJ12R",
			requester: "123456789012",
			"source-ip-address": "1.2.3.4",
			reason: "PutObject",
		},
	});
}

const TEST_EVENT = JSON.stringify({
	Service: "Amazon S3",
	Event: "s3:TestEvent",
	Time: "2025-10-01T12:00:00.000Z",
	Bucket: "my-bucket",
	RequestId: "5582815E1AEA5ADF",
	HostId: "8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE",
});

describe('{"s3_url"}: every URL form in the spec', () => {
	const cases: [string, string, ObjectRef][] = [
		[
			"virtual-hosted with region",
			"https://my-bucket.s3.us-west-2.amazonaws.com/dir/registry.json",
			{ bucket: "my-bucket", key: "dir/registry.json", region: "us-west-2" },
		],
		[
			"virtual-hosted without region (us-east-1)",
			"https://my-bucket.s3.amazonaws.com/dir/registry.json",
			{ bucket: "my-bucket", key: "dir/registry.json", region: "us-east-1" },
		],
		[
			"path-style with region",
			"https://s3.eu-central-1.amazonaws.com/my-bucket/dir/registry.json",
			{ bucket: "my-bucket", key: "dir/registry.json", region: "eu-central-1" },
		],
		[
			"path-style without region (us-east-1)",
			"https://s3.amazonaws.com/my-bucket/registry.json",
			{ bucket: "my-bucket", key: "registry.json", region: "us-east-1" },
		],
		[
			"legacy bucket.s3-region",
			"https://my-bucket.s3-us-west-2.amazonaws.com/registry.json",
			{ bucket: "my-bucket", key: "registry.json", region: "us-west-2" },
		],
		[
			"legacy path-style s3-region",
			"https://s3-ap-southeast-2.amazonaws.com/my-bucket/registry.json",
			{ bucket: "my-bucket", key: "registry.json", region: "ap-southeast-2" },
		],
		[
			"dual-stack virtual-hosted",
			"https://my-bucket.s3.dualstack.ap-south-1.amazonaws.com/registry.json",
			{ bucket: "my-bucket", key: "registry.json", region: "ap-south-1" },
		],
		[
			"dual-stack path-style",
			"https://s3.dualstack.eu-west-1.amazonaws.com/my-bucket/registry.json",
			{ bucket: "my-bucket", key: "registry.json", region: "eu-west-1" },
		],
		[
			"FIPS",
			"https://my-bucket.s3-fips.us-gov-west-1.amazonaws.com/registry.json",
			{ bucket: "my-bucket", key: "registry.json", region: "us-gov-west-1" },
		],
		[
			"FIPS + dual-stack",
			"https://my-bucket.s3-fips.dualstack.us-east-2.amazonaws.com/registry.json",
			{ bucket: "my-bucket", key: "registry.json", region: "us-east-2" },
		],
		[
			"China partition, virtual-hosted",
			"https://my-bucket.s3.cn-north-1.amazonaws.com.cn/registry.json",
			{ bucket: "my-bucket", key: "registry.json", region: "cn-north-1" },
		],
		[
			"China partition, path-style",
			"https://s3.cn-northwest-1.amazonaws.com.cn/my-bucket/registry.json",
			{ bucket: "my-bucket", key: "registry.json", region: "cn-northwest-1" },
		],
		[
			"a dotted bucket, virtual-hosted",
			"https://my.dotted.bucket.s3.us-west-2.amazonaws.com/registry.json",
			{ bucket: "my.dotted.bucket", key: "registry.json", region: "us-west-2" },
		],
		[
			"a dotted bucket, path-style",
			"https://s3.us-west-2.amazonaws.com/my.dotted.bucket/registry.json",
			{ bucket: "my.dotted.bucket", key: "registry.json", region: "us-west-2" },
		],
	];
	for (const [name, u, expected] of cases) {
		test(name, () => {
			const ref = single(url(u));
			expect(ref.bucket).toBe(expected.bucket);
			expect(ref.key).toBe(expected.key);
			expect(ref.region).toBe(expected.region as string);
			expect(ref.versionId).toBeUndefined();
			expect(ref.etag).toBeUndefined();
			expect(ref.sequencer).toBeUndefined();
		});
	}

	test("s3://bucket/key: no region of its own (configuration decides)", () => {
		const ref = single(url("s3://my-bucket/dir/registry.json"));
		expect(ref).toMatchObject({ bucket: "my-bucket", key: "dir/registry.json" });
		expect(ref.region).toBeUndefined();
	});

	test("?versionId= selects a version (https, query-decoded)", () => {
		const ref = single(
			url(
				"https://my-bucket.s3.us-west-2.amazonaws.com/registry.json?versionId=3sL4kqtJlcpXroDTDmJ%2BrmSpXd3dIbrHY",
			),
		);
		expect(ref).toMatchObject({
			bucket: "my-bucket",
			key: "registry.json",
			region: "us-west-2",
			versionId: "3sL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY",
		});
	});

	test("?versionId= on a path-style URL does not become part of the key", () => {
		const ref = single(url("https://s3.eu-west-1.amazonaws.com/my-bucket/a/registry.json?versionId=v-2"));
		expect(ref.key).toBe("a/registry.json");
		expect(ref.versionId).toBe("v-2");
	});

	test("?versionId= on s3://", () => {
		const ref = single(url("s3://my-bucket/registry.json?versionId=abc123"));
		expect(ref.key).toBe("registry.json");
		expect(ref.versionId).toBe("abc123");
	});

	test("an https key is percent-decoded exactly once", () => {
		expect(single(url("https://my-bucket.s3.us-west-2.amazonaws.com/dir/my%20registry%2Bv2.json")).key).toBe(
			"dir/my registry+v2.json",
		);
		// %25 is a literal percent: decoded once, %252F stays "%2F".
		expect(single(url("https://my-bucket.s3.amazonaws.com/a%252Fb.json")).key).toBe("a%2Fb.json");
		// UTF-8 escapes decode to the character.
		expect(single(url("https://s3.amazonaws.com/my-bucket/%C3%BCber/caf%C3%A9.json")).key).toBe(
			"über/café.json",
		);
		// A literal + in a URL path is a plus, not a space (that is only form encoding).
		expect(single(url("https://my-bucket.s3.amazonaws.com/a+b.json")).key).toBe("a+b.json");
	});

	test("an s3:// key is taken literally (no percent-decoding, + stays +)", () => {
		expect(single(url("s3://my-bucket/dir/my%20registry+v2.json")).key).toBe("dir/my%20registry+v2.json");
	});

	test("the region in the URL is the one reported, not a default", () => {
		expect(single(url("https://my-bucket.s3.sa-east-1.amazonaws.com/k.json")).region).toBe("sa-east-1");
		expect(single(url("https://s3.me-central-1.amazonaws.com/my-bucket/k.json")).region).toBe("me-central-1");
	});

	test("percent-encoded dot segments are not silently resolved into another key", () => {
		// "%2E%2E" decoded once is "..": the URL names the key "a/../registry.json". Resolving it
		// to "registry.json" would download a different object than the message named; the
		// spec's options are to carry the key as named (and report it when fetching) or refuse.
		let ref: ObjectRef | undefined;
		try {
			ref = single(url("https://my-bucket.s3.us-west-2.amazonaws.com/a/%2E%2E/registry.json"));
		} catch (err) {
			expect(err).toBeInstanceOf(UnprocessableMessage);
			return;
		}
		expect(ref.key).toBe("a/../registry.json");
	});
});

describe('{"s3_uri"}', () => {
	test("the fork's quick-start form", () => {
		const ref = single(JSON.stringify({ s3_uri: "s3://my-bucket/data/registry.json" }));
		expect(ref).toMatchObject({ bucket: "my-bucket", key: "data/registry.json" });
		expect(ref.region).toBeUndefined();
	});

	test("an https URL in s3_uri is read the same way", () => {
		const ref = single(JSON.stringify({ s3_uri: "https://my-bucket.s3.eu-west-3.amazonaws.com/r.json" }));
		expect(ref).toMatchObject({ bucket: "my-bucket", key: "r.json", region: "eu-west-3" });
	});

	test("refusals name the s3_uri field", () => {
		expect(refused(JSON.stringify({ s3_uri: 7 }))).toContain('"s3_uri" must be a non-empty string');
		expect(refused(JSON.stringify({ s3_uri: "s3://my-bucket/" }))).toContain('"s3_uri"');
	});
});

describe("S3 event notifications", () => {
	test("one ObjectCreated:Put record: bucket, decoded key, awsRegion, eTag, versionId, sequencer, size", () => {
		const parsed = parseMessage(
			event(
				record({
					bucket: "my-bucket",
					key: "dir/my+registry%2Bv2.json",
					region: "eu-west-2",
					eTag: "d41d8cd98f00b204e9800998ecf8427e",
					versionId: "096fKKXTRTtl3on89fVO.nfljtsv6qko",
					sequencer: "0055AED6DCD90281E5",
					size: 1024,
				}),
			),
		);
		expect(parsed).toEqual({
			kind: "objects",
			ignored: [],
			refs: [
				{
					bucket: "my-bucket",
					key: "dir/my registry+v2.json",
					region: "eu-west-2",
					etag: "d41d8cd98f00b204e9800998ecf8427e",
					versionId: "096fKKXTRTtl3on89fVO.nfljtsv6qko",
					sequencer: "0055AED6DCD90281E5",
					size: 1024,
				},
			],
		});
	});

	test("form-encoded keys: + is a space, %2B a plus, UTF-8 escapes, %3A and %3D", () => {
		expect(single(event(record({ key: "dir/my+registry%2Bv2.json" }))).key).toBe("dir/my registry+v2.json");
		expect(single(event(record({ key: "f%C3%BCr/%C3%BCber.json" }))).key).toBe("für/über.json");
		expect(single(event(record({ key: "a%3Ab%3Dc.json" }))).key).toBe("a:b=c.json");
		expect(single(event(record({ key: "a%2Fb.json" }))).key).toBe("a/b.json");
	});

	test("a quoted eTag loses its quotes", () => {
		expect(single(event(record({ eTag: '"0123456789abcdef0123456789abcdef"' }))).etag).toBe(
			"0123456789abcdef0123456789abcdef",
		);
	});

	test("optional fields absent: no versionId, eTag, sequencer or size", () => {
		const ref = single(event(record({ key: "r.json" })));
		expect(ref.versionId).toBeUndefined();
		expect(ref.etag).toBeUndefined();
		expect(ref.sequencer).toBeUndefined();
		expect(ref.size).toBeUndefined();
		expect(ref.region).toBe("us-west-2");
	});

	test("every ObjectCreated:* record counts, in order", () => {
		const refs = refsOf(
			parseMessage(
				event(
					record({ eventName: "ObjectCreated:Put", key: "a.json", sequencer: "01" }),
					record({ eventName: "ObjectCreated:Post", key: "b.json", sequencer: "02" }),
					record({
						eventName: "ObjectCreated:Copy",
						key: "c.json",
						bucket: "other-bucket",
						region: "eu-west-1",
					}),
					record({ eventName: "ObjectCreated:CompleteMultipartUpload", key: "d.json" }),
				),
			),
		);
		expect(refs.map((r) => `${r.bucket}/${r.key}@${r.region}`)).toEqual([
			"my-bucket/a.json@us-west-2",
			"my-bucket/b.json@us-west-2",
			"other-bucket/c.json@eu-west-1",
			"my-bucket/d.json@us-west-2",
		]);
	});

	test("other events in a message with a create are reported in `ignored`", () => {
		const parsed = parseMessage(
			event(
				record({ eventName: "ObjectRemoved:Delete", key: "gone.json" }),
				record({ eventName: "ObjectCreated:Put", key: "new.json" }),
				record({ eventName: "ObjectRestore:Completed", key: "cold.json" }),
			),
		);
		expect(parsed.kind).toBe("objects");
		if (parsed.kind !== "objects") return;
		expect(parsed.refs.map((r) => r.key)).toEqual(["new.json"]);
		expect(parsed.ignored).toHaveLength(2);
		expect(parsed.ignored[0]).toContain("ObjectRemoved:Delete");
		expect(parsed.ignored[0]).toContain("Records[0]");
		expect(parsed.ignored[1]).toContain("ObjectRestore:Completed");
		expect(parsed.ignored[1]).toContain("Records[2]");
	});

	test("only non-creating events → kind ignored, with a reason per record", () => {
		const parsed = parseMessage(
			event(
				record({ eventName: "ObjectRemoved:Delete", key: "gone.json" }),
				record({ eventName: "ObjectRemoved:DeleteMarkerCreated", key: "gone2.json" }),
			),
		);
		expect(parsed.kind).toBe("ignored");
		if (parsed.kind !== "ignored") return;
		expect(parsed.reasons).toHaveLength(2);
		expect(parsed.reasons[0]).toContain("ObjectRemoved:Delete");
		expect(parsed.reasons[1]).toContain("ObjectRemoved:DeleteMarkerCreated");
	});

	test("a delete record without size or eTag is still just ignored", () => {
		const r = record({ eventName: "ObjectRemoved:Delete", key: "x.json" });
		expect(parseMessage(event(r)).kind).toBe("ignored");
	});

	test("raw SNS delivery: the bare S3 JSON is accepted as it is", () => {
		// With raw message delivery on, the SQS body is identical to S3 → SQS.
		const ref = single(event(record({ key: "raw/reg.json", region: "ap-northeast-1" })));
		expect(ref).toMatchObject({ bucket: "my-bucket", key: "raw/reg.json", region: "ap-northeast-1" });
	});
});

describe("SNS envelope", () => {
	test("a wrapped S3 event is parsed a second time", () => {
		const ref = single(
			sns(
				event(
					record({
						key: "dir/my+registry%2Bv2.json",
						region: "eu-north-1",
						eTag: "abc123",
						sequencer: "0A",
					}),
				),
			),
		);
		expect(ref).toEqual({
			bucket: "my-bucket",
			key: "dir/my registry+v2.json",
			region: "eu-north-1",
			etag: "abc123",
			sequencer: "0A",
			versionId: undefined,
			size: undefined,
		});
	});

	test("a wrapped delete → ignored", () => {
		expect(parseMessage(sns(event(record({ eventName: "ObjectRemoved:Delete" })))).kind).toBe("ignored");
	});

	test("a wrapped s3:TestEvent → test-event", () => {
		expect(parseMessage(sns(TEST_EVENT))).toEqual({ kind: "test-event" });
	});

	test("every wrapped record counts", () => {
		const refs = refsOf(parseMessage(sns(event(record({ key: "a.json" }), record({ key: "b.json" })))));
		expect(refs.map((r) => r.key)).toEqual(["a.json", "b.json"]);
	});
});

describe("EventBridge", () => {
	test('"Object Created" → bucket, decoded key, region, etag, version-id, sequencer, size', () => {
		expect(parseMessage(eventBridge())).toEqual({
			kind: "objects",
			ignored: [],
			refs: [
				{
					bucket: "my-bucket",
					key: "dir/my registry+v2.json",
					region: "ca-central-1",
					etag: "b1946ac92492d2347c6235b4d2611184",
					versionId: "IYV3p45BT0ac8hjHg1houSdS1a.Mro8e",
					sequencer: "00617F08299329D189",
					size: 5,
				},
			],
		});
	});

	test('"Object Deleted" → ignored, naming the event type', () => {
		const parsed = parseMessage(eventBridge({ type: "Object Deleted" }));
		expect(parsed.kind).toBe("ignored");
		if (parsed.kind !== "ignored") return;
		expect(parsed.reasons.join(" ")).toContain("Object Deleted");
	});

	test('"Object Restore Completed" → ignored', () => {
		expect(parseMessage(eventBridge({ type: "Object Restore Completed" })).kind).toBe("ignored");
	});

	test("missing bucket name or key → unprocessable, naming the field", () => {
		expect(refused(eventBridge({ detail: { object: { key: "k" } } }))).toContain("detail.bucket.name");
		expect(refused(eventBridge({ detail: { bucket: { name: "b" }, object: {} } }))).toContain(
			"detail.object.key",
		);
	});
});

describe("S3 test event", () => {
	test('{"Event":"s3:TestEvent",…} → test-event', () => {
		expect(parseMessage(TEST_EVENT)).toEqual({ kind: "test-event" });
	});

	test("a test event is not subject to the allow-list (nothing is downloaded)", () => {
		expect(parseMessage(TEST_EVENT, ["another-bucket"])).toEqual({ kind: "test-event" });
	});
});

describe("bucket allow-list (MCP_REGISTRY_SQS_ALLOWED_BUCKETS)", () => {
	const allowed = ["registry-prod", "registry-staging"];

	test("an allowed bucket passes", () => {
		expect(single(url("s3://registry-staging/r.json"), allowed).bucket).toBe("registry-staging");
		expect(single(event(record({ bucket: "registry-prod" })), allowed).bucket).toBe("registry-prod");
	});

	test("another bucket is refused, naming the bucket and the variable", () => {
		const reason = refused(url("s3://evil-bucket/r.json"), allowed);
		expect(reason).toContain("evil-bucket");
		expect(reason).toContain("MCP_REGISTRY_SQS_ALLOWED_BUCKETS");
	});

	test("applies to every form: https URL, S3 event, SNS-wrapped, EventBridge", () => {
		for (const body of [
			url("https://evil-bucket.s3.us-west-2.amazonaws.com/r.json"),
			event(record({ bucket: "evil-bucket" })),
			sns(event(record({ bucket: "evil-bucket" }))),
			eventBridge({ bucket: "evil-bucket" }),
		]) {
			const reason = refused(body, allowed);
			expect(reason).toContain("evil-bucket");
			expect(reason).toContain("MCP_REGISTRY_SQS_ALLOWED_BUCKETS");
		}
	});

	test("one foreign record among allowed ones refuses the whole message", () => {
		const reason = refused(
			event(
				record({ bucket: "registry-prod", key: "a.json" }),
				record({ bucket: "evil-bucket", key: "b.json" }),
			),
			allowed,
		);
		expect(reason).toContain("evil-bucket");
	});

	test("the match is exact (no prefixes or case folding)", () => {
		expect(refused(url("s3://registry-prod-2/r.json"), allowed)).toContain("registry-prod-2");
		expect(refused(url("s3://registry/r.json"), allowed)).toContain('"registry"');
	});

	test("without an allow-list any bucket passes", () => {
		expect(single(url("s3://evil-bucket/r.json")).bucket).toBe("evil-bucket");
	});
});

describe("unprocessable bodies: each with a precise reason", () => {
	test("not JSON: says so and quotes the body", () => {
		const reason = refused("s3://my-bucket/registry.json");
		expect(reason).toContain("not JSON");
		expect(reason).toContain("s3://my-bucket/registry.json");
	});

	test("not JSON, long: the quote is cut short", () => {
		const reason = refused(`<${"x".repeat(500)}>`);
		expect(reason).toContain("not JSON");
		expect(reason.length).toBeLessThan(200);
	});

	test("JSON but not an object: array, number, string, null", () => {
		for (const body of ["[]", '[{"s3_url":"s3://b/k"}]', "42", '"s3://b/k"', "null"]) {
			expect(refused(body)).toContain("not an object");
		}
	});

	test("no known shape: lists the accepted shapes", () => {
		for (const body of ['{"url":"s3://b/k"}', "{}", '{"source":"aws.s3"}', '{"Type":"Notification"}']) {
			const reason = refused(body);
			expect(reason).toContain("no known shape");
			expect(reason).toContain("s3_url");
		}
	});

	test("empty Records", () => {
		expect(refused('{"Records":[]}')).toContain('"Records" is empty');
	});

	test("a record that is not an object", () => {
		expect(refused('{"Records":["x"]}')).toContain("Records[0] is not an object");
	});

	test("a creating record without bucket name", () => {
		const reason = refused(event(record({ key: "a.json" }), record({ bucket: null })));
		expect(reason).toContain("Records[1].s3.bucket.name is missing");
	});

	test("a creating record without key", () => {
		expect(refused(event(record({ key: null })))).toContain("Records[0].s3.object.key is missing");
		expect(refused(event(record({ key: "" })))).toContain("Records[0].s3.object.key is missing");
	});

	test("a creating record without an s3 section", () => {
		expect(refused(JSON.stringify({ Records: [{ eventName: "ObjectCreated:Put" }] }))).toContain(
			"s3.bucket.name is missing",
		);
	});

	test("s3_url not a string, or empty", () => {
		for (const v of [42, null, true, { bucket: "b" }, ["s3://b/k"], ""]) {
			expect(refused(url(v))).toContain('"s3_url" must be a non-empty string');
		}
	});

	test("s3_url not an S3 URL", () => {
		const r1 = refused(url("not a url"));
		expect(r1).toContain('"s3_url"');
		expect(r1).toContain("not a URL");
		expect(refused(url("ftp://my-bucket/r.json"))).toContain("expected an s3:// or https:// URL");
		expect(refused(url("http://my-bucket.s3.amazonaws.com/r.json"))).toContain(
			"expected an s3:// or https://",
		);
		expect(refused(url("s3://my-bucket"))).toContain("s3://bucket/key");
		expect(refused(url("s3://my-bucket/"))).toContain("the key is empty");
		expect(refused(url("https://my-bucket.s3.amazonaws.com/"))).toContain("the key is empty");
		expect(refused(url("https://s3.us-west-2.amazonaws.com/my-bucket"))).toContain("needs /bucket/key");
		expect(refused(url("https://my-bucket.s3.amazonaws.com/a%ZZ.json"))).toContain("invalid percent-escape");
		expect(refused(url("https://my-bucket.s3.amazonaws.com.cn/r.json"))).toContain("must name its region");
	});

	test("s3_url on a foreign host, named in the reason", () => {
		const r1 = refused(url("https://example.com/my-bucket/registry.json"));
		expect(r1).toContain("example.com");
		expect(r1).toContain("not an amazonaws.com S3 endpoint");
		// amazonaws.com, but not S3.
		expect(refused(url("https://my-bucket.ec2.us-west-2.amazonaws.com/r.json"))).toContain(
			"not an S3 endpoint",
		);
		// amazonaws.com only as a prefix of the real host.
		expect(refused(url("https://my-bucket.s3.amazonaws.com.evil.example/r.json"))).toContain(
			"not an amazonaws.com S3 endpoint",
		);
	});

	test("a bad percent-escape in an event key names the key", () => {
		const reason = refused(event(record({ key: "dir/100%.json" })));
		expect(reason).toContain("invalid percent-escape");
		expect(reason).toContain("dir/100%.json");
		expect(refused(eventBridge({ key: "bad%E0%A4%A.json" }))).toContain("invalid percent-escape");
	});

	test("SNS Message that is not JSON", () => {
		expect(refused(sns("hello, world"))).toContain("the SNS notification's Message is not JSON");
	});

	test("SNS Message that is JSON but no known shape", () => {
		expect(refused(sns('{"hello":"world"}'))).toContain("no known shape");
		expect(refused(sns("[1,2]"))).toContain("not an object");
	});

	test("SNS inside SNS", () => {
		expect(refused(sns(sns(event(record({})))))).toContain("SNS notification inside an SNS notification");
	});
});

describe("compareSequencers", () => {
	test("hex order for equal lengths", () => {
		expect(compareSequencers("0055AED6DCD90281E5", "0055AED6DCD90281E6")).toBeLessThan(0);
		expect(compareSequencers("0055AED6DCD90281E6", "0055AED6DCD90281E5")).toBeGreaterThan(0);
		expect(compareSequencers("0055AED6DCD90281E5", "0055AED6DCD90281E5")).toBe(0);
		// Digits sort before letters in hex.
		expect(compareSequencers("009", "00A")).toBeLessThan(0);
		expect(compareSequencers("00F", "010")).toBeLessThan(0);
	});

	test("the shorter is right-padded with zeros before comparing", () => {
		expect(compareSequencers("00A", "00A0")).toBe(0);
		expect(compareSequencers("00A0", "00A")).toBe(0);
		expect(compareSequencers("00A", "00A1")).toBeLessThan(0);
		expect(compareSequencers("00A1", "00A")).toBeGreaterThan(0);
		// Not a numeric comparison: "01" pads to "0100", bigger than "00FF".
		expect(compareSequencers("01", "00FF")).toBeGreaterThan(0);
		expect(compareSequencers("00FF", "01")).toBeLessThan(0);
	});

	test("case-insensitive", () => {
		expect(compareSequencers("0055aed6dcd90281e5", "0055AED6DCD90281E5")).toBe(0);
		expect(compareSequencers("0055aed6dcd90281e5", "0055AED6DCD90281E6")).toBeLessThan(0);
		expect(compareSequencers("00b", "00A")).toBeGreaterThan(0);
	});
});

describe("latestPerKey", () => {
	const ref = (key: string, sequencer?: string, bucket = "b"): ObjectRef => ({
		bucket,
		key,
		...(sequencer ? { sequencer } : {}),
	});

	test("keeps only the newest sequencer per bucket/key, whatever the arrival order", () => {
		const older = ref("r.json", "0055AED6DCD90281E5");
		const newer = ref("r.json", "0055AED6DCD90281E6");
		expect(latestPerKey([older, newer])).toEqual([newer]);
		expect(latestPerKey([newer, older])).toEqual([newer]);
		// Padded comparison: "00A1" is newer than "00A" even though shorter strings sort first.
		const a = ref("r.json", "00A1");
		expect(latestPerKey([a, ref("r.json", "00A")])).toEqual([a]);
	});

	test("keeps different keys and different buckets, in order", () => {
		const a = ref("a.json", "01");
		const b = ref("b.json", "01");
		const c = ref("a.json", "01", "other");
		expect(latestPerKey([a, b, c])).toEqual([a, b, c]);
	});

	test("the kept reference takes the place of its newest event", () => {
		const a1 = ref("a.json", "01");
		const b = ref("b.json", "05");
		const a2 = ref("a.json", "02");
		expect(latestPerKey([a1, b, a2])).toEqual([b, a2]);
		// An older event arriving later does not move or replace the newer one.
		const a0 = ref("a.json", "00");
		expect(latestPerKey([a2, b, a0])).toEqual([a2, b]);
	});

	test("without sequencers the last event for a key wins", () => {
		const first = { ...ref("r.json"), etag: "1" };
		const last = { ...ref("r.json"), etag: "2" };
		expect(latestPerKey([first, last])).toEqual([last]);
	});

	test("an empty list stays empty; a single ref is kept", () => {
		expect(latestPerKey([])).toEqual([]);
		const only = ref("x.json", "01");
		expect(latestPerKey([only])).toEqual([only]);
	});
});

describe("a message never chooses the host", () => {
	test("an event's awsRegion or EventBridge region must be a region name", () => {
		const event = (awsRegion: string) =>
			JSON.stringify({
				Records: [
					{
						eventName: "ObjectCreated:Put",
						awsRegion,
						s3: { bucket: { name: "mybucket" }, object: { key: "registry.json" } },
					},
				],
			});
		expect(() => parseMessage(event("x.evil.example/"), ["mybucket"])).toThrow(UnprocessableMessage);
		expect(() => parseMessage(event("x.evil.example/"))).toThrow("Records[0].awsRegion is not a region name");
		const bridge = JSON.stringify({
			source: "aws.s3",
			"detail-type": "Object Created",
			region: "evil.example#",
			detail: { bucket: { name: "mybucket" }, object: { key: "k" } },
		});
		expect(() => parseMessage(bridge)).toThrow("region is not a region name");
		const ok = parseMessage(event("eu-west-1"));
		expect(ok.kind === "objects" && ok.refs[0]?.region).toBe("eu-west-1");
	});
});

describe("fields of the wrong type", () => {
	test("optional record fields of another type are left out, not passed on", () => {
		const r = record({});
		r.s3 = {
			bucket: { name: "my-bucket" },
			object: { key: "r.json", versionId: 7, eTag: ["x"], sequencer: null, size: "12" },
		};
		expect(single(event(r))).toEqual({ bucket: "my-bucket", key: "r.json", region: "us-west-2" });
	});

	test("a required field of another type, or under a parent of another type, is named", () => {
		const r = (s3: unknown) => event({ ...record({}), s3 });
		expect(refused(r({ bucket: { name: 5 }, object: { key: "k" } }))).toBe(
			"Records[0].s3.bucket.name is missing",
		);
		expect(refused(r({ bucket: "my-bucket", object: { key: "k" } }))).toBe(
			"Records[0].s3.bucket.name is missing",
		);
		expect(refused(r({ bucket: { name: "b" }, object: { key: 5 } }))).toBe(
			"Records[0].s3.object.key is missing",
		);
		expect(refused(r({ bucket: { name: "b" }, object: "k" }))).toBe("Records[0].s3.object.key is missing");
		expect(refused(r("s3://b/k"))).toBe("Records[0].s3.bucket.name is missing");
		expect(refused(eventBridge({ detail: [] }))).toBe("detail.bucket.name is missing");
		expect(refused(eventBridge({ detail: { bucket: { name: "b" }, object: { key: 5 } } }))).toBe(
			"detail.object.key is missing",
		);
	});

	test("a region of another type is refused, quoted", () => {
		expect(refused(event({ ...record({}), awsRegion: 5 }))).toBe(
			"Records[0].awsRegion is not a region name: 5",
		);
		expect(single(event({ ...record({}), awsRegion: null })).region).toBeUndefined();
	});

	test("a record that is an array is not an object", () => {
		expect(refused('{"Records":[["ObjectCreated:Put"]]}')).toBe("Records[0] is not an object");
	});
});

/** Whether `s` has a control character (C0, DEL, C1, U+2028/2029) written raw. */
function hasRawControl(s: string): boolean {
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029) return true;
	}
	return false;
}

describe("names from messages are checked (bucket names by S3's rules, keys without control characters)", () => {
	const FORGED = "\n2026-01-01T00:00:00.000Z INFO  Database reloaded successfully";

	test("an s3_url whose bucket would put a query or a path into the request is refused", () => {
		// Sent as it was, this made the registry sign and send a ListObjects request.
		expect(refused(url("s3://registry?list-type=2&x=/registry.json"))).toContain("is not an S3 bucket name");
		// A bucket of ".." fetched another object than the log named.
		expect(refused(url("s3://../registry/registry.json"))).toContain('the bucket name ".."');
		expect(refused(url("https://s3.eu-west-1.amazonaws.com/../registry/registry.json"))).toContain(
			'the bucket name ".."',
		);
		expect(refused(url("s3://user:pass@registry/registry.json"))).toContain("no user name or password");
		expect(refused(JSON.stringify({ s3_uri: "s3://Registry_Old/registry.json" }))).toContain(
			"lowercase letters, digits, dots and hyphens",
		);
	});

	test("an s3_url key with a control character is refused, the key quoted with escapes", () => {
		for (const u of [
			`s3://registry/x${FORGED}`,
			"s3://registry/x\u001b[31mred",
			"s3://registry/x\u2028y",
			`https://registry.s3.eu-west-1.amazonaws.com/x%0A2026-01-01T00:00:00.000Z%20INFO%20%20Database%20reloaded%20successfully`,
			"https://s3.eu-west-1.amazonaws.com/registry/a%C2%85b",
		]) {
			const reason = refused(url(u));
			expect(reason).toContain("control character");
			expect(hasRawControl(reason)).toBe(false);
			// Shown up to the control character: what follows is what a forger wants logged.
			expect(reason).not.toContain("Database reloaded");
		}
	});

	test('an s3:// key with a "." or ".." segment is refused, as an https one is', () => {
		expect(refused(url("s3://registry/../other/registry.json"))).toContain('"." or ".." segment');
		expect(refused(url("s3://registry/a/./registry.json"))).toContain('"." or ".." segment');
	});

	test("an S3 event record naming a bucket S3 could not have is refused, naming the field", () => {
		for (const bucket of ["registry?list-type=2&x=", "..", "Registry", "ab", "192.168.5.4", "xn--registry"]) {
			const reason = refused(event(record({ bucket })));
			expect(reason).toContain("Records[0].s3.bucket.name");
			expect(reason).toContain(JSON.stringify(bucket));
		}
		// The second record is checked too: nothing of the message is taken.
		expect(refused(event(record({}), record({ bucket: "a..b" })))).toContain("Records[1].s3.bucket.name");
	});

	test("an S3 event key that decodes to a control character is refused, naming the field", () => {
		const key = `x%0A2026-01-01T00%3A00%3A00.000Z+INFO++Database+reloaded+successfully`;
		for (const body of [event(record({ key })), sns(event(record({ key })))]) {
			const reason = refused(body);
			expect(reason).toContain("Records[0].s3.object.key");
			expect(reason).toContain('the object key "x\\n…" has a control character');
			expect(hasRawControl(reason)).toBe(false);
		}
		expect(refused(event(record({ key: "a%09b" })))).toContain("control character");
		expect(refused(event(record({ key: "a/%2E%2E/b" })))).toContain('"." or ".." segment');
	});

	test("an EventBridge event is checked the same way", () => {
		expect(refused(eventBridge({ bucket: "registry?x=" }))).toContain("detail.bucket.name");
		const reason = refused(eventBridge({ key: "x%0Ay" }));
		expect(reason).toContain("detail.object.key");
		expect(reason).toContain("control character");
	});

	test("real names pass: dotted and numeric buckets, keys with spaces, plus signs and any script", () => {
		expect(single(url("s3://my.dotted.bucket/a b+c/ünï ✓.json"))).toMatchObject({
			bucket: "my.dotted.bucket",
			key: "a b+c/ünï ✓.json",
		});
		expect(single(event(record({ bucket: "123", key: "dir/my+registry%2Bv2.json" })))).toMatchObject({
			bucket: "123",
			key: "dir/my registry+v2.json",
		});
		expect(single(url(`s3://${"a".repeat(63)}/k`)).bucket).toHaveLength(63);
	});
});

describe("forged S3 event sequencers", () => {
	test("a sequencer that is not hex (or longer than S3's) is dropped: it never becomes the applied one", () => {
		for (const sequencer of ["ZZZZ", "F".repeat(40), "00 55", "-1"]) {
			const body = JSON.stringify({
				Records: [
					{
						eventName: "ObjectCreated:Put",
						s3: { bucket: { name: "registry" }, object: { key: "k", sequencer } },
					},
				],
			});
			const m = parseMessage(body);
			expect(m.kind).toBe("objects");
			if (m.kind === "objects") expect(m.refs).toEqual([{ bucket: "registry", key: "k" }]);
		}
		const real = parseMessage(
			JSON.stringify({
				Records: [
					{
						eventName: "ObjectCreated:Put",
						s3: { bucket: { name: "registry" }, object: { key: "k", sequencer: "0055AED6DCD90281E5" } },
					},
				],
			}),
		);
		if (real.kind === "objects") expect(real.refs[0]?.sequencer).toBe("0055AED6DCD90281E5");
	});
});

describe("a region nested past any stack", () => {
	test("is unprocessable, named by its type, never a RangeError", () => {
		const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
		const body = `{"Records":[{"eventName":"ObjectCreated:Put","awsRegion":${deep},"s3":{"bucket":{"name":"registry"},"object":{"key":"k"}}}]}`;
		let err: unknown;
		try {
			parseMessage(body);
		} catch (e) {
			err = e;
		}
		expect(err).toBeInstanceOf(UnprocessableMessage);
		expect((err as Error).message).toContain("is not a region name");
	});
});
