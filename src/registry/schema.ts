/**
 * server.json (schema 2025-10-17, also accepting 2025-12-11) as valibot schemas.
 *
 * Every constraint of the schema is checked, at one of two levels. `ServerDocument` holds the
 * errors (the entry is invalid): identity, types, enums (remote and transport types,
 * registryType, argument types, input formats, icon fields), URL formats, `{variable}`
 * references in URLs, lengths, patterns, and versions that are ranges (upstream rejects them).
 * `advisories` lists the constraints real data breaks (warnings: the entry is kept and served):
 * a missing or older `$schema`, an empty or long description, a repository without url or
 * source. Objects are loose: unknown fields are kept.
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
const quote = (value: unknown) => JSON.stringify(value).slice(0, 120);

/** A string that must be one of `values`. */
const oneOf = (values: readonly string[]) =>
	v.pipe(
		str,
		v.check(
			(s: string) => values.includes(s),
			(issue: v.CheckIssue<string>) => `must be one of ${values.join(", ")} (got ${quote(issue.input)})`,
		),
	);

export const REMOTE_TYPES = ["streamable-http", "sse"] as const;
export const TRANSPORT_TYPES = ["stdio", "streamable-http", "sse"] as const;
/** The package registries upstream publishes from (its validators know no others). */
export const REGISTRY_TYPES = ["npm", "pypi", "oci", "nuget", "mcpb"] as const;
export const ARGUMENT_TYPES = ["positional", "named"] as const;
export const INPUT_FORMATS = ["string", "number", "boolean", "filepath"] as const;
export const ICON_MIME_TYPES = [
	"image/png",
	"image/jpeg",
	"image/jpg",
	"image/svg+xml",
	"image/webp",
] as const;
export const ICON_THEMES = ["light", "dark"] as const;
const SHA256 = /^[a-f0-9]{64}$/;
const ICON_SIZE = /^(\d+x\d+|any)$/;
const PUBLISHER_PROVIDED = "io.modelcontextprotocol.registry/publisher-provided";

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

/**
 * The answers of the URL checks below for the strings last asked about: a file repeats the same
 * URLs (its `$schema`, a package registry, the versions of one server), and parsing a URL is
 * the dearest part of checking a document. Bounded: a file of unique URLs only refills it.
 */
class Answers {
	private readonly known = new Map<string, boolean>();
	of(s: string, check: (s: string) => boolean): boolean {
		let answer = this.known.get(s);
		if (answer === undefined) {
			answer = check(s);
			if (this.known.size >= 2048) this.known.clear();
			this.known.set(s, answer);
		}
		return answer;
	}
}

const uriAnswers = new Answers();
const httpAnswers = new Answers();
const httpsAnswers = new Answers();
const templateAnswers = new Answers();

function checkUri(s: string): boolean {
	return SCHEME.test(s) && !/\s/.test(s) && !hasControlCharacter(s) && URL.canParse(s);
}

/** JSON Schema's `format: uri`: an absolute URI (a scheme, no white space), as URL parses it. */
export function isUri(s: string): boolean {
	return uriAnswers.of(s, checkUri);
}

function checkHttpUrl(s: string, httpsOnly: boolean): boolean {
	if (!isUri(s)) return false;
	const u = new URL(s);
	return (u.protocol === "https:" || (!httpsOnly && u.protocol === "http:")) && u.hostname !== "";
}

const checkHttp = (s: string) => checkHttpUrl(s, false);
const checkHttps = (s: string) => checkHttpUrl(s, true);

/** An absolute http(s) URL with a host (`https` only when `httpsOnly`). */
export function isHttpUrl(s: string, httpsOnly = false): boolean {
	return httpsOnly ? httpsAnswers.of(s, checkHttps) : httpAnswers.of(s, checkHttp);
}

const TEMPLATE_REF = /\{([^{}]*)\}/g;

/** The `{variable}` names a URL template refers to. */
export function templateVariables(url: string): string[] {
	return [...url.matchAll(TEMPLATE_REF)].map((m) => m[1] as string);
}

function checkUrlTemplate(s: string): boolean {
	const filled = s.replace(TEMPLATE_REF, (_, name: string) => (name === "" ? "{}" : "1"));
	return !/[{}]/.test(filled) && isHttpUrl(filled);
}

/** A URL template (`https://{host}/mcp`): an http(s) URL once each `{variable}` is filled in. */
export function isUrlTemplate(s: string): boolean {
	return templateAnswers.of(s, checkUrlTemplate);
}

function onlyDigitsAndDots(s: string): boolean {
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if ((c < 0x30 || c > 0x39) && c !== 0x2e) return false;
	}
	return true;
}

/**
 * A version range rather than a version (`^1.2.3`, `~1`, `>=1`, `<2`, `1.x`, `1.*`, `*`,
 * `1 - 2`, `1 || 2`): upstream's publish-time validators reject these.
 */
