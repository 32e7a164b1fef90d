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

function textValue(value: unknown): string {
	if (value instanceof Error) return JSON.stringify(value.message);
	const s = typeof value === "string" ? value : JSON.stringify(value);
	return s !== undefined && /^[^\s"=]+$/.test(s) ? s : JSON.stringify(s ?? String(value));
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
			write(`${JSON.stringify(record)}\n`);
			return;
		}
		let line = `${time} ${level.toUpperCase().padEnd(5)} ${msg}`;
		for (const [k, v] of Object.entries(fields ?? {})) if (v !== undefined) line += ` ${k}=${textValue(v)}`;
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
