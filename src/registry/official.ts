/**
 * An entry of the file made into an entry to serve. Its official metadata (the API shape's
 * `_meta["io.modelcontextprotocol.registry/official"]`, a fork record's outer fields) is checked
 * by one valibot schema, which also gives its type; missing fields get upstream's defaults
 * (status active, timestamps along the entry's own, else the file's modification time).
 */
import * as v from "valibot";
import type { EntryProblem } from "./report.ts";
import { advisories, type FieldProblem, validateServerDocument } from "./schema.ts";
import { isPlainValidServerDocument } from "./schema-fast.ts";
import type { RawEntry } from "./shapes.ts";
import { STATUSES } from "./snapshot.ts";
import { parseTimestamp, type Timestamp } from "./time.ts";

export const OFFICIAL = "io.modelcontextprotocol.registry/official";

/** A valid entry, its document already serialised; the arena writes it and records where. */
export interface Entry {
	at: string;
	name: string;
	version: string;
	/** The server document, serialised once; the parsed document itself is not kept. */
	serverJson: string;
	/** Instead of `serverJson`: the document's bytes in the file, already as it would be serialised. */
	serverBytes?: Uint8Array;
	description: string;
	/** Advisory problems of the document (warnings), found while it was at hand. */
	advice: FieldProblem[];
	/** Index into STATUSES. */
	status: number;
	statusMessage: string | undefined;
	statusChangedAt: Timestamp;
	publishedAt: Timestamp;
	updatedAt: Timestamp;
	flaggedLatest: boolean | undefined;
	/** The entry's _meta as the file had it (api shape), official replaced on output. */
	meta: Record<string, unknown> | undefined;
	officialExtra: Record<string, unknown>;
}

// Entries of one file mostly share a handful of timestamp strings: parse each once.
const timestampMemo = new Map<string, Timestamp | undefined>();

function memoTimestamp(text: string): Timestamp | undefined {
	let t = timestampMemo.get(text);
	if (t === undefined && !timestampMemo.has(text)) {
		t = parseTimestamp(text);
		// Shared strings are few; a file of unique timestamps must not keep all of them here.
		if (timestampMemo.size >= 4096) timestampMemo.clear();
		timestampMemo.set(text, t);
	}
	return t;
}

const notTimestamp = (issue: { input: unknown }) =>
	`is not an RFC 3339 timestamp: ${JSON.stringify(issue.input)}`;

/** null counts as missing. */
const time = v.nullish(
	v.pipe(
		v.string(notTimestamp),
		v.rawTransform<string, Timestamp>(({ dataset, addIssue, NEVER }) => {
			const t = memoTimestamp(dataset.value);
			if (t) return t;
			addIssue({ message: notTimestamp({ input: dataset.value }) });
			return NEVER;
		}),
	),
);

const isObject = (x: unknown): x is Record<string, unknown> =>
	typeof x === "object" && x !== null && !Array.isArray(x);

/** Fields in the order their problems are told; unknown fields are kept and served back. */
const OfficialMeta = v.optional(
	v.pipe(
		v.custom<Record<string, unknown>>(isObject, "expected an object"),
		v.looseObject({
			status: v.nullish(
				v.picklist(
					STATUSES,
					(issue) => `must be one of ${STATUSES.join(", ")} (got ${JSON.stringify(issue.input)})`,
				),
			),
			statusMessage: v.nullish(v.string("expected a string")),
			isLatest: v.nullish(v.boolean("expected a boolean")),
			publishedAt: time,
			updatedAt: time,
			statusChangedAt: time,
		}),
	),
);

export type OfficialMeta = NonNullable<v.InferOutput<typeof OfficialMeta>>;

const KNOWN_OFFICIAL = new Set([
	"status",
	"statusMessage",
	"statusChangedAt",
	"publishedAt",
	"updatedAt",
	"isLatest",
]);

/** A timestamp field as the schema's `time` reads it; false when it has a problem. */
function quickTime(x: unknown): Timestamp | null | undefined | false {
	if (x === undefined || x === null) return x;
	return (typeof x === "string" && parseTimestamp(x)) || false;
}

/**
 * The official metadata as OfficialMeta's output, read without valibot; undefined when it has
 * a problem (valibot then says which). Most entries have exactly these fields, all well-formed.
 */
