#!/usr/bin/env bash
# On a lent GPU machine (device tool), after bench/gpu/pack.sh made .gpu/ here:
#   run: bash bench/gpu/device-check.sh     carry: [".gpu"]
# Prints the GPU and driver, the WebGPU adapter Dawn picked, the WebGPU phase-2 step and
# cache-build rate (MobileNetV2 1.0, last 2 blocks, batch 32, 160 px), and the same step in
# PyTorch on CUDA as the anchor. Targets (issue 22): WebGPU step >= 10x this repo's CPU path
# (bench/README.md), >= 0.3x PyTorch CUDA's.
set -uo pipefail
cd "$(dirname "$0")/../.."
g=.gpu
[ -f "$g/node.xz" ] || { echo "device-check: $g/node.xz missing: run bench/gpu/pack.sh here first and carry .gpu"; exit 2; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true

for f in "$g"/debs/*.deb; do dpkg -x "$f" /; done
ldconfig
if ! ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json >/dev/null 2>&1 && [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
tmp="$(mktemp -d)"
xz -dc "$g/node.xz" >"$tmp/node" && chmod +x "$tmp/node"
xz -dk "$g/node_modules/webgpu/dist/linux-x64/dawn.node.xz" 2>/dev/null || true

echo "== WebGPU (Dawn) through the studio's engine"
timeout 300 "$tmp/node" "$g/bench-webgpu.mjs" --webgpu-only --random --images 256 --steps 20

echo "== PyTorch on CUDA, the same suffix (torchvision's MobileNetV2 features[17:]: block_16 + Conv_1, as the bench unfreezes 2 blocks) and head"
PYTHONUNBUFFERED=1 timeout 200 python3 - <<'PY'
import time, torch
try:
    import torchvision
except ImportError:
    print("no torchvision here: the anchor needs it"); raise SystemExit(0)
dev = "cuda"
print("torch", torch.__version__, torch.cuda.get_device_name(0))
net = torchvision.models.mobilenet_v2()
suffix = torch.nn.Sequential(*net.features[17:], torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(1280, 10)).to(dev)
opt = torch.optim.Adam(suffix.parameters(), lr=1e-4)
x = torch.rand(32, 160, 5, 5, device=dev) * 6
y = torch.arange(32, device=dev) % 10
def step():
    opt.zero_grad(); loss = torch.nn.functional.cross_entropy(suffix(x), y); loss.backward(); opt.step()
for _ in range(5): step()
torch.cuda.synchronize(); t = time.perf_counter()
for _ in range(50): step()
torch.cuda.synchronize()
print(f"phase-2 step (ms): pytorch-cuda {(time.perf_counter() - t) / 50 * 1000:.2f}")
frozen = net.features[:17].to(dev).eval()
imgs = torch.rand(32, 3, 160, 160, device=dev)
with torch.no_grad():
    for _ in range(3): frozen(imgs)
    torch.cuda.synchronize(); t = time.perf_counter()
    for _ in range(20): frozen(imgs)
    torch.cuda.synchronize()
print(f"cache build (images/s): pytorch-cuda {32 * 20 / (time.perf_counter() - t):.0f}")
PY
rm -rf "$tmp"