export function isVersionRange(s: string): boolean {
	if (onlyDigitsAndDots(s)) return false; // most versions: no range can be written so
	const t = s.trim();
	if (/^[\^~<>=]/.test(t) || t.includes("||") || / - /.test(t)) return true;
	return t
		.replace(/^v/i, "")
		.split(/[+-]/)[0]
		?.split(".")
		.some((part) => part === "x" || part === "X" || part === "*") as boolean;
}

const notRange = v.check(
	(s: string) => !isVersionRange(s),
	(issue: v.CheckIssue<string>) =>
		`must be a specific version, not a range (got ${quote(issue.input)}; upstream rejects ^, ~, >=, <, x, *, || and hyphen ranges)`,
);
const notLatest = v.check(
	(s: string) => s !== "latest",
	'must not be "latest" (reserved for the latest-version route)',
);

const uri = v.pipe(
	str,
	v.check(isUri, (issue: v.CheckIssue<string>) => `must be an absolute URI (got ${quote(issue.input)})`),
);
const httpsUrl = v.pipe(
	str,
	v.check(
		(s: string) => isHttpUrl(s, true),
		(issue: v.CheckIssue<string>) => `must be an https URL (got ${quote(issue.input)})`,
	),
);
const urlTemplate = v.pipe(
	str,
	v.check(
		isUrlTemplate,
		(issue: v.CheckIssue<string>) =>
			`must be an http(s) URL, {variables} allowed (got ${quote(issue.input)})`,
	),
);

/** A path item for an issue raised by an object-level check, at `key` of `input`. */
const at = (input: unknown, key: string | number, value: unknown): v.IssuePathItem =>
	(typeof key === "number"
		? { type: "array", origin: "value", input, key, value }
		: { type: "object", origin: "value", input, key, value }) as v.IssuePathItem;

type Obj = Record<string, unknown>;

/** `{var}` in an object's `url` must be one of `declared`; one issue per undeclared name. */
function undeclaredVariables(
	holder: Obj,
	url: unknown,
	declared: Set<string>,
	path: v.IssuePathItem[],
	addIssue: (info: { message: string; path: [v.IssuePathItem, ...v.IssuePathItem[]] }) => void,
	where: string,
) {
	if (typeof url !== "string") return;
	for (const name of new Set(templateVariables(url))) {
		if (name === "" || declared.has(name)) continue;
		addIssue({
			message: `refers to {${name}}, which is not declared in ${where}`,
			path: [...path, at(holder, "url", url)] as unknown as [v.IssuePathItem, ...v.IssuePathItem[]],
		});
	}
}

const inputEntries = {
	description: opt(str),
	isRequired: opt(bool),
	format: opt(oneOf(INPUT_FORMATS)),
	value: opt(str),
	isSecret: opt(bool),
	default: opt(str),
	placeholder: opt(str),
	choices: opt(arrayOf(str)),
};

const Input = object(inputEntries);
const Variables = v.record(v.string(), Input, "expected an object of inputs");

const inputWithVariablesEntries = {
	...inputEntries,
	variables: opt(Variables),
};

const KeyValueInput = object({ ...inputWithVariablesEntries, name: str });

/** PositionalArgument (needs a valueHint or a value) or NamedArgument (needs a name). */
const Argument = v.pipe(
	object({
		...inputWithVariablesEntries,
		type: oneOf(ARGUMENT_TYPES),
		name: opt(str),
		valueHint: opt(str),
		isRepeated: opt(bool),
	}),
	v.rawCheck(({ dataset, addIssue }) => {
		if (!dataset.typed) return;
		const a = dataset.value;
		if (a.type === "named" && a.name === undefined) {
			addIssue({ message: "is required for a named argument", path: [at(a, "name", undefined)] });
		}
		if (a.type === "positional" && a.valueHint === undefined && a.value === undefined) {
			addIssue({
				message: "or value is required for a positional argument",
				path: [at(a, "valueHint", undefined)],
			});
		}
	}),
);

const Transport = v.pipe(
	object({
		type: oneOf(TRANSPORT_TYPES),
		url: opt(urlTemplate),
		headers: opt(arrayOf(KeyValueInput)),
	}),
	v.rawCheck(({ dataset, addIssue }) => {
		if (!dataset.typed) return;
		const t = dataset.value;
		if ((t.type === "streamable-http" || t.type === "sse") && t.url === undefined) {
			addIssue({ message: `is required for the ${t.type} transport`, path: [at(t, "url", undefined)] });
		}
	}),
);

const Remote = v.pipe(
	object({
		type: oneOf(REMOTE_TYPES),
		url: urlTemplate,
		headers: opt(arrayOf(KeyValueInput)),
		variables: opt(Variables),
	}),
	v.rawCheck(({ dataset, addIssue }) => {
		if (!dataset.typed) return;
		const r = dataset.value;
		const declared = new Set(Object.keys(r.variables ?? {}));
		undeclaredVariables(r, r.url, declared, [], addIssue, "the remote's variables");
	}),
);

