/**
 * The router: the route table (routes.ts) compiled once under its prefixes, and a request's
 * method and raw path matched against it. Paths are matched still percent-encoded, so `%2F`
 * never splits a segment; a `{param}` matches one non-empty segment, handed back undecoded.
 */
import { allowedMethods, type HandlerName, PREFIXES, ROUTES, type RouteDef } from "./routes.ts";

export type RouteMatch =
	/** An operation answers (HEAD by the GET one): its handler, with the path parameters. */
	| { kind: "handler"; template: string; handler: HandlerName; params: string[] }
	/** OPTIONS on a known path (a CORS preflight is answered before routing): 204 with Allow. */
	| { kind: "options"; template: string; allow: string }
	/** A known path without this method: 405 with Allow. */
	| { kind: "method-not-allowed"; template: string; allow: string }
	/** No route has this path. */
	| { kind: "unmatched" };

export interface Router {
	/** Every path template served, in table order (a versioned route once per prefix). */
	readonly templates: string[];
	match(method: string, path: string): RouteMatch;
}

interface Compiled {
	route: RouteDef;
	template: string;
	/** Literal segments, null for a `{param}`. */
	segments: (string | null)[];
}

/**
 * The raw path and query of a request URL, still percent-encoded; query undefined without a "?".
 * Routing never depends on the Host: the URL may be
 * - relative, the request target as it came (Bun, for a request without a usable Host);
 * - absolute, `scheme://authority/path?query`, the authority possibly empty (`http:///v0/ping`),
 *   ending at the first "/", "?" or "#";
 * - `scheme://` + the Host header's exact text + the target (Deno), which may hold a "/" or a
 *   "?": with `host` (the header) given, that text is taken off the front when a "/" follows it.
 */
export function splitUrl(url: string, host?: string | null): { path: string; query: string | undefined } {
	let start = 0;
	if (!url.startsWith("/")) {
		const scheme = url.indexOf("://");
		const authority = scheme < 0 ? 0 : scheme + 3;
		if (host && url.startsWith(host, authority) && url[authority + host.length] === "/") {
			start = authority + host.length;
		} else {
			start = authority;
			while (start < url.length && url[start] !== "/" && url[start] !== "?" && url[start] !== "#") start++;
		}
	}
	const q = url.indexOf("?", start);
	const path = q < 0 ? url.slice(start) : url.slice(start, q);
	return { path: path === "" ? "/" : path, query: q < 0 ? undefined : url.slice(q + 1) };
}

function compile(routes: readonly RouteDef[], prefixes: readonly string[]): Compiled[] {
	const out: Compiled[] = [];
	for (const route of routes) {
		for (const prefix of route.versioned ? prefixes : [""]) {
			const template = route.path === "/" ? "/" : `${prefix}${route.path}`;
			const segments = template.split("/").map((s) => (s.startsWith("{") ? null : s));
			out.push({ route, template, segments });
		}
	}
	return out;
}

const NO_PARAMS: string[] = [];

function find(
	table: Compiled[],
	exact: Map<string, Compiled>,
	path: string,
): { c: Compiled; params: string[] } | undefined {
	// A path without parameters is one lookup; only the others are split into segments.
	const c = exact.get(path);
	if (c) return { c, params: NO_PARAMS };
	const parts = path.split("/");
	for (const c of table) {
		if (c.segments.length !== parts.length) continue;
		const params: string[] = [];
		let ok = true;
		for (let i = 0; i < parts.length; i++) {
			const want = c.segments[i];
			const got = parts[i] as string;
			if (want === null) {
				if (got === "") {
					ok = false;
					break;
				}
				params.push(got);
			} else if (want !== got) {
				ok = false;
				break;
			}
		}
		if (ok) return { c, params };
	}
	return undefined;
}

export function createRouter(
	routes: readonly RouteDef[] = ROUTES,
	prefixes: readonly string[] = PREFIXES,
): Router {
	const table = compile(routes, prefixes);
	const exact = new Map<string, Compiled>();
	for (const c of table) if (!c.segments.includes(null) && !exact.has(c.template)) exact.set(c.template, c);
	return {
		templates: table.map((c) => c.template),
		match(method, path) {
			const found = find(table, exact, path);
			if (!found) return { kind: "unmatched" };
			const { c, params } = found;
			const op = c.route.operations.find(
				(o) => o.method === method || (method === "HEAD" && o.method === "GET"),
			);
			if (op) return { kind: "handler", template: c.template, handler: op.handler, params };
			const allow = allowedMethods(c.route);
			return { kind: method === "OPTIONS" ? "options" : "method-not-allowed", template: c.template, allow };
		},
	};
}
