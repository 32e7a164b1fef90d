/**
 * Secrets kept out of what is shown: the user information of a URL (`http://user:pass@host/` →
 * `http://***@host/`). One rule for every place a URL is logged, put in an error or shown by
 * /health: the seed URL, configuration errors, AWS endpoint overrides.
 */

export const REDACTED = "***";

/** scheme://userinfo@ — the authority ends at the first / ? # or \ ; its last @ ends the userinfo. */
const LEADING_USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#\\]*@/i;
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** `user:pass@host:port`, written without a scheme (a colon before the @: not a file name). */
const BARE_USERINFO = /^[^/?#\\\s:@]*:[^/?#\\\s]*@/;

/**
 * A URL (or what was meant to be one) with its user information replaced by `***`; anything
 * else as it is. A value that is not a valid URL is redacted up to its last `@`: better too much
 * than a password.
 */
export function redactUrl(url: string | URL): string {
	const text = String(url);
	if (LEADING_USERINFO.test(text)) return text.replace(LEADING_USERINFO, `$1${REDACTED}@`);
	const scheme = SCHEME.exec(text);
	if (!scheme) return text.replace(BARE_USERINFO, `${REDACTED}@`);
	if (!URL.canParse(text)) {
		const at = text.lastIndexOf("@");
		if (at > scheme[0].length) return `${scheme[0]}${REDACTED}${text.slice(at)}`;
	}
	return text;
}

/** Every URL-like word in a text (an error message naming URLs): from its scheme to a space or quote. */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]*/gi;

/**
 * A text with the user information of every URL in it replaced by `***`. A password may hold
 * `/`, `?` or `#` unencoded (then the URL is not valid, and a parser would stop there): such a
 * word is redacted up to its last `@`, as redactUrl does.
 */
export function redactText(text: string): string {
	return text.replace(URL_IN_TEXT, (word) => redactUrl(word));
}

/** Query parameters of the registry API: what a URL's query may show; any other value may be a key. */
const API_PARAMETERS = new Set(["limit", "cursor", "updated_since", "include_deleted", "version", "search"]);

/**
 * A registry URL as it may be shown and recorded (in logs, errors, and the source a pulled entry
 * names): without user information, and with the value of every query parameter that is not one
 * of the API's replaced by `***` (`?api_key=…` is a secret, `?limit=100` is not).
 */
export function redactRegistryUrl(url: string | URL): string {
	const text = redactUrl(url);
	if (!URL.canParse(text)) return text;
	const u = new URL(text);
	let hidden = false;
	for (const [name] of u.searchParams) {
		if (!API_PARAMETERS.has(name)) {
			u.searchParams.set(name, REDACTED);
			hidden = true;
		}
	}
	return hidden ? u.href.replaceAll(encodeURIComponent(REDACTED), REDACTED) : text;
}
