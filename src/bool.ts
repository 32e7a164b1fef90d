/**
 * Booleans as Go's strconv.ParseBool reads them, for environment variables and query
 * parameters alike (the upstream registry reads both with it).
 */

const SPELLINGS = new Map<string, boolean>([
	["1", true],
	["t", true],
	["T", true],
	["TRUE", true],
	["true", true],
	["True", true],
	["0", false],
	["f", false],
	["F", false],
	["FALSE", false],
	["false", false],
	["False", false],
]);

/**
 * `1 t T TRUE true True` → true, `0 f F FALSE false False` → false, anything else → undefined.
 * With `anyCase`, letters may be in any case (`tRuE`), as this registry's variables always took.
 */
export function parseBool(text: string, options: { anyCase?: boolean } = {}): boolean | undefined {
	return SPELLINGS.get(options.anyCase ? text.toLowerCase() : text);
}
