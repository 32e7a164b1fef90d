/**
 * server.json (schema 2025-10-17, also accepting 2025-12-11) as valibot schemas.
 *
 * Two levels: `ServerDocument` holds what makes an entry unusable (errors): missing or malformed
 * identity, and known fields of the wrong type. `advisories` lists the limits real data breaks
 * (warnings): the entry is kept and served. Objects are loose: unknown fields are kept.
 */
import * as v from "valibot";

export const NAME_PATTERN = /^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/;
export const KNOWN_SCHEMAS = ["2025-10-17", "2025-12-11"];

const str = v.string("expected a string");

/** C0 controls, DEL and C1 controls: never part of a name or version (they would be served, logged and keyed as given). */
export function hasControlCharacter(s: string): boolean {
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
	}
	return false;
}

const noControlCharacters = v.check(
	(s: string) => !hasControlCharacter(s),
	(issue: v.CheckIssue<string>) =>
		`must not contain control characters (got ${JSON.stringify(issue.input).slice(0, 80)})`,
);
const bool = v.boolean("expected a boolean");
const opt = <T extends v.GenericSchema>(schema: T) => v.optional(schema);
const arrayOf = <T extends v.GenericSchema>(item: T) => v.array(item, "expected an array");
const object = <T extends v.ObjectEntries>(entries: T) => v.looseObject(entries, "expected an object");

const inputEntries = {
	description: opt(str),
	isRequired: opt(bool),
	format: opt(str),
	value: opt(str),
	isSecret: opt(bool),
	default: opt(str),
	placeholder: opt(str),
	choices: opt(arrayOf(str)),
};

const Input = object(inputEntries);

const inputWithVariablesEntries = {
	...inputEntries,
	variables: opt(v.record(v.string(), Input, "expected an object of inputs")),
};

const KeyValueInput = object({ ...inputWithVariablesEntries, name: str });

const Argument = object({
	...inputWithVariablesEntries,
	type: str,
	name: opt(str),
	valueHint: opt(str),
	isRepeated: opt(bool),
});

const Transport = object({
	type: str,
	url: opt(str),
	headers: opt(arrayOf(KeyValueInput)),
});

const Remote = object({
	type: str,
	url: str,
	headers: opt(arrayOf(KeyValueInput)),
});

const Package = object({
	registryType: str,
	identifier: str,
	transport: Transport,
	version: opt(str),
	registryBaseUrl: opt(str),
	fileSha256: opt(str),
	runtimeHint: opt(str),
	runtimeArguments: opt(arrayOf(Argument)),
	packageArguments: opt(arrayOf(Argument)),
	environmentVariables: opt(arrayOf(KeyValueInput)),
});

const Repository = object({
	url: opt(str),
	source: opt(str),
	id: opt(str),
	subfolder: opt(str),
});

const Icon = object({
	src: str,
	mimeType: opt(str),
	sizes: opt(arrayOf(str)),
	theme: opt(str),
});

export const ServerDocument = object({
	$schema: opt(str),
	name: v.pipe(
		str,
		v.minLength(3, "must be 3 to 200 characters"),
		v.maxLength(200, "must be 3 to 200 characters"),
		noControlCharacters,
		// Told once: a name with a control character does not match the pattern either.
		v.check((s) => hasControlCharacter(s) || NAME_PATTERN.test(s), `must match ${NAME_PATTERN.source}`),
	),
	description: str,
	version: v.pipe(
		str,
		v.minLength(1, "must not be empty"),
		v.maxLength(255, "must be at most 255 characters"),
		noControlCharacters,
		v.check((s) => s !== "latest", 'must not be "latest" (reserved for the latest-version route)'),
	),
	title: opt(str),
	websiteUrl: opt(str),
	repository: opt(Repository),
	icons: opt(arrayOf(Icon)),
	packages: opt(arrayOf(Package)),
	remotes: opt(arrayOf(Remote)),
	_meta: opt(v.record(v.string(), v.unknown(), "expected an object")),
});

export type ServerDocument = v.InferOutput<typeof ServerDocument>;

export interface FieldProblem {
	field: string;
	message: string;
}

function fieldPath(issue: v.BaseIssue<unknown>): string {
	let out = "";
	for (const item of issue.path ?? []) {
		const key = item.key;
		out += typeof key === "number" ? `[${key}]` : out === "" ? String(key) : `.${String(key)}`;
	}
	return out;
}

function describe(issue: v.BaseIssue<unknown>): string {
	if (issue.received === "undefined" && issue.kind === "schema") return "is required";
	if (issue.kind === "schema") return `${issue.message}, got ${describeType(issue.input)}`;
	return issue.message;
}

function describeType(value: unknown): string {
	if (value === null) return "null";
	if (Array.isArray(value)) return "an array";
	return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`.slice(0, 60);
}

/** The errors that make a server document invalid, each with its field path. */
export function validateServerDocument(doc: unknown): FieldProblem[] {
	if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
		return [{ field: "", message: `expected a server.json object, got ${describeType(doc)}` }];
	}
	const result = v.safeParse(ServerDocument, doc);
	if (result.success) return [];
	return result.issues.map((issue) => ({ field: fieldPath(issue), message: describe(issue) }));
}

/** Advisory limits of server.json that real data breaks: the entry is kept, the count logged. */
export function advisories(doc: Record<string, unknown>): FieldProblem[] {
	const out: FieldProblem[] = [];
	const schema = doc.$schema;
	if (schema === undefined) out.push({ field: "$schema", message: "is missing" });
	else if (typeof schema === "string" && !KNOWN_SCHEMAS.some((s) => schema.includes(s))) {
		out.push({
			field: "$schema",
			message: `is not a known server.json schema (${KNOWN_SCHEMAS.join(", ")})`,
		});
	}
	const description = doc.description;
	if (description === "") out.push({ field: "description", message: "is empty" });
	else if (typeof description === "string" && description.length > 100) {
		out.push({ field: "description", message: "is longer than 100 characters" });
	}
	if (typeof doc.title === "string" && (doc.title.length === 0 || doc.title.length > 100)) {
		out.push({ field: "title", message: "must be 1 to 100 characters" });
	}
	const repository = doc.repository as Record<string, unknown> | undefined;
	if (repository && (repository.url === undefined || repository.source === undefined)) {
		out.push({ field: "repository", message: "should have both url and source" });
	}
	return out;
}
