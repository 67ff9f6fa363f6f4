# syntax=docker/dockerfile:1
#
# The four step images of stock-rsi, one build target per step of the pipeline:
#
#     fetch ──▶ compute-rsi ──▶ validate ──▶ persist
#
#     docker build --target fetch -t registry.example.com/stock-rsi/fetch:0.1.0 .
#     npm run images            # all four, named from synth/config.ts, then their sizes
#
# Stage `build` installs the dependencies and bundles every step (images/bundle.ts). Each step
# target is the Node base plus one small layer: that step's bundle, the native addon it needs
# (only persist has one) and the `stock-rsi` command that Argo runs. The base layers are the same
# for all four, so a registry and a node store them once.

# The runtime base: Node 24 LTS on distroless Debian 12. It holds node, glibc, libstdc++, CA
# certificates and time zones: no shell, no package manager, no npm. The node binary is 127 MB of
# its ~151 MB; node:24-bookworm-slim carries the same node plus Debian's userland and npm, and is
# over 200 MB before any code of ours.
# Tag for reading, digest for pinning: the digest decides what is pulled. Refresh both together
# (`crane digest gcr.io/distroless/nodejs24-debian12:nonroot`).
ARG NODE_BASE=gcr.io/distroless/nodejs24-debian12:nonroot@sha256:14d42e2511532589a7c7e01a753667a74fcc96266e137e8125006b87b0c32d0a
# The build base: the full Node 24 image on the same Debian release as the runtime (so the same
# glibc), with python3, make and g++ should a dependency ever need compiling (better-sqlite3 ships
# its Node-API binary in its npm package). Never shipped.
ARG NODE_BUILD_BASE=node:24-bookworm@sha256:5711a0d445a1af54af9589066c646df387d1831a608226f4cd694fc59e745059

FROM ${NODE_BUILD_BASE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# A network that intercepts TLS needs its CA: pass it as the build secret `npm-ca`
# (`--secret id=npm-ca,src=$NODE_EXTRA_CA_CERTS`; `npm run images` does). It is mounted for this
# one command and never stored in a layer; without the secret node warns once and goes on.
# A native addon that had to be compiled would use the headers beside this node instead of
# downloading them.
RUN --mount=type=secret,id=npm-ca,target=/run/secrets/npm-ca \
    --mount=type=cache,target=/root/.npm,sharing=locked \
    NODE_EXTRA_CA_CERTS=/run/secrets/npm-ca npm_config_nodedir=/usr/local \
    npm ci --no-audit --no-fund --loglevel=error
# The rest of the context: the step sources, tsconfig and the bundler (.dockerignore lets in
# nothing else).
COPY . .
# The shebang of the `stock-rsi` command: where the runtime base keeps node.
ARG NODE_BIN=/nodejs/bin/node
RUN node --import tsx images/bundle.ts --out /bundles --node "${NODE_BIN}"

# What every step image shares. No RUN: the runtime base has no shell, and needs none.
FROM ${NODE_BASE} AS runtime
# Numeric, so Kubernetes can enforce runAsNonRoot without reading /etc/passwd: distroless's "nonroot".
USER 65532:65532
# Not the base's /home/nonroot: that is private to 65532, and a pod that runs the step as another
# user (runAsUser) could not even start in it. The steps write only the paths they are given; a
# relative one fails on the read-only root instead of vanishing with the pod.
WORKDIR /
# Argo runs `command: ["stock-rsi"]`, `args: [<subcommand>, ...]`; `docker run IMAGE <subcommand> ...`
# runs the same.
ENTRYPOINT ["stock-rsi"]
LABEL org.opencontainers.image.vendor="stock-rsi" \
      org.opencontainers.image.licenses="MIT"

FROM runtime AS fetch
LABEL org.opencontainers.image.title="stock-rsi fetch" \
      org.opencontainers.image.description="stock-rsi fetch: download daily closes for every symbol"
COPY --from=build /bundles/fetch/ /
CMD ["fetch", "--help"]

FROM runtime AS compute-rsi
LABEL org.opencontainers.image.title="stock-rsi compute-rsi" \
      org.opencontainers.image.description="stock-rsi compute-rsi: compute each symbol's RSI from its closes"
COPY --from=build /bundles/compute-rsi/ /
CMD ["compute-rsi", "--help"]

FROM runtime AS validate
LABEL org.opencontainers.image.title="stock-rsi validate" \
      org.opencontainers.image.description="stock-rsi validate: check the values and the failure rate before anything is stored"
COPY --from=build /bundles/validate/ /
CMD ["validate", "--help"]

FROM runtime AS persist
LABEL org.opencontainers.image.title="stock-rsi persist" \
      org.opencontainers.image.description="stock-rsi persist: store the day's values and print the ranking"
COPY --from=build /bundles/persist/ /
CMD ["persist", "--help"]
