#!/usr/bin/env bash
# Packs what bench/gpu/device-check.sh needs on a lent GPU machine, which has no Node, no
# network and takes at most 64 MiB of working tree: Node's binary (xz), the WebGPU bench as
# one bundle (tfjs inside it), the webgpu package with linux-x64's dawn.node only, and the
# Vulkan loader's Debian packages (the device tool's README: libvulkan1 and its kin).
# Writes .gpu/ (git-ignored); the device run carries it: carry [".gpu"].
set -euo pipefail
cd "$(dirname "$0")/../.."
out=.gpu
rm -rf "$out"
mkdir -p "$out/node_modules/webgpu/dist/linux-x64" "$out/debs"

xz -T2 -6 -c "$(command -v node)" >"$out/node.xz"
cp node_modules/webgpu/{index.js,package.json} "$out/node_modules/webgpu/"
xz -T2 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node >"$out/node_modules/webgpu/dist/linux-x64/dawn.node.xz"

# tfjs is bundled in; only Dawn's package (a native addon found beside index.js) and the
# runtimes the --webgpu-only bench never loads stay outside.
npx esbuild bench/webgpu.ts --bundle --platform=node --target=node20 --format=esm \
  --outfile="$out/bench-webgpu.mjs" --log-level=warning \
  --external:webgpu --external:onnxruntime-node --external:sharp --external:h5wasm --external:'h5wasm/*' \
  --external:better-sqlite3 --external:nsfwjs \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"

state="$(mktemp -d)"
trap 'rm -rf "$state"' EXIT
mkdir -p "$state/partial"
o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$state" -oAPT::Sandbox::User=root -q)
apt-get "${o[@]}" update >/dev/null
(cd "$out/debs" && apt-get "${o[@]}" download libvulkan1 >/dev/null)

du -sb "$out" | awk '{ printf "%s: %.1f MiB (the device tool takes 64 MiB with the rest of the tree)\n", $2, $1 / 1048576 }'