/** What a package transport's `{var}` may name: its arguments' valueHints and names, its environment variables. */
function packageVariables(p: Obj): Set<string> {
	const out = new Set<string>();
	for (const list of [p.runtimeArguments, p.packageArguments, p.environmentVariables]) {
		for (const a of (list as Obj[] | undefined) ?? []) {
			for (const key of ["valueHint", "name"]) {
				const s = a[key];
				if (typeof s === "string") {
					out.add(s);
					out.add(s.replace(/^-+/, ""));
				}
			}
		}
	}
	return out;
}

const Package = v.pipe(
	object({
		registryType: oneOf(REGISTRY_TYPES),
		identifier: v.pipe(str, v.minLength(1, "must not be empty")),
		transport: Transport,
		version: opt(v.pipe(str, v.minLength(1, "must not be empty"), notLatest, notRange)),
		registryBaseUrl: opt(uri),
		fileSha256: opt(
			v.pipe(
				str,
				v.regex(SHA256, (issue) => `must be 64 lowercase hex digits (got ${quote(issue.input)})`),
			),
		),
		runtimeHint: opt(str),
		runtimeArguments: opt(arrayOf(Argument)),
		packageArguments: opt(arrayOf(Argument)),
		environmentVariables: opt(arrayOf(KeyValueInput)),
	}),
	v.rawCheck(({ dataset, addIssue }) => {
		if (!dataset.typed) return;
		const p = dataset.value;
		// Upstream's rule (its validators, not the schema): only npm packages name an executable.
		if (p.executable !== undefined && p.registryType !== "npm") {
			addIssue({
				message: `is only supported for npm packages (got registryType ${quote(p.registryType)})`,
				path: [at(p, "executable", p.executable)],
			});
		}
		undeclaredVariables(
			p.transport,
			p.transport.url,
			packageVariables(p),
			[at(p, "transport", p.transport)],
			addIssue,
			"the package's arguments (valueHint, name) or environment variables",
		);
	}),
);

const Repository = object({
	url: opt(uri),
	source: opt(str),
	id: opt(str),
	subfolder: opt(str),
});

const Icon = object({
	src: v.pipe(str, v.maxLength(255, "must be at most 255 characters"), httpsUrl),
	mimeType: opt(oneOf(ICON_MIME_TYPES)),
	sizes: opt(
		arrayOf(
			v.pipe(
				str,
				v.regex(ICON_SIZE, (issue) => `must be WxH or "any" (got ${quote(issue.input)})`),
			),
		),
	),
	theme: opt(oneOf(ICON_THEMES)),
});

export const ServerDocument = object({
	$schema: opt(uri),
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
		notLatest,
		notRange,
	),
	title: opt(
		v.pipe(
			str,
			v.minLength(1, "must be 1 to 100 characters"),
			v.maxLength(100, "must be 1 to 100 characters"),
		),
	),
	websiteUrl: opt(uri),
	repository: opt(Repository),
	icons: opt(arrayOf(Icon)),
	packages: opt(arrayOf(Package)),
	remotes: opt(arrayOf(Remote)),
	_meta: opt(
		v.looseObject(
			{ [PUBLISHER_PROVIDED]: opt(v.record(v.string(), v.unknown(), "expected an object")) },
			"expected an object",
		),
	),
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

/**
 * The constraints of server.json that real data breaks (measured on the fixtures): the entry is
 * kept and served, the count logged; `registry validate --strict` makes them errors.
 */
export function advisories(doc: Record<string, unknown>): FieldProblem[] {
	const out: FieldProblem[] = [];
	const schema = doc.$schema;
	if (schema === undefined) out.push({ field: "$schema", message: "is missing" });
	else if (typeof schema === "string" && !KNOWN_SCHEMAS.some((s) => schema.includes(s))) {
		const dated = /\/schemas\/(\d{4}-\d{2}-\d{2})\//.exec(schema)?.[1];
		out.push({
			field: "$schema",
			message:
				dated !== undefined && dated < (KNOWN_SCHEMAS[0] as string)
					? `is an older server.json schema (${dated}; current: ${KNOWN_SCHEMAS.join(", ")})`
					: `is not a known server.json schema (${KNOWN_SCHEMAS.join(", ")})`,
		});
	}
	const description = doc.description;
	if (description === "") out.push({ field: "description", message: "is empty" });
	else if (typeof description === "string" && description.length > 100) {
		out.push({ field: "description", message: "is longer than 100 characters" });
	}
	const repository = doc.repository as Record<string, unknown> | undefined;
	if (repository && (repository.url === undefined || repository.source === undefined)) {
		out.push({ field: "repository", message: "should have both url and source" });
	}
	return out;
}
