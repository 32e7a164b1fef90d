/**
 * JSON answers (of AWS services, credential endpoints and processes) checked with valibot
 * schemas: the schema gives the type, and a malformed answer becomes a reason naming the field
 * and what is wrong with it. Values are never quoted: they may be secrets.
 */
import * as v from "valibot";

function kindOf(x: unknown): string {
	if (x === null) return "null";
	if (Array.isArray(x)) return "an array";
	const t = typeof x;
	return t === "object" ? "an object" : t === "undefined" ? "nothing" : `a ${t}`;
}

/** The reason, to follow "the answer": `lacks Token`, `has Messages.0.Body as a number, expected string`. */
export function describeIssue(issue: v.BaseIssue<unknown>): string {
	const path = v.getDotPath(issue);
	if (!path) return `is ${kindOf(issue.input)}, expected ${issue.expected ?? "another shape"}`;
	if (issue.input === undefined) return `lacks ${path}`;
	if (issue.kind === "validation")
		return `has an invalid ${path} (expected ${issue.expected ?? "another value"})`;
	return `has ${path} as ${kindOf(issue.input)}, expected ${issue.expected ?? "another type"}`;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string; path?: string };

/**
 * Parses `text` as JSON and checks it against `schema`; the reason reads after "the answer", and
 * `path` names the field at fault. (An object schema refuses a list here: valibot's would take it.)
 */
export function checkJson<S extends v.GenericSchema>(schema: S, text: string): Checked<v.InferOutput<S>> {
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		return { ok: false, reason: "is not JSON" };
	}
	if (Array.isArray(json) && schema.expects === "Object")
		return { ok: false, reason: "is an array, expected Object" };
	const result = v.safeParse(schema, json);
	if (result.success) return { ok: true, value: result.output };
	const [issue] = result.issues;
	return { ok: false, reason: describeIssue(issue), path: v.getDotPath(issue) ?? undefined };
}

/** An optional field of a lenient shape: absent, or of another type, reads as undefined. */
export function maybe<S extends v.GenericSchema>(schema: S) {
	return v.fallback(v.optional(schema), undefined);
}
