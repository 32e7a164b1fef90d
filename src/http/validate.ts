/**
 * POST {p}/validate: one server.json in the body, checked by the loader's own rules
 * (registry/schema.ts for the document, registry/split.ts for what JSON.parse lets through), and
 * answered as upstream does: 200 `{"valid": bool, "issues": [...]}` whether valid or not. What is
 * not a server.json to check at all — too large, not JSON by its Content-Type or its bytes — is a
 * problem. Nothing here is cached.
 */
import { readCapped } from "../read-capped.ts";
import { findJsonError } from "../registry/json-error.ts";
import { advisories, type FieldProblem, validateServerDocument } from "../registry/schema.ts";
import { splitRegistry } from "../registry/split.ts";
import type { Problem } from "./problem.ts";

/** The largest body read (as upstream's huma): 1 MiB. */
export const VALIDATE_MAX_BYTES = 1024 * 1024;

export interface ValidationIssue {
	/** `schema` for a field of the wrong type or a missing one, `semantic` for a rule's check. */
	type: "schema" | "semantic";
	/** The field, in the loader's form (`packages[0].executable`); "" for the document itself. */
	path: string;
	message: string;
	severity: "error" | "warning";
	/** A stable identifier of the rule: the field checked, indices generalised. */
	reference: string;
}

export interface ValidationResult {
	valid: boolean;
	issues: ValidationIssue[];
}

/** A FieldProblem as schema.ts may give it: with its own kind, severity or reference. */
type Reported = FieldProblem & { type?: unknown; severity?: unknown; reference?: unknown; rule?: unknown };

/** Messages of the type checks (valibot's schema issues, as schema.ts words them). */
const SCHEMA_MESSAGE = /^(is required|expected )/;

function issue(p: Reported, severity: "error" | "warning"): ValidationIssue {
	const type =
		p.type === "schema" || p.type === "semantic"
			? p.type
			: SCHEMA_MESSAGE.test(p.message)
				? "schema"
				: "semantic";
	const reference =
		typeof p.reference === "string" && p.reference !== ""
			? p.reference
			: typeof p.rule === "string" && p.rule !== ""
				? p.rule
				: `server.json#${p.field === "" ? "" : `/${p.field.replace(/\[\d+\]/g, "[]")}`}`;
	const sev = p.severity === "error" || p.severity === "warning" ? p.severity : severity;
	return { type, path: p.field, message: p.message, severity: sev, reference };
}

/** The issues of a parsed document (and its bytes, for duplicate keys and depth). */
export function validateDocument(doc: unknown, bytes: Uint8Array): ValidationResult {
	const issues: ValidationIssue[] = [];
	// The loader's structural checks, as for an entry of a bare-array file.
	const wrapped = new Uint8Array(bytes.length + 2);
	wrapped[0] = 0x5b;
	wrapped.set(bytes, 1);
	wrapped[bytes.length + 1] = 0x5d;
	const structure = splitRegistry(wrapped)?.problems.get(0);
	if (structure)
		issues.push(issue({ field: structure.path, message: structure.message, type: "schema" }, "error"));
	for (const p of validateServerDocument(doc)) issues.push(issue(p, "error"));
	if (typeof doc === "object" && doc !== null && !Array.isArray(doc)) {
		for (const p of advisories(doc as Record<string, unknown>)) issues.push(issue(p, "warning"));
	}
	return { valid: !issues.some((i) => i.severity === "error"), issues };
}

/** Whether a Content-Type says JSON: none (as curl --json-less clients send), application/json, or any `+json`. */
function isJsonType(header: string | null): boolean {
	if (header === null) return true;
	const type = (header.split(";")[0] ?? "").trim().toLowerCase();
	return (
		type === "" || type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"))
	);
}

const TOO_LARGE: Problem = {
	status: 413,
	detail: `request body is larger than ${VALIDATE_MAX_BYTES} bytes (1 MiB)`,
};

/** The request's answer: a result to send as 200, or the problem that answers it instead. */
export async function validateRequest(req: Request): Promise<ValidationResult | Problem> {
	if (!isJsonType(req.headers.get("content-type"))) {
		return {
			status: 415,
			detail: "Content-Type must be application/json",
			errors: [
				{
					message: "unsupported media type",
					location: "header.Content-Type",
					value: req.headers.get("content-type"),
				},
			],
		};
	}
	const declared = Number(req.headers.get("content-length") ?? "0");
	if (declared > VALIDATE_MAX_BYTES) return TOO_LARGE;
	const bytes = await readCapped(req.body, VALIDATE_MAX_BYTES);
	if (bytes === undefined) return TOO_LARGE;
	let text: string;
	try {
		text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
	} catch {
		return {
			status: 400,
			detail: "validation failed",
			errors: [{ message: "body is not UTF-8", location: "body" }],
		};
	}
	if (text.trim() === "") return { status: 400, detail: "request body is required" };
	let doc: unknown;
	try {
		doc = JSON.parse(text);
	} catch {
		const e = findJsonError(text);
		const message = e ? `${e.message} at line ${e.line}, column ${e.column}` : "invalid JSON";
		return { status: 400, detail: "validation failed", errors: [{ message, location: "body" }] };
	}
	return validateDocument(doc, bytes);
}
