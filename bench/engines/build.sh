#!/usr/bin/env bash
# Builds the three WASM filters of the engine-cost benchmark from their sources; the .wasm files are checked in, so
# bench/engines/run needs neither toolchain.
#
#   engine.wasm                engine.c, metaproxy's own ABI (../../sample-filters/wasm/metaproxy.h)
#   engine-proxy-wasm-c.wasm   engine-proxy-wasm.c, the raw proxy-wasm ABI v0.2.x without an SDK
#   engine-proxy-wasm-arena.wasm, engine-proxy-wasm-context-only.wasm
#                              the same source, built with the variants' -D flags (FilterChainBenchmark only)
#                              both need: apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32
#   engine-proxy-wasm.wasm     proxy-wasm/assembly/index.ts, the AssemblyScript proxy-wasm SDK (versions pinned in
#                              proxy-wasm/package-lock.json); needs node + npm. Built in a temporary copy, so no
#                              node_modules folder is left in the tree.
# --c-only builds the C modules only.
set -euo pipefail
cd "$(dirname "$0")"
here="$(pwd)"

"${CLANG:-clang}" --target=wasm32-wasi -O2 -Wall -Wextra -Werror -mexec-model=reactor \
  -I ../../sample-filters/wasm -o engine.wasm engine.c
echo "built engine.wasm"

"${CLANG:-clang}" --target=wasm32-wasi -O2 -Wall -Wextra -Werror -mexec-model=reactor \
  -Wl,--strip-debug -o engine-proxy-wasm-c.wasm engine-proxy-wasm.c
echo "built engine-proxy-wasm-c.wasm"

# the two variants that take the proxy-wasm row's cost apart in FilterChainBenchmark (see engine-proxy-wasm.c)
"${CLANG:-clang}" --target=wasm32-wasi -O2 -Wall -Wextra -Werror -mexec-model=reactor \
  -Wl,--strip-debug -DENGINE_ARENA -o engine-proxy-wasm-arena.wasm engine-proxy-wasm.c
echo "built engine-proxy-wasm-arena.wasm"
"${CLANG:-clang}" --target=wasm32-wasi -O2 -Wall -Wextra -Werror -mexec-model=reactor \
  -Wl,--strip-debug -DENGINE_ARENA -DENGINE_NO_STREAM_END -o engine-proxy-wasm-context-only.wasm engine-proxy-wasm.c
echo "built engine-proxy-wasm-context-only.wasm"
[ "${1:-}" != --c-only ] || exit 0

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r proxy-wasm/assembly proxy-wasm/package.json proxy-wasm/package-lock.json "$work"/
(
  cd "$work"
  npm ci --no-audit --no-fund --loglevel=error
  npx asc assembly/index.ts -b "$here/engine-proxy-wasm.wasm" --use abort=abort_proc_exit -O3 --runtime full
)
echo "built engine-proxy-wasm.wasm"
