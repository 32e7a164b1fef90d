/**
 * The parts of a served entry the UI reads (server.json and its official metadata), read
 * defensively: the loader has validated the entry, but a field the UI does not know stays
 * unread and a field of an unexpected type reads as absent, never as an error.
 */
import { OFFICIAL_META } from "./constants.ts";

export interface Input {
	description?: string;
	isRequired?: boolean;
	isSecret?: boolean;
	format?: string;
	value?: string;
	default?: string;
	placeholder?: string;
	choices?: string[];
	variables?: Record<string, Input>;
}

export interface Argument extends Input {
	type: "positional" | "named";
	name?: string;
	valueHint?: string;
	isRepeated?: boolean;
}

export interface KeyValue extends Input {
	name: string;
}

export interface Transport {
	type: string;
	url?: string;
	headers: KeyValue[];
}

export interface Package {
	registryType: string;
	registryBaseUrl?: string;
	identifier: string;
	version?: string;
	runtimeHint?: string;
	transport: Transport;
	runtimeArguments: Argument[];
	packageArguments: Argument[];
	environmentVariables: KeyValue[];
}

export interface Remote {
	type: string;
	url: string;
	headers: KeyValue[];
	variables?: Record<string, Input>;
}

export interface Icon {
	src: string;
	theme?: string;
}

export interface ServerDoc {
	name: string;
	title?: string;
	description: string;
	version: string;
	websiteUrl?: string;
	repository?: { url?: string; source?: string; subfolder?: string };
	icons: Icon[];
	packages: Package[];
	remotes: Remote[];
}

export interface Official {
	status: string;
	statusMessage?: string;
	publishedAt?: string;
	updatedAt?: string;
	isLatest?: boolean;
}

