/**
 * The logger (sync spec, "Logs cannot be forged"): a text line is one line whatever the message
 * and the field values carry — control characters (C0, DEL, C1, U+2028/2029) are escaped — and a
 * JSON line is one JSON object that gives the message back exactly.
 */
import { describe, expect, test } from "bun:test";
import { createLogger, escapeControl, type LogFormat } from "../../src/log.ts";

function capture(format: LogFormat) {
	const lines: string[] = [];
	const log = createLogger({ format, level: "debug", write: (line) => void lines.push(line) });
	return { log, lines };
}

/** Every character a log line must not carry raw, each with the escape a text line shows. */
const CONTROLS: [string, string][] = [
	["\n", "\\n"],
	["\r", "\\r"],
	["\t", "\\t"],
	["\u0000", "\\u0000"],
	["\u0008", "\\u0008"],
	["\u000b", "\\u000b"],
	["\u000c", "\\u000c"],
	["\u001b", "\\u001b"],
	["\u007f", "\\u007f"],
	["\u0085", "\\u0085"],
	["\u009b", "\\u009b"],
	["\u2028", "\\u2028"],
	["\u2029", "\\u2029"],
];

/** Whether `s` has a control character (C0, DEL, C1, U+2028/2029) written raw. */
function hasRawControl(s: string): boolean {
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029) return true;
	}
	return false;
}
const LINE_START = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO |WARN |ERROR) /;

const FORGED = "s3://registry/x\n2026-01-01T00:00:00.000Z INFO  Database reloaded successfully";

describe("escapeControl", () => {
	test("escapes every control character and the Unicode line separators; leaves the rest", () => {
		for (const [c, shown] of CONTROLS) expect(escapeControl(`a${c}b`)).toBe(`a${shown}b`);
		expect(escapeControl('plain text: ünï ✓ "quoted" back\\slash')).toBe(
			'plain text: ünï ✓ "quoted" back\\slash',
		);
	});
});

describe("text format", () => {
	test("a message with a newline stays one line; the forged text is not a line of its own", () => {
		const { log, lines } = capture("text");
		log.info(`Downloading ${FORGED} to data/registry.json`);
		expect(lines).toHaveLength(1);
		const line = lines[0] as string;
		expect(line.endsWith("\n")).toBe(true);
		expect(line.slice(0, -1)).not.toContain("\n");
		expect(line).toMatch(LINE_START);
		expect(line).toContain(
			"INFO  Downloading s3://registry/x\\n2026-01-01T00:00:00.000Z INFO  Database reloaded successfully to",
		);
	});

	test("every control character in the message is escaped", () => {
		for (const [c, shown] of CONTROLS) {
			const { log, lines } = capture("text");
			log.warn(`before${c}after`);
			const line = (lines[0] as string).slice(0, -1);
			expect(hasRawControl(line)).toBe(false);
			expect(line).toEndWith(`WARN  before${shown}after`);
		}
	});

	test("every control character in a field value is escaped, in strings, errors and objects", () => {
		// A quoted field value is JSON text: it parses back to the value.
		const field = (line: string, name: string) =>
			JSON.parse(new RegExp(` ${name}=("(?:[^"\\\\]|\\\\.)*")`).exec(line)?.[1] ?? "null");
		for (const [c] of CONTROLS) {
			const { log, lines } = capture("text");
			log.error("failed", {
				key: `k${c}x`,
				error: new Error(`boom${c}x`),
				detail: { name: `n${c}x` },
				list: [`l${c}x`],
			});
			const line = (lines[0] as string).slice(0, -1);
			expect(hasRawControl(line)).toBe(false);
			expect(field(line, "key")).toBe(`k${c}x`);
			expect(field(line, "error")).toBe(`boom${c}x`);
			// An object is JSON text, quoted again as a field value.
			expect(JSON.parse(field(line, "detail"))).toEqual({ name: `n${c}x` });
			expect(JSON.parse(field(line, "list"))).toEqual([`l${c}x`]);
		}
	});

	test("a field value with a newline cannot start a line", () => {
		const { log, lines } = capture("text");
		log.info("Received SQS message: m-1", { body: FORGED });
		expect(lines).toHaveLength(1);
		expect((lines[0] as string).slice(0, -1).split("\n")).toHaveLength(1);
	});

	test("plain values stay unquoted; values with spaces, quotes or = are quoted", () => {
		const { log, lines } = capture("text");
		log.info("Loaded 2 entries", { shape: "api", ms: 12, skipped: undefined, path: "a b", eq: "x=y" });
		expect(lines[0]).toMatch(/ INFO {2}Loaded 2 entries shape=api ms=12 path="a b" eq="x=y"\n$/);
	});
});

describe("json format", () => {
	test("each line is one JSON object that gives the message and the fields back exactly", () => {
		for (const [c] of [...CONTROLS, [FORGED, ""] as [string, string]]) {
			const { log, lines } = capture("json");
			log.info(`m${c}m`, { key: `k${c}k`, error: new Error(`e${c}e`) });
			expect(lines).toHaveLength(1);
			const line = lines[0] as string;
			expect(line.endsWith("\n")).toBe(true);
			// Not even the characters JSON allows raw (DEL, C1, U+2028/2029) are written raw.
			expect(hasRawControl(line.slice(0, -1))).toBe(false);
			const record = JSON.parse(line) as Record<string, unknown>;
			expect(record.level).toBe("info");
			expect(record.msg).toBe(`m${c}m`);
			expect(record.key).toBe(`k${c}k`);
			expect(record.error).toBe(`e${c}e`);
		}
	});
});

describe("bidirectional formatting characters", () => {
	test("are escaped like control characters: a name cannot turn the text around it", () => {
		expect(escapeControl("evil\u202egnp.exe")).toBe("evil\\u202egnp.exe");
		expect(escapeControl("a\u2066b\u2069c\u200fd\u061c")).toBe("a\\u2066b\\u2069c\\u200fd\\u061c");
		const lines: string[] = [];
		const log = createLogger({ format: "text", write: (l) => void lines.push(l) });
		log.info("x", { name: "a\u202eb" });
		expect(lines[0]).toContain('name="a\\u202eb"');
	});
});
