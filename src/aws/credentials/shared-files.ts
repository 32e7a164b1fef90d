/**
 * The shared config and credentials files: a profile's static keys, its web identity role, or
 * its credential_process (run through the shell, its JSON output checked).
 */
import { spawn } from "node:child_process";
import * as v from "valibot";
import { checkJson } from "../answer.ts";
import { loadSharedFiles, profileName, profileOf } from "../ini.ts";
import {
	type ChainOptions,
	type CredentialSource,
	Credentials,
	parseExpiration,
	SourceSkipped,
} from "./base.ts";
import { assumeRoleWithWebIdentity, stsRegion } from "./web-identity.ts";

/** Runs a credential_process through the shell; on timeout its whole process group is killed. */
function runProcess(command: string, timeoutMs: number): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn("/bin/sh", ["-c", command], { detached: true, stdio: ["ignore", "pipe", "ignore"] });
		let out = "";
		let size = 0;
		child.stdout?.on("data", (chunk: Buffer) => {
			size += chunk.length;
			if (size <= 1024 * 1024) out += chunk.toString("utf8");
		});
		const killGroup = () => {
			try {
				if (child.pid) process.kill(-child.pid, "SIGKILL");
			} catch {}
		};
		const timer = setTimeout(() => {
			killGroup();
			reject(new Error(`timed out after ${timeoutMs} ms`));
		}, timeoutMs);
		child.on("error", (err) => {
			clearTimeout(timer);
			reject(new Error(`could not start: ${err.message}`));
		});
		child.on("close", (code) => {
			clearTimeout(timer);
			if (code === 0) resolve(out);
			else reject(new Error(`exited with ${code ?? "a signal"}`));
		});
	});
}

/** What a credential_process prints (the AWS CLI's format, Version 1). */
const ProcessOutput = v.object({
	Version: v.literal(1),
	AccessKeyId: v.string(),
	SecretAccessKey: v.string(),
	SessionToken: v.nullish(v.string()),
	Expiration: v.nullish(v.string()),
});

async function fromProcess(command: string, o: ChainOptions, source: string): Promise<Credentials> {
	let out: string;
	try {
		out = await runProcess(command, o.processTimeoutMs ?? 60_000);
	} catch (err) {
		throw new SourceSkipped(`credential_process ${(err as Error).message}`);
	}
	const doc = checkJson(ProcessOutput, out.trim());
	if (!doc.ok) {
		if (doc.reason === "is not JSON") throw new SourceSkipped("credential_process did not print JSON");
		if (doc.path === "Version") throw new SourceSkipped("credential_process output must have Version 1");
		throw new SourceSkipped(`credential_process output ${doc.reason}`);
	}
	const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = doc.value;
	const expiration = parseExpiration(Expiration, "credential_process");
	if (expiration && expiration.getTime() <= Date.now())
		throw new SourceSkipped("credential_process returned expired credentials");
	return new Credentials({
		accessKeyId: AccessKeyId,
		secretAccessKey: SecretAccessKey,
		sessionToken: SessionToken ?? undefined,
		expiration,
		source,
	});
}

export function sharedFilesSource(o: ChainOptions): CredentialSource {
	return {
		name: "shared files",
		async resolve() {
			const files = loadSharedFiles(o.env);
			const name = profileName(o.env);
			const profile = profileOf(files, name);
			const source = `shared files (profile ${name})`;
			if (!profile) {
				throw new SourceSkipped(
					`profile ${name} is in neither ${files.credentialsPath} nor ${files.configPath}`,
				);
			}
			if (profile.role_arn && (profile.source_profile || profile.credential_source)) {
				throw new SourceSkipped(
					`profile ${name} assumes a role from source_profile/credential_source, which this registry does not support (use static keys, web identity or credential_process)`,
				);
			}
			if (profile.aws_access_key_id && profile.aws_secret_access_key) {
				return new Credentials({
					accessKeyId: profile.aws_access_key_id,
					secretAccessKey: profile.aws_secret_access_key,
					sessionToken: profile.aws_session_token,
					source,
				});
			}
			if (profile.web_identity_token_file && profile.role_arn) {
				return await assumeRoleWithWebIdentity(o, {
					roleArn: profile.role_arn,
					tokenFile: profile.web_identity_token_file,
					sessionName: profile.role_session_name,
					region: stsRegion(o, profile),
					source: `${source}, web identity`,
				});
			}
			if (profile.credential_process)
				return await fromProcess(profile.credential_process, o, `${source}, credential_process`);
			throw new SourceSkipped(
				`profile ${name} has no aws_access_key_id/aws_secret_access_key, web_identity_token_file + role_arn or credential_process`,
			);
		},
	};
}
