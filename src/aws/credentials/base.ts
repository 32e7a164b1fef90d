/**
 * What every credential source shares: the credentials themselves (secrets kept out of every
 * message, log line and inspected object), the errors that steer the chain, and its options.
 */

export class Credentials {
	readonly accessKeyId: string;
	readonly secretAccessKey: string;
	readonly sessionToken: string | undefined;
	readonly expiration: Date | undefined;
	/** Which source gave them, e.g. `environment`, `shared files (profile default)`. */
	readonly source: string;

	constructor(c: {
		accessKeyId: string;
		secretAccessKey: string;
		sessionToken?: string;
		expiration?: Date;
		source: string;
	}) {
		this.accessKeyId = c.accessKeyId;
		this.secretAccessKey = c.secretAccessKey;
		this.sessionToken = c.sessionToken || undefined;
		this.expiration = c.expiration;
		this.source = c.source;
		// Keep the secret out of enumeration, JSON and inspection.
		Object.defineProperty(this, "secretAccessKey", { enumerable: false });
		Object.defineProperty(this, "sessionToken", { enumerable: false });
	}

	toJSON(): Record<string, unknown> {
		return { accessKeyId: this.accessKeyId, source: this.source, expiration: this.expiration?.toISOString() };
	}

	[Symbol.for("nodejs.util.inspect.custom")](): string {
		return `Credentials { accessKeyId: ${this.accessKeyId}, source: ${this.source} }`;
	}
}

/** A source that does not apply here; the chain goes on to the next. */
export class SourceSkipped extends Error {}

/** No source gave credentials, or one failed in a way that stops the chain (as the SDK does). */
export class CredentialsError extends Error {
	constructor(
		message: string,
		readonly tried: { source: string; reason: string }[] = [],
	) {
		super(message);
		this.name = "CredentialsError";
	}
}

export interface ChainOptions {
	env: Record<string, string | undefined>;
	fetch?: typeof fetch;
	/** The region for STS when the environment and profile name none. */
	region?: string;
	/** Container-credential attempts and the pause between them (the SDK: 4 and 1 s). */
	containerAttempts?: number;
	containerRetryMs?: number;
	/** Milliseconds a credential_process may run. */
	processTimeoutMs?: number;
	imdsTimeoutMs?: number;
	/** Warnings (never secrets), e.g. AWS_PROFILE beside environment keys. */
	warn?: (message: string) => void;
}

export interface CredentialSource {
	name: string;
	resolve(): Promise<Credentials>;
}

/** An expiration as AWS writes it (ISO 8601); none when absent or empty. */
export function parseExpiration(value: string | null | undefined, what: string): Date | undefined {
	if (value === undefined || value === null || value === "") return undefined;
	const d = new Date(value);
	if (Number.isNaN(d.getTime()))
		throw new Error(`${what}: expiration ${JSON.stringify(value)} is not a date`);
	return d;
}
