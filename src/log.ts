/**
 * One logger for the whole process. Text lines for people, one JSON object per line for
 * machines; the message text is the same in both, so operators can grep either.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFormat = "text" | "json";
export type LogFields = Record<string, unknown>;

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
	debug(msg: string, fields?: LogFields): void;
	info(msg: string, fields?: LogFields): void;
	warn(msg: string, fields?: LogFields): void;
	error(msg: string, fields?: LogFields): void;
}

export interface LoggerOptions {
	format?: LogFormat;
	level?: LogLevel;
	write?: (line: string) => void;
}

/** C0 (with \n \r \t), DEL, C1 and the Unicode line and paragraph separators. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * What escapeControl escapes: the control characters, and the bidirectional formatting ones
 * (U+061C, U+200E/F, U+202A-E, U+2066-9), which reorder what a terminal or a page shows: a
 * name cannot make the text around it read otherwise than it is.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose
const ESCAPED = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Where the first control character of `text` is (C0, DEL, C1, U+2028/2029), or -1. */
export function firstControlCharacter(text: string): number {
	return text.search(CONTROL);
}

const SHORT: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * Text with every control character written as an escape (`\n`, `\u001b`): what comes from
 * outside (a message body, an object key, a file's entry) cannot end a log line and forge the
 * next, nor drive the terminal, nor turn text around (bidi overrides). Backslashes are left as
 * they are.
 */
export function escapeControl(text: string): string {
	return text.replace(ESCAPED, (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A text of several lines (a loader's report), each line escaped, the line breaks kept. */
export function escapeLines(text: string): string {
	return text.split("\n").map(escapeControl).join("\n");
}

/** JSON text with what JSON allows raw (DEL, C1, U+2028/2029) escaped too: still the same JSON. */
function safeJson(value: unknown): string {
	return escapeControl(JSON.stringify(value));
}

function textValue(value: unknown): string {
	if (value instanceof Error) return safeJson(value.message);
	const s = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
	return /^[^\s"=]+$/.test(s) && s.search(ESCAPED) < 0 ? s : safeJson(s);
}

function jsonValue(value: unknown): unknown {
	return value instanceof Error ? value.message : value;
}

export function createLogger(options: LoggerOptions = {}): Logger {
	const format = options.format ?? "text";
	const min = rank[options.level ?? "info"];
	const write = options.write ?? ((line: string) => process.stderr.write(line));
	const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
		if (rank[level] < min) return;
		const time = new Date().toISOString();
		if (format === "json") {
			const record: Record<string, unknown> = { time, level, msg };
			for (const [k, v] of Object.entries(fields ?? {})) if (v !== undefined) record[k] = jsonValue(v);
			write(`${safeJson(record)}\n`);
			return;
		}
		// Messages are built by interpolation: the whole text is escaped (none has a line break of its own).
		let line = `${time} ${level.toUpperCase().padEnd(5)} ${escapeControl(msg)}`;
		for (const [k, v] of Object.entries(fields ?? {})) {
			if (v !== undefined) line += ` ${escapeControl(k)}=${textValue(v)}`;
		}
		write(`${line}\n`);
	};
	return {
		debug: (msg, fields) => emit("debug", msg, fields),
		info: (msg, fields) => emit("info", msg, fields),
		warn: (msg, fields) => emit("warn", msg, fields),
		error: (msg, fields) => emit("error", msg, fields),
	};
}

/** A logger that drops everything: for tests and library use. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
