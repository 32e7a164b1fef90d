/**
 * The common case of schema.ts, checked without valibot: `isPlainValidServerDocument(doc)` is true
 * only when `validateServerDocument(doc)` would find no error. It never allocates and reads each
 * field once, where valibot copies every object it checks and builds a dataset per value; on a
 * 50,000-entry file that is most of a load's time. Anything it is not sure of (an error, but also
 * an array where an object is expected, or an object key valibot treats specially) answers
 * false, and the caller asks valibot, whose messages are the ones reported. The two are compared
 * on real and mutated documents by test/unit/schema-fast.test.ts.
 */
import {
	ARGUMENT_TYPES,
	hasControlCharacter,
	ICON_MIME_TYPES,
	ICON_THEMES,
	INPUT_FORMATS,
	isHttpUrl,
	isUri,
	isUrlTemplate,
	isVersionRange,
	NAME_PATTERN,
	REGISTRY_TYPES,
	REMOTE_TYPES,
	TRANSPORT_TYPES,
	templateVariables,
} from "./schema.ts";

type Obj = Record<string, unknown>;

const SHA256 = /^[a-f0-9]{64}$/;
const ICON_SIZE = /^(\d+x\d+|any)$/;
const PUBLISHER_PROVIDED = "io.modelcontextprotocol.registry/publisher-provided";

const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);
const optStr = (x: unknown) => x === undefined || typeof x === "string";
const optBool = (x: unknown) => x === undefined || typeof x === "boolean";
const oneOf = (values: readonly string[], x: unknown) => typeof x === "string" && values.includes(x);
const optOneOf = (values: readonly string[], x: unknown) => x === undefined || oneOf(values, x);

/** Keys valibot's record and looseObject leave out of what they output (and what checks then read). */
const special = (key: string) => key === "__proto__" || key === "prototype" || key === "constructor";

/** The last URL found to be a URI: most entries of a file share their `$schema`. */
let lastUri = "";

function uri(x: unknown): boolean {
	if (typeof x !== "string") return false;
	if (x === lastUri) return true;
	if (!isUri(x)) return false;
	lastUri = x;
	return true;
}

const optUri = (x: unknown) => x === undefined || uri(x);

function optArray(x: unknown, item: (o: unknown) => boolean): boolean {
	if (x === undefined) return true;
	if (!Array.isArray(x)) return false;
	for (let i = 0; i < x.length; i++) if (!item(x[i])) return false;
	return true;
}

const isString = (x: unknown) => typeof x === "string";

function inputFields(o: Obj): boolean {
	return (
		optStr(o.description) &&
		optBool(o.isRequired) &&
		optOneOf(INPUT_FORMATS, o.format) &&
		optStr(o.value) &&
		optBool(o.isSecret) &&
		optStr(o.default) &&
		optStr(o.placeholder) &&
		optArray(o.choices, isString)
	);
}

const input = (x: unknown) => isObj(x) && inputFields(x);

function variables(x: unknown): boolean {
	if (x === undefined) return true;
	if (!isObj(x)) return false;
	for (const key in x) {
		if (special(key) || !input(x[key])) return false;
	}
	return true;
}

function keyValueInput(x: unknown): boolean {
	return isObj(x) && inputFields(x) && variables(x.variables) && typeof x.name === "string";
}

function argument(x: unknown): boolean {
	if (!isObj(x) || !inputFields(x) || !variables(x.variables)) return false;
	const { type, name, valueHint } = x;
	if (!oneOf(ARGUMENT_TYPES, type) || !optStr(name) || !optStr(valueHint) || !optBool(x.isRepeated))
		return false;
	if (type === "named" && name === undefined) return false;
	return !(type === "positional" && valueHint === undefined && x.value === undefined);
}

/** Every `{variable}` of `url` is in `declared` (or empty). */
function declaredIn(url: unknown, declared: (name: string) => boolean): boolean {
	if (typeof url !== "string" || !url.includes("{")) return true;
	for (const name of templateVariables(url)) if (name !== "" && !declared(name)) return false;
	return true;
}

