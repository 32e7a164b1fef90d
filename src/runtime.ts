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
			reusePort?: boolean;
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

/** `host:port`, an IPv6 host in brackets. */
export function hostPort(hostname: string, port: number): string {
	return `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
}

/** The address to listen on is taken (another instance, or anything else). */
export class AddressInUseError extends Error {
	constructor(hostname: string, port: number) {
		super(`address ${hostPort(hostname, port)} is already in use`);
		this.name = "AddressInUseError";
	}
}

/**
 * Starts listening, exclusively: SO_REUSEPORT is never set (Bun 1.4.5 on Linux sets it when
 * given `development: false` unless `reusePort: false` is said too; Deno's default is false), so
 * a second instance on the same address fails with AddressInUseError instead of silently taking
 * a share of the connections.
 */
export function serve(options: ServeOptions): RunningServer {
	try {
		return listen(options);
	} catch (err) {
		if ((err as { code?: unknown }).code === "EADDRINUSE")
			throw new AddressInUseError(options.hostname, options.port);
		throw err;
	}
}

function listen(options: ServeOptions): RunningServer {
	if (runtimeName === "bun") {
		const server = Bun.serve({
			hostname: options.hostname,
			port: options.port,
			reusePort: false,
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
	const server = deno.serve(
		{ hostname: options.hostname, port: options.port, reusePort: false, onListen() {} },
		options.fetch,
	);
	return { hostname: server.addr.hostname, port: server.addr.port, stop: () => server.shutdown() };
}
