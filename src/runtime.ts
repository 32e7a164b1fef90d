/**
 * The one place that knows Bun from Deno: starting the HTTP server. Everything else uses web
 * standards or node: modules that both runtimes provide.
 */

export interface ServeOptions {
	hostname: string;
	port: number;
	fetch(req: Request): Response | Promise<Response>;
}

export interface RunningServer {
	hostname: string;
	port: number;
	/** Stops accepting connections and waits for in-flight requests. */
	stop(): Promise<void>;
}

interface DenoLike {
	serve(
		options: {
			hostname: string;
			port: number;
			onListen?: (addr: { hostname: string; port: number }) => void;
		},
		handler: (req: Request) => Response | Promise<Response>,
	): { addr: { hostname: string; port: number }; shutdown(): Promise<void> };
}

export const runtimeName: "bun" | "deno" =
	typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "deno";

const bunGc = (globalThis as { Bun?: { gc(full: boolean): void } }).Bun?.gc;

/** A garbage collection now (young generation, or `full`) where the runtime offers one; else nothing. */
export function collectGarbage(full: boolean): void {
	bunGc?.(full);
}

export function serve(options: ServeOptions): RunningServer {
	if (runtimeName === "bun") {
		const server = Bun.serve({
			hostname: options.hostname,
			port: options.port,
			development: false,
			fetch: options.fetch,
		});
		return {
			hostname: server.hostname ?? options.hostname,
			port: server.port ?? options.port,
			stop: () => server.stop(false),
		};
	}
	const deno = (globalThis as unknown as { Deno: DenoLike }).Deno;
	const server = deno.serve({ hostname: options.hostname, port: options.port, onListen() {} }, options.fetch);
	return { hostname: server.addr.hostname, port: server.addr.port, stop: () => server.shutdown() };
}
