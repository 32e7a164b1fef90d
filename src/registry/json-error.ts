/**
 * Where a JSON text goes wrong. JSON.parse in JavaScriptCore reports no position, and an
 * operator with a broken 50 MB file needs one; this scanner runs only after a parse failed.
 */

export interface JsonSyntaxError {
	offset: number;
	line: number;
	column: number;
	message: string;
}

function position(text: string, offset: number): { line: number; column: number } {
	let line = 1;
	let lineStart = 0;
	for (let i = 0; i < offset && i < text.length; i++) {
		if (text.charCodeAt(i) === 10) {
			line++;
			lineStart = i + 1;
		}
	}
	return { line, column: offset - lineStart + 1 };
}

function describeChar(text: string, i: number): string {
	if (i >= text.length) return "unexpected end of input";
	const c = text[i] as string;
	return `unexpected character ${JSON.stringify(c)}`;
}

/** The first syntax error in `text`, or undefined when it is valid JSON. */
export function findJsonError(text: string): JsonSyntaxError | undefined {
	let i = 0;
	const n = text.length;
	const fail = (offset: number, message: string): JsonSyntaxError => ({
		offset,
		...position(text, offset),
		message,
	});
	const ws = () => {
		while (i < n) {
			const c = text.charCodeAt(i);
			if (c === 32 || c === 9 || c === 10 || c === 13) i++;
			else break;
		}
	};
	const str = (): JsonSyntaxError | undefined => {
		i++; // opening quote
		while (i < n) {
			const c = text.charCodeAt(i);
			if (c === 34) {
				i++;
				return undefined;
			}
			if (c < 32) return fail(i, "control character in string");
			if (c === 92) {
				const e = text[i + 1];
				if (e === "u") {
					if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return fail(i, "invalid \\u escape");
					i += 6;
				} else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
				else return fail(i, "invalid escape in string");
			} else i++;
		}
		return fail(n, "unterminated string");
	};
	const num = (): JsonSyntaxError | undefined => {
		const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
		if (!m || m[0] === "" || m[0] === "-") return fail(i, "invalid number");
		i += m[0].length;
		return undefined;
	};
	// Iterative descent: a stack of open containers, so deep nesting cannot overflow.
	const stack: ("[" | "{")[] = [];
	const value = (): JsonSyntaxError | undefined => {
		ws();
		const c = text[i];
		if (c === "{" || c === "[") {
			stack.push(c);
			i++;
			ws();
			if (text[i] === (c === "{" ? "}" : "]")) {
				stack.pop();
				i++;
				return undefined;
			}
			return c === "{" ? key() : value();
		}
		if (c === '"') return str();
		if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return num();
		for (const lit of ["true", "false", "null"]) {
			if (text.startsWith(lit, i)) {
				i += lit.length;
				return undefined;
			}
		}
		return fail(i, describeChar(text, i));
	};
	const key = (): JsonSyntaxError | undefined => {
		ws();
		if (text[i] !== '"') return fail(i, `${describeChar(text, i)}, expected a property name`);
		const e = str();
		if (e) return e;
		ws();
		if (text[i] !== ":") return fail(i, `${describeChar(text, i)}, expected ":"`);
		i++;
		return value();
	};
	let err = value();
	while (!err) {
		ws();
		const top = stack[stack.length - 1];
		if (top === undefined) break;
		const close = top === "{" ? "}" : "]";
		if (text[i] === ",") {
			i++;
			err = top === "{" ? key() : value();
		} else if (text[i] === close) {
			stack.pop();
			i++;
		} else {
			err = fail(i, `${describeChar(text, i)}, expected "," or "${close}"`);
		}
	}
	if (err) return err;
	ws();
	if (i < n) return fail(i, `${describeChar(text, i)} after the JSON value`);
	return undefined;
}
