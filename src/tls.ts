/**
 * The HTTPS certificate and key: read from their PEM files and checked to be a pair before they
 * are served, at start and on SIGHUP, so that a bad pair is an error naming the file and what is
 * wrong (never a handshake that fails later, and never the key's text in a message).
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, readFileSync } from "node:fs";
import { PREFIX, type TlsFiles } from "./config/variables.ts";

export interface TlsPair {
	cert: string;
	key: string;
}

/** The TLS files cannot be served: unreadable, not PEM, or not a pair. */
export class TlsFileError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "TlsFileError";
	}
}

/** A PEM file is a small regular file: anything else (a FIFO would block the serving thread) is refused unread. */
const MAX_PEM_BYTES = 1 << 20;

function readPem(variable: string, path: string): string {
	const fail = (reason: string) =>
		new TlsFileError(`${PREFIX}${variable} ${JSON.stringify(path)} cannot be read: ${reason}`);
	let fd: number | undefined;
	try {
		// Opened without waiting (a FIFO with no writer would block the open), then checked.
		fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
		const info = fstatSync(fd);
		if (!info.isFile()) throw fail(info.isFIFO() ? "it is a FIFO, not a regular file" : "not a regular file");
		if (info.size > MAX_PEM_BYTES) throw fail(`${info.size} bytes, more than a certificate or key holds`);
		return readFileSync(fd, "utf8");
	} catch (err) {
		if (err instanceof TlsFileError) throw err;
		const code = (err as NodeJS.ErrnoException).code;
		const reason =
			code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (code ?? "unreadable");
		throw fail(reason);
	} finally {
		if (fd !== undefined) closeSync(fd);
	}
}

/** Reads and checks the pair; throws TlsFileError naming the file and the problem. */
export function readTlsPair(files: TlsFiles): TlsPair {
	const cert = readPem("TLS_CERT_FILE", files.certFile);
	const key = readPem("TLS_KEY_FILE", files.keyFile);
	const certName = `${PREFIX}TLS_CERT_FILE ${JSON.stringify(files.certFile)}`;
	const keyName = `${PREFIX}TLS_KEY_FILE ${JSON.stringify(files.keyFile)}`;
	let x509: X509Certificate;
	try {
		if (!cert.includes("-----BEGIN CERTIFICATE-----")) throw new Error("no PEM certificate");
		x509 = new X509Certificate(cert);
	} catch {
		throw new TlsFileError(`${certName} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
	}
	let privateKey: ReturnType<typeof createPrivateKey>;
	try {
		if (!/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/.test(key)) throw new Error("no PEM key");
		privateKey = createPrivateKey(key);
	} catch {
		throw new TlsFileError(
			`${keyName} holds no unencrypted PEM private key (-----BEGIN PRIVATE KEY-----, or an RSA or EC one)`,
		);
	}
	let matches = false;
	try {
		matches = x509.checkPrivateKey(privateKey);
	} catch {}
	if (!matches) {
		throw new TlsFileError(
			`${keyName} is not the private key of the certificate in ${certName} (subject ${x509.subject.replace(/\n/g, ", ")})`,
		);
	}
	return { cert, key };
}
