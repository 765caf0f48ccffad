#!/usr/bin/env bash
# Builds the WASM sample filters from their sources. The built .wasm files are checked in next to the sources, so
# nothing else (CI, the engine's tests, the distribution) needs these toolchains.
#
#   ./build.sh           rebuild every .wasm in place
#   ./build.sh --check   build into a temporary folder and fail if any result differs from the checked-in file
#
# Toolchains (Debian 12):
#   C samples (metaproxy ABI):   apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32
#   proxy-wasm sample (AssemblyScript, @solo-io/proxy-runtime): node + npm; versions pinned in its package-lock.json
set -euo pipefail
cd "$(dirname "$0")"

check=false
if [[ "${1:-}" == "--check" ]]; then
  check=true
fi
out=.
if $check; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi

CLANG=${CLANG:-clang}
C_FLAGS=(--target=wasm32-wasi -O2 -Wall -Wextra -Werror -mexec-model=reactor)

for source in add_headers canary token_auth method_counter; do
  "$CLANG" "${C_FLAGS[@]}" -o "$out/$source.wasm" "$source.c"
  echo "built $source.wasm"
done

(
  cd proxy-wasm/header_check
  npm ci --no-audit --no-fund --loglevel=error
  npx asc assembly/index.ts -b "$( [[ $out == . ]] && echo header_check.wasm || echo "$out/header_check.wasm")" \
    --use abort=abort_proc_exit -O3 --runtime full # (asc 0.14 warns AS201 about its own std library: harmless)
  echo "built proxy-wasm/header_check/header_check.wasm"
)

if $check; then
  status=0
  for source in add_headers canary token_auth method_counter; do
    cmp -s "$out/$source.wasm" "$source.wasm" || { echo "differs: $source.wasm"; status=1; }
  done
  cmp -s "$out/header_check.wasm" proxy-wasm/header_check/header_check.wasm || { echo "differs: header_check.wasm"; status=1; }
  [[ $status == 0 ]] && echo "all samples match their sources"
  exit $status
fi
