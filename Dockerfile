# registry: a minimal image holding one compiled binary.
#   docker build -t registry .
#   docker run -p 8080:8080 -v registry-data:/data registry

FROM oven/bun:1.4.5 AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Only the production dependencies go into the binary.
RUN bun install --production
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
# Stamps; one left empty gets scripts/build.ts's default (version: package.json's; commit:
# "unknown", there is no .git here; time: now). docker build --build-arg BUILD_GIT_COMMIT=$(git rev-parse HEAD)
ARG BUILD_VERSION
ARG BUILD_GIT_COMMIT
ARG BUILD_TIME
RUN BUILD_VERSION="${BUILD_VERSION}" BUILD_GIT_COMMIT="${BUILD_GIT_COMMIT}" BUILD_TIME="${BUILD_TIME}" \
    bun scripts/build.ts --outfile /out/registry

# glibc and nothing else: the binary needs libc, libpthread, libdl and libm.
FROM gcr.io/distroless/base-debian12:nonroot
COPY --from=build /out/registry /usr/local/bin/registry
COPY --chown=nonroot:nonroot data/registry.json /data/registry.json
ENV MCP_REGISTRY_JSON_FILE_PATH=/data/registry.json \
    MCP_REGISTRY_SERVER_ADDRESS=:8080
VOLUME /data
EXPOSE 8080
USER nonroot
# No curl in the image: the binary checks its own /v0/health.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["/usr/local/bin/registry", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/registry"]
