#!/bin/sh
# Installs the Debian packages yunwei needs to build, run and test.
# Idempotent and quiet: when everything is there it prints nothing and exits 0.
# Usage: scripts/deps.sh [build|test]   (test adds what the test suite needs)
set -eu

want="build-essential pkg-config meson ninja-build
libcurl4-openssl-dev libmicrohttpd-dev libsqlite3-dev libjansson-dev
libyaml-dev libpq-dev libc-ares-dev libsodium-dev libssl-dev tzdata"
if [ "${1:-build}" = test ]; then
    # clang + compiler-rt for libFuzzer targets; python3 and openssl drive the
    # integration tests (local targets, throw-away TLS certificates);
    # postgresql gives the postgres probe a real server to talk to.
    want="$want clang libclang-rt-14-dev python3 openssl postgresql sqlite3"
    # The browser tests: Debian's chromium, driven by playwright-core (from
    # the npm registry, tests/browser/package.json), and a CJK font so that
    # the screenshots show Chinese rather than empty boxes. Node and npm come
    # from Debian only when the machine has none of its own.
    want="$want chromium fonts-noto-cjk"
    if ! command -v node >/dev/null 2>&1; then
        want="$want nodejs npm"
    elif ! command -v npm >/dev/null 2>&1; then
        want="$want npm"
    fi
fi

missing=""
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