function transport(x: unknown): boolean {
	if (!isObj(x)) return false;
	const { type, url } = x;
	if (!oneOf(TRANSPORT_TYPES, type)) return false;
	if (url === undefined) {
		if (type === "streamable-http" || type === "sse") return false;
	} else if (typeof url !== "string" || !isUrlTemplate(url)) return false;
	return optArray(x.headers, keyValueInput);
}

function remote(x: unknown): boolean {
	if (!isObj(x) || !oneOf(REMOTE_TYPES, x.type)) return false;
	const { url } = x;
	if (typeof url !== "string" || !isUrlTemplate(url)) return false;
	if (!optArray(x.headers, keyValueInput) || !variables(x.variables)) return false;
	const vars = x.variables as Obj | undefined;
	return declaredIn(url, (name) => vars !== undefined && Object.hasOwn(vars, name));
}

/** As schema.ts's packageVariables: what a package transport's `{var}` may name. */
function packageDeclares(p: Obj, name: string): boolean {
	for (const list of [p.runtimeArguments, p.packageArguments, p.environmentVariables]) {
		for (const a of (list as Obj[] | undefined) ?? []) {
			for (const key of ["valueHint", "name"]) {
				const s = a[key];
				if (typeof s === "string" && (s === name || s.replace(/^-+/, "") === name)) return true;
			}
		}
	}
	return false;
}

function pkg(x: unknown): boolean {
	if (!isObj(x)) return false;
	const { registryType, identifier, version } = x;
	if (!oneOf(REGISTRY_TYPES, registryType)) return false;
	if (typeof identifier !== "string" || identifier.length < 1) return false;
	if (!transport(x.transport)) return false;
	if (version !== undefined) {
		if (typeof version !== "string" || version.length < 1 || version === "latest" || isVersionRange(version))
			return false;
	}
	if (!optUri(x.registryBaseUrl)) return false;
	const sha = x.fileSha256;
	if (sha !== undefined && (typeof sha !== "string" || !SHA256.test(sha))) return false;
	if (!optStr(x.runtimeHint)) return false;
	if (!optArray(x.runtimeArguments, argument) || !optArray(x.packageArguments, argument)) return false;
	if (!optArray(x.environmentVariables, keyValueInput)) return false;
	if (x.executable !== undefined && registryType !== "npm") return false;
	return declaredIn((x.transport as Obj).url, (name) => packageDeclares(x, name));
}

function repository(x: unknown): boolean {
	return isObj(x) && optUri(x.url) && optStr(x.source) && optStr(x.id) && optStr(x.subfolder);
}

function icon(x: unknown): boolean {
	if (!isObj(x)) return false;
	const { src } = x;
	if (typeof src !== "string" || src.length > 255 || !isHttpUrl(src, true)) return false;
	if (!optOneOf(ICON_MIME_TYPES, x.mimeType) || !optOneOf(ICON_THEMES, x.theme)) return false;
	return optArray(x.sizes, (s) => typeof s === "string" && ICON_SIZE.test(s));
}

/**
 * True only when the document has no error by schema.ts's ServerDocument (false: it may have;
 * ask validateServerDocument).
 */
export function isPlainValidServerDocument(doc: unknown): boolean {
	if (!isObj(doc)) return false;
	const { name, version, title } = doc;
	if (typeof name !== "string" || name.length < 3 || name.length > 200) return false;
	if (hasControlCharacter(name) || !NAME_PATTERN.test(name)) return false;
	if (typeof doc.description !== "string") return false;
	if (typeof version !== "string" || version.length < 1 || version.length > 255) return false;
	if (hasControlCharacter(version) || version === "latest" || isVersionRange(version)) return false;
	if (title !== undefined && (typeof title !== "string" || title.length < 1 || title.length > 100))
		return false;
	if (!optUri(doc.$schema) || !optUri(doc.websiteUrl)) return false;
	if (doc.repository !== undefined && !repository(doc.repository)) return false;
	if (!optArray(doc.icons, icon) || !optArray(doc.packages, pkg) || !optArray(doc.remotes, remote))
		return false;
	const meta = doc._meta;
	if (meta !== undefined) {
		if (!isObj(meta)) return false;
		const provided = meta[PUBLISHER_PROVIDED];
		if (provided !== undefined && !isObj(provided)) return false;
	}
	return true;
}