export interface Entry {
	server: ServerDoc;
	official: Official;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === "boolean" ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function readInput(o: Obj): Input {
	const input: Input = {};
	const description = str(o.description);
	if (description !== undefined) input.description = description;
	const isRequired = bool(o.isRequired);
	if (isRequired !== undefined) input.isRequired = isRequired;
	const isSecret = bool(o.isSecret);
	if (isSecret !== undefined) input.isSecret = isSecret;
	const format = str(o.format);
	if (format !== undefined) input.format = format;
	const value = str(o.value);
	if (value !== undefined) input.value = value;
	const def = str(o.default);
	if (def !== undefined) input.default = def;
	const placeholder = str(o.placeholder);
	if (placeholder !== undefined) input.placeholder = placeholder;
	const choices = list(o.choices).filter((c): c is string => typeof c === "string");
	if (choices.length > 0) input.choices = choices;
	if (isObj(o.variables)) {
		const variables: Record<string, Input> = {};
		for (const [k, v] of Object.entries(o.variables)) if (isObj(v)) variables[k] = readInput(v);
		input.variables = variables;
	}
	return input;
}

function readArgument(v: unknown): Argument | undefined {
	if (!isObj(v)) return undefined;
	const type = v.type === "named" ? "named" : v.type === "positional" ? "positional" : undefined;
	if (!type) return undefined;
	const arg: Argument = { ...readInput(v), type };
	const name = str(v.name);
	if (name !== undefined) arg.name = name;
	const valueHint = str(v.valueHint);
	if (valueHint !== undefined) arg.valueHint = valueHint;
	const isRepeated = bool(v.isRepeated);
	if (isRepeated !== undefined) arg.isRepeated = isRepeated;
	if (type === "named" && !arg.name) return undefined;
	return arg;
}

function readKeyValues(v: unknown): KeyValue[] {
	const out: KeyValue[] = [];
	for (const item of list(v)) {
		if (!isObj(item)) continue;
		const name = str(item.name);
		if (name) out.push({ ...readInput(item), name });
	}
	return out;
}

function readTransport(v: unknown): Transport {
	if (!isObj(v)) return { type: "stdio", headers: [] };
	const t: Transport = { type: str(v.type) ?? "stdio", headers: readKeyValues(v.headers) };
	const url = str(v.url);
	if (url !== undefined) t.url = url;
	return t;
}

function readPackage(v: unknown): Package | undefined {
	if (!isObj(v)) return undefined;
	const registryType = str(v.registryType);
	const identifier = str(v.identifier);
	if (!registryType || !identifier) return undefined;
	const p: Package = {
		registryType,
		identifier,
		transport: readTransport(v.transport),
		runtimeArguments: list(v.runtimeArguments).flatMap((a) => readArgument(a) ?? []),
		packageArguments: list(v.packageArguments).flatMap((a) => readArgument(a) ?? []),
		environmentVariables: readKeyValues(v.environmentVariables),
	};
	const registryBaseUrl = str(v.registryBaseUrl);
	if (registryBaseUrl !== undefined) p.registryBaseUrl = registryBaseUrl;
	const version = str(v.version);
	if (version !== undefined && version !== "") p.version = version;
	const runtimeHint = str(v.runtimeHint);
	if (runtimeHint !== undefined && runtimeHint.trim() !== "") p.runtimeHint = runtimeHint.trim();
	return p;
}

function readRemote(v: unknown): Remote | undefined {
	if (!isObj(v)) return undefined;
	const type = str(v.type);
	const url = str(v.url);
	if (!type || !url) return undefined;
	const r: Remote = { type, url, headers: readKeyValues(v.headers) };
	if (isObj(v.variables)) {
		const variables: Record<string, Input> = {};
		for (const [k, x] of Object.entries(v.variables)) if (isObj(x)) variables[k] = readInput(x);
		r.variables = variables;
	}
	return r;
}

/** The server document of an entry (`server` of a ServerResponse), read for the UI. */
export function readServer(v: unknown): ServerDoc {
	const o = isObj(v) ? v : {};
	const doc: ServerDoc = {
		name: str(o.name) ?? "",
		description: str(o.description) ?? "",
		version: str(o.version) ?? "",
		icons: list(o.icons).flatMap((i) =>
			isObj(i) && typeof i.src === "string"
				? [{ src: i.src, ...(typeof i.theme === "string" ? { theme: i.theme } : {}) }]
				: [],
		),
		packages: list(o.packages).flatMap((p) => readPackage(p) ?? []),
		remotes: list(o.remotes).flatMap((r) => readRemote(r) ?? []),
	};
	const title = str(o.title);
	if (title !== undefined && title.trim() !== "") doc.title = title;
	const websiteUrl = str(o.websiteUrl);
	if (websiteUrl !== undefined) doc.websiteUrl = websiteUrl;
	if (isObj(o.repository)) {
		const r = o.repository;
		doc.repository = {
			...(typeof r.url === "string" ? { url: r.url } : {}),
			...(typeof r.source === "string" ? { source: r.source } : {}),
			...(typeof r.subfolder === "string" ? { subfolder: r.subfolder } : {}),
		};
	}
	return doc;
}

function readOfficial(v: unknown): Official {
	const o = isObj(v) ? v : {};
	const official: Official = { status: str(o.status) ?? "active" };
	const statusMessage = str(o.statusMessage);
	if (statusMessage !== undefined && statusMessage !== "") official.statusMessage = statusMessage;
	const publishedAt = str(o.publishedAt);
	if (publishedAt !== undefined) official.publishedAt = publishedAt;
	const updatedAt = str(o.updatedAt);
	if (updatedAt !== undefined) official.updatedAt = updatedAt;
	const isLatest = bool(o.isLatest);
	if (isLatest !== undefined) official.isLatest = isLatest;
	return official;
}

const decoder = new TextDecoder();

/** One served entry (the ServerResponse JSON the API sends), read for the UI. */
export function readEntry(bytes: Uint8Array): Entry {
	const o = JSON.parse(decoder.decode(bytes)) as unknown;
	const item = isObj(o) ? o : {};
	const meta = isObj(item._meta) ? item._meta : {};
	return { server: readServer(item.server), official: readOfficial(meta[OFFICIAL_META]) };
}
