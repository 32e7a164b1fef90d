/**
 * The one place that knows Bun from Deno: starting the HTTP server. Everything else uses web
 * standards or node: modules that both runtimes provide.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import type { TlsPair } from "./tls.ts";

/** How long a TLS client may take to complete its handshake. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

export interface ServeOptions {
	hostname: string;
	port: number;
	fetch(req: Request): Response | Promise<Response>;
	/**
	 * Paths (Bun's patterns, `:name` for a segment) that Bun matches natively before `fetch`,
	 * answered by `fetch` all the same: a faster way in for the hot routes. Others ignore them.
	 */
	routes?: readonly string[];
	/** Serve HTTPS with this certificate and key (checked beforehand: see tls.ts). */
	tls?: TlsPair;
}

export interface RunningServer {
	hostname: string;
	port: number;
	protocol: "http" | "https";
	/** Stops accepting connections and waits for in-flight requests. */
	stop(): Promise<void>;
	/**
	 * HTTPS only: new connections are served `pair` from now on; open ones keep theirs and stay
	 * open. Throws when the runtime refuses the pair (the old one is still served then).
	 */
	reloadTls?(pair: TlsPair): void;
}

interface DenoLike {
	serve(
		options:
			| {
					hostname: string;
					port: number;
					reusePort?: boolean;
					onListen?: (addr: { hostname: string; port: number }) => void;
			  }
			| { path: string; onListen?: (addr: unknown) => void },
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
 *
 * With `tls`, the address is served by a node:tls server whose certificate can be replaced in
 * place (`reloadTls`, through setSecureContext, which both runtimes apply to new handshakes), in
 * front of the same HTTP server listening on a private Unix socket: neither Bun.serve (1.4.5
 * ignores `tls` in `reload()`, oven-sh/bun#43815) nor Deno.serve can change a certificate
 * without closing the listener, and closing it drops idle keep-alive connections.
 */
export function serve(options: ServeOptions & { tls?: undefined }): RunningServer;
export function serve(options: ServeOptions): RunningServer | Promise<RunningServer>;
export function serve(options: ServeOptions): RunningServer | Promise<RunningServer> {
	const inUse = (err: unknown) =>
		(err as { code?: unknown }).code === "EADDRINUSE"
			? new AddressInUseError(options.hostname, options.port)
			: err;
	if (options.tls) {
		return listenTls(options, options.tls).catch((err) => {
			throw inUse(err);
		});
	}
	try {
		return listen(options);
	} catch (err) {
		throw inUse(err);
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
			...(options.routes?.length
				? { routes: Object.fromEntries(options.routes.map((r) => [r, options.fetch])) }
				: {}),
		});
		return {
			hostname: server.hostname ?? options.hostname,
			port: server.port ?? options.port,
			protocol: "http",
			stop: () => server.stop(false),
		};
	}
	const deno = (globalThis as unknown as { Deno: DenoLike }).Deno;
	const server = deno.serve(
		{ hostname: options.hostname, port: options.port, reusePort: false, onListen() {} },
		options.fetch,
	);
	return {
		hostname: server.addr.hostname,
		port: server.addr.port,
		protocol: "http",
		stop: () => server.shutdown(),
	};
}

/** The HTTP server on a Unix socket, for the TLS front only. */
function listenUnix(path: string, fetch: ServeOptions["fetch"]): { stop(): Promise<void> } {
	if (runtimeName === "bun") {
		const server = Bun.serve({ unix: path, development: false, fetch });
		return { stop: () => server.stop(false) };
	}
	const deno = (globalThis as unknown as { Deno: DenoLike }).Deno;
	const server = deno.serve({ path, onListen() {} }, fetch);
	return { stop: () => server.shutdown() };
}

async function listenTls(options: ServeOptions, pair: TlsPair): Promise<RunningServer> {
	// A folder only this user can enter: the plain socket is reachable by this user alone.
	const dir = mkdtempSync(join(tmpdir(), "registry-tls-"));
	const removeDir = () => rmSync(dir, { recursive: true, force: true });
	const path = join(dir, "http.sock");
	let inner: { stop(): Promise<void> };
	try {
		inner = listenUnix(path, options.fetch);
	} catch (err) {
		removeDir();
		throw err;
	}
	const open = new Set<TLSSocket>();
	// A connection that never completes its handshake is dropped (node:tls's handshakeTimeout is
	// not honoured by every runtime, so the clock is kept here, per connection by its address); an
	// idle one after the handshake is the HTTP server's to end.
	const handshaking = new Map<string, ReturnType<typeof setTimeout>>();
	const peer = (s: { remoteAddress?: string; remotePort?: number }) => `${s.remoteAddress}|${s.remotePort}`;
	const front = createTlsServer(
		{ cert: pair.cert, key: pair.key, ALPNProtocols: ["http/1.1"], handshakeTimeout: HANDSHAKE_TIMEOUT_MS },
		(socket) => {
			const id = peer(socket);
			clearTimeout(handshaking.get(id));
			handshaking.delete(id);
			open.add(socket);
			const upstream: Socket = connect(path);
			const destroy = () => {
				socket.destroy();
				upstream.destroy();
			};
			socket.on("error", destroy);
			upstream.on("error", destroy);
			socket.on("close", () => {
				open.delete(socket);
				upstream.destroy();
			});
			// The HTTP server closed its side (`Connection: close`, shutdown): finish writing, then end.
			upstream.on("close", () => socket.end());
			socket.pipe(upstream);
			upstream.pipe(socket);
		},
	);
	front.on("connection", (raw: Socket) => {
		const id = peer(raw);
		handshaking.set(
			id,
			setTimeout(() => {
				handshaking.delete(id);
				raw.destroy();
			}, HANDSHAKE_TIMEOUT_MS),
		);
		raw.once("close", () => {
			clearTimeout(handshaking.get(id));
			handshaking.delete(id);
		});
	});
	// A failed handshake (a client that does not trust the certificate, a scanner) concerns the client.
	front.on("tlsClientError", () => {});
	try {
		await new Promise<void>((resolve, reject) => {
			front.once("error", reject);
			front.listen({ host: options.hostname, port: options.port, exclusive: true }, () => {
				front.off("error", reject);
				resolve();
			});
		});
	} catch (err) {
		await inner.stop();
		removeDir();
		throw err;
	}
	front.on("error", () => {});
	const address = front.address();
	const bound =
		typeof address === "object" && address ? address : { address: options.hostname, port: options.port };
	return {
		hostname: bound.address,
		port: bound.port,
		protocol: "https",
		async stop() {
			front.close();
			try {
				await inner.stop();
			} finally {
				for (const socket of open) socket.destroy();
				removeDir();
			}
		},
		reloadTls(next: TlsPair) {
			front.setSecureContext({ cert: next.cert, key: next.key, ALPNProtocols: ["http/1.1"] } as never);
		},
	};
}
