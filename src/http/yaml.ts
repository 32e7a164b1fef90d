/** JSON-compatible values as block-style YAML. Strings are double-quoted where YAML could misread them. */

const PLAIN = /^[A-Za-z_/][A-Za-z0-9 _./()-]*$/;
const RESERVED = /^(true|false|null|yes|no|on|off|y|n|~)$/i;

function scalar(value: unknown): string {
	if (value === null) return "null";
	if (typeof value === "string") {
		return PLAIN.test(value) && !RESERVED.test(value) && !value.endsWith(" ") ? value : JSON.stringify(value);
	}
	return JSON.stringify(value);
}

function key(k: string): string {
	return PLAIN.test(k) && !RESERVED.test(k) ? k : JSON.stringify(k);
}

function emit(value: unknown, indent: string, out: string[]): void {
	if (Array.isArray(value)) {
		for (const item of value) {
			if (item !== null && typeof item === "object" && Object.keys(item).length > 0) {
				const lines: string[] = [];
				emit(item, `${indent}  `, lines);
				out.push(`${indent}- ${(lines[0] as string).trimStart()}`, ...lines.slice(1));
			} else out.push(`${indent}- ${inline(item)}`);
		}
		return;
	}
	for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
		if (v !== null && typeof v === "object" && Object.keys(v).length > 0) {
			out.push(`${indent}${key(k)}:`);
			emit(v, Array.isArray(v) ? indent : `${indent}  `, out);
		} else out.push(`${indent}${key(k)}: ${inline(v)}`);
	}
}

function inline(v: unknown): string {
	if (Array.isArray(v)) return "[]";
	if (v !== null && typeof v === "object") return "{}";
	return scalar(v);
}

export function toYaml(value: unknown): string {
	const out: string[] = [];
	emit(value, "", out);
	return `${out.join("\n")}\n`;
}
