/**
 * How the app composes the request side: each stage is a small function that either answers
 * a request itself or hands it on to the next (Hono's middleware, but synchronous and on
 * replies rather than Responses, so cached replies keep their ETags and compressed bodies).
 */
import type { Reply } from "./respond.ts";

/** A request as the stages see it: its raw (still percent-encoded) path and query. */
export interface Incoming {
	req: Request;
	path: string;
	/** What follows the "?"; undefined when the URL has none. */
	query: string | undefined;
}

/** An answer, and the route template /metrics counts it under. */
export interface Routed {
	template: string;
	/** A promise only where the answer needs the request body (POST {p}/validate). */
	reply: Reply | Promise<Reply>;
}

export type Next = (r: Incoming) => Routed;
export type Stage = (r: Incoming, next: Next) => Routed;

/** The stages around `last`: the first stage sees the request first and can answer without the rest. */
export function compose(stages: readonly Stage[], last: Next): Next {
	return stages.reduceRight<Next>((next, stage) => (r) => stage(r, next), last);
}
