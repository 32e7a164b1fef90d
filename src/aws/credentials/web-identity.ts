/**
 * Web identity: a token file exchanged with STS AssumeRoleWithWebIdentity, named by the
 * environment (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN) or by a profile.
 */
import { readFileSync } from "node:fs";
import { stsEndpoint } from "../endpoints.ts";
import { AwsError, xmlText } from "../errors.ts";
import { loadSharedFiles, profileName, profileOf } from "../ini.ts";
import {
	type ChainOptions,
	type CredentialSource,
	Credentials,
	CredentialsError,
	parseExpiration,
	SourceSkipped,
} from "./base.ts";

/** The region STS is called in: AWS_REGION, the profile's region, the configured one, us-east-1. */
export function stsRegion(o: ChainOptions, profile?: Record<string, string>): string {
	return o.env.AWS_REGION || profile?.region || o.region || "us-east-1";
}

/** AssumeRoleWithWebIdentity: unsigned, at the regional STS endpoint, answered in XML. */
export async function assumeRoleWithWebIdentity(
	o: ChainOptions,
	args: { roleArn: string; tokenFile: string; sessionName?: string; region: string; source: string },
): Promise<Credentials> {
	let token: string;
	try {
		token = readFileSync(args.tokenFile, "ascii");
	} catch (err) {
		throw new CredentialsError(
			`${args.source}: cannot read the web identity token file ${args.tokenFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
		);
	}
	const body = new URLSearchParams({
		Action: "AssumeRoleWithWebIdentity",
		Version: "2011-06-15",
		RoleArn: args.roleArn,
		RoleSessionName: args.sessionName || `registry-session-${Date.now()}`,
		WebIdentityToken: token,
	});
	const url = stsEndpoint(args.region, o.env);
	let res: Response;
	try {
		res = await (o.fetch ?? fetch)(url, {
			method: "POST",
			headers: { "content-type": "application/x-www-form-urlencoded" },
			body: body.toString(),
			redirect: "manual",
			signal: AbortSignal.timeout(10_000),
		});
	} catch (err) {
		throw new CredentialsError(`${args.source}: STS at ${url} is unreachable: ${(err as Error).message}`);
	}
	const xml = await res.text();
	if (!res.ok) {
		const code = xmlText(xml, "Code") ?? `HTTP${res.status}`;
		throw new AwsError(
			`${args.source}: STS AssumeRoleWithWebIdentity failed: ${code}: ${xmlText(xml, "Message") ?? res.statusText}`,
			{
				service: "sts",
				code,
				status: res.status,
				retryable: res.status >= 500,
				requestId: xmlText(xml, "RequestId"),
			},
		);
	}
	const accessKeyId = xmlText(xml, "AccessKeyId");
	const secretAccessKey = xmlText(xml, "SecretAccessKey");
	if (!accessKeyId || !secretAccessKey) {
		throw new CredentialsError(`${args.source}: STS answered without AccessKeyId/SecretAccessKey`);
	}
	return new Credentials({
		accessKeyId,
		secretAccessKey,
		sessionToken: xmlText(xml, "SessionToken"),
		expiration: parseExpiration(xmlText(xml, "Expiration"), "STS"),
		source: args.source,
	});
}

export function webIdentitySource(o: ChainOptions): CredentialSource {
	return {
		name: "web identity",
		async resolve() {
			const { env } = o;
			if (!env.AWS_WEB_IDENTITY_TOKEN_FILE || !env.AWS_ROLE_ARN) {
				throw new SourceSkipped("AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not both set");
			}
			const files = loadSharedFiles(env);
			return await assumeRoleWithWebIdentity(o, {
				roleArn: env.AWS_ROLE_ARN,
				tokenFile: env.AWS_WEB_IDENTITY_TOKEN_FILE,
				sessionName: env.AWS_ROLE_SESSION_NAME,
				region: stsRegion(o, profileOf(files, profileName(env))),
				source: "web identity",
			});
		},
	};
}
