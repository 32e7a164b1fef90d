/**
 * Build stamps. `make build` defines these identifiers at compile time; from source they are
 * undeclared, and `typeof` reads them safely as "undefined".
 */
declare const BUILD_VERSION: string | undefined;
declare const BUILD_GIT_COMMIT: string | undefined;
declare const BUILD_TIME: string | undefined;

export interface BuildInfo {
	version: string;
	gitCommit: string;
	buildTime: string;
}

export const buildInfo: BuildInfo = {
	version: typeof BUILD_VERSION === "string" ? BUILD_VERSION : "dev",
	gitCommit: typeof BUILD_GIT_COMMIT === "string" ? BUILD_GIT_COMMIT : "unknown",
	buildTime: typeof BUILD_TIME === "string" ? BUILD_TIME : "unknown",
};