function quickOfficial(x: unknown): OfficialMeta | undefined {
	if (x === undefined) return {};
	if (!isObject(x)) return undefined;
	const { status, statusMessage, isLatest } = x;
	if (status != null && !(STATUSES as readonly unknown[]).includes(status)) return undefined;
	if (statusMessage != null && typeof statusMessage !== "string") return undefined;
	if (isLatest != null && typeof isLatest !== "boolean") return undefined;
	const publishedAt = quickTime(x.publishedAt);
	const updatedAt = quickTime(x.updatedAt);
	const statusChangedAt = quickTime(x.statusChangedAt);
	if (publishedAt === false || updatedAt === false || statusChangedAt === false) return undefined;
	return { status, statusMessage, isLatest, publishedAt, updatedAt, statusChangedAt } as OfficialMeta;
}

/** The entry's official metadata, or its problems; `whole`: the value itself is wrong, not a field. */
function readOfficial(r: RawEntry): { official: OfficialMeta; problems: FieldProblem[]; whole: boolean } {
	const quick = quickOfficial(r.official);
	if (quick) return { official: quick, problems: [], whole: false };
	const result = v.safeParse(OfficialMeta, r.official);
	if (result.success) return { official: result.output ?? {}, problems: [], whole: false };
	const problems = result.issues.map((issue) => {
		const key = issue.path?.[0]?.key;
		return { field: key === undefined ? r.officialAt : r.officialField(String(key)), message: issue.message };
	});
	return { official: {}, problems, whole: result.issues.every((issue) => !issue.path) };
}

/**
 * The entry to serve, or every problem that keeps it out (each naming the entry). `serialise`
 * false: the document is only checked (`serverJson` stays empty), for `registry validate`.
 * `docBytes`: the document as the file has it, when that is how JSON.stringify writes it.
 */
export function normalise(
	r: RawEntry,
	fallback: Timestamp,
	serialise = true,
	docBytes?: Uint8Array,
): { entry?: Entry; problems: EntryProblem[] } {
	const read = readOfficial(r);
	// An official value that is not an object is told with the shape's problems, before the document's.
	const problems = read.whole ? [...r.problems, ...read.problems] : [...r.problems];
	// A missing document was already reported by the shape; don't report it twice. A document
	// the quick check passes has no error: valibot is asked only about the others, for messages.
	const docProblems =
		(r.doc === undefined && problems.length > 0) || isPlainValidServerDocument(r.doc)
			? []
			: validateServerDocument(r.doc);
	for (const p of docProblems) {
		const field = [r.docField, p.field].filter((s) => s !== "").join(".");
		problems.push({ field, message: p.message });
	}
	if (!read.whole) problems.push(...read.problems);
	const doc = r.doc as Record<string, unknown> | undefined;
	const name = typeof doc?.name === "string" ? doc.name : undefined;
	const version = typeof doc?.version === "string" ? doc.version : undefined;
	const located = problems.map((p) => ({ entry: r.at, name, version, ...p }));
	if (located.length > 0 || !doc || name === undefined || version === undefined) return { problems: located };
	const o = read.official;
	// A missing timestamp falls back along the entry's own (updatedAt → publishedAt,
	// statusChangedAt → updatedAt), and to the file's modification time when none is given.
	const publishedAt = o.publishedAt ?? fallback;
	const updatedAt = o.updatedAt ?? publishedAt;
	// Extra fields as the file has them (the schema's output drops a few keys, e.g. "constructor").
	const officialExtra: Record<string, unknown> = {};
	const given = (r.official as Record<string, unknown> | undefined) ?? {};
	for (const k in given) {
		const val = given[k];
		if (Object.hasOwn(given, k) && !KNOWN_OFFICIAL.has(k) && val !== undefined) officialExtra[k] = val;
	}
	return {
		problems: [],
		entry: {
			at: r.at,
			name,
			version,
			serverJson: serialise && !docBytes ? JSON.stringify(doc) : "",
			serverBytes: docBytes,
			description: typeof doc.description === "string" ? doc.description : "",
			advice: advisories(doc),
			status: o.status ? STATUSES.indexOf(o.status) : 0,
			statusMessage: o.statusMessage ?? undefined,
			statusChangedAt: o.statusChangedAt ?? updatedAt,
			publishedAt,
			updatedAt,
			flaggedLatest: o.isLatest ?? undefined,
			meta: r.meta,
			officialExtra,
		},
	};
}
