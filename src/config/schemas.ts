/**
 * The building blocks of the variables' schemas (variables.ts): each turns a variable's raw text
 * into its value or fails with what it accepts. Booleans as Go reads them, integers and seconds
 * in a range, byte sizes with units, listen addresses, http(s) URLs, bucket lists.
 */
import * as v from "valibot";
import { parseBool } from "../bool.ts";
import { STATUSES, type Status } from "../registry/snapshot.ts";

export interface ListenAddress {
	hostname: string;
	port: number;
}

export type VariableDoc = {
	/** Name without the MCP_REGISTRY_ prefix. */
	name: string;
	/** Default as the user would write it; undefined = unset. */
	default: string | undefined;
	/** What the variable accepts, for help text and errors. */
	accepts: string;
	description: string;
};

/** A variable's schema: raw text (trimmed; "" when unset without a default) → its value. */
export type TextSchema = v.GenericSchema<string, unknown>;

export function variable<S extends TextSchema>(doc: VariableDoc, schema: S) {
	return v.pipe(schema, v.metadata(doc));
}

export const bool = v.pipe(
	v.string(),
	v.transform((s) => parseBool(s, { anyCase: true })),
	v.boolean(),
);

export function integer(min: number, max: number) {
	return v.pipe(
		v.string(),
		v.regex(/^\+?\d+$/),
		v.transform(Number),
		v.number(),
		v.minValue(min),
		v.maxValue(max),
	);
}

/** Seconds with an optional fraction (`0.5`), from more than 0 to `max`. */
export function seconds(max: number) {
	return v.pipe(
		v.string(),
		v.regex(/^\+?(\d+(\.\d*)?|\.\d+)$/),
		v.transform(Number),
		v.number(),
		v.gtValue(0),
		v.maxValue(max),
	);
}

/** "" (unset) → undefined; anything else must pass `schema`. */
export function unsetOr<S extends TextSchema>(schema: S) {
	return v.union([
		v.pipe(
			v.literal(""),
			v.transform(() => undefined),
		),
		schema,
	]);
}

export const optionalText = v.pipe(
	v.string(),
	v.transform((s) => (s === "" ? undefined : s)),
);

export const UNITS: Record<string, number> = {
	"": 1,
	b: 1,
	k: 1024,
	kb: 1000,
	kib: 1024,
	m: 1024 ** 2,
	mb: 1000 ** 2,
	mib: 1024 ** 2,
	g: 1024 ** 3,
	gb: 1000 ** 3,
	gib: 1024 ** 3,
};

export const byteSize = v.pipe(
	v.string(),
	v.regex(/^\d+\s*[a-zA-Z]{0,3}$/),
	v.transform((s) => {
		const m = /^(\d+)\s*([a-zA-Z]*)$/.exec(s);
		const unit = UNITS[(m?.[2] ?? "").toLowerCase()];
		return unit === undefined ? Number.NaN : Number(m?.[1]) * unit;
	}),
	v.number(),
	v.check((n) => Number.isSafeInteger(n) && n >= 1),
);

export const address = v.pipe(
	v.string(),
	v.rawTransform(({ dataset, addIssue, NEVER }): ListenAddress => {
		const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(dataset.value.trim());
		const port = Number(m?.[3]);
		if (!m || port > 65535) {
			addIssue();
			return NEVER;
		}
		return { hostname: m[1] ?? (m[2] || "0.0.0.0"), port };
	}),
);

export const httpUrl = v.pipe(
	v.string(),
	v.check((s) => {
		try {
			const u = new URL(s);
			return u.protocol === "https:" || u.protocol === "http:";
		} catch {
			return false;
		}
	}),
);

export const bucketList = v.pipe(
	v.string(),
	v.transform((s) =>
		s
			.split(",")
			.map((b) => b.trim())
			.filter((b) => b !== ""),
	),
	v.check((list) => list.every((b) => /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(b))),
	v.transform((list) => (list.length === 0 ? undefined : list)),
);

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
const GLOB_REFUSED = /[\u0000-\u001f\u007f\s]/;

/** Comma-separated name globs (none: an empty list). */
export const globList = v.pipe(
	v.string(),
	v.transform((s) =>
		s
			.split(",")
			.map((g) => g.trim())
			.filter((g) => g !== ""),
	),
	// A glob is a name pattern: no control characters or spaces, which no name holds.
	v.check((list) => list.every((g) => g.length <= 200 && !GLOB_REFUSED.test(g))),
);

/** Comma-separated statuses of entries, at least one. */
export const statusList = v.pipe(
	v.string(),
	v.transform((s) =>
		s
			.split(",")
			.map((x) => x.trim().toLowerCase())
			.filter((x) => x !== ""),
	),
	v.check((list) => list.length > 0 && list.every((x) => (STATUSES as readonly string[]).includes(x))),
	v.transform((list) => list as Status[]),
);

/** Every variable, keyed by its Config field, in the order --help and the README list them. */
