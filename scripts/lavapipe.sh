#!/usr/bin/env bash
# Software Vulkan (Mesa's lavapipe) for the WebGPU tests, without touching the system's
# own driver or apt sources. Dawn refuses Debian 12's lavapipe (Mesa 22.3.6: missing
# dynamic-indexing features); bookworm-backports has Mesa 25, which works but needs a
# newer libdrm than Debian 12's. So Debian's own packages are fetched through a private
# apt state (lists, cache and sources under the work folder), unpacked with dpkg -x into
# one folder with the Vulkan loader, and an ICD json names that folder's libvulkan_lvp.so.
#
#   eval "$(scripts/lavapipe.sh)"        # exports VK_DRIVER_FILES and LD_LIBRARY_PATH
#   scripts/lavapipe.sh DIR              # unpack into DIR instead of the user cache
#
# Progress goes to stderr; stdout holds only the export lines. A second call with the
# folder in place does no network work.
set -euo pipefail

dest="${1:-${STUDIO_LAVAPIPE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/finetune-studio/lavapipe}}"
arch="$(dpkg --print-architecture 2>/dev/null || true)"
case "$arch" in
  amd64) triplet=x86_64-linux-gnu ;;
  arm64) triplet=aarch64-linux-gnu ;;
  *) echo "lavapipe.sh: needs Debian's dpkg on amd64 or arm64 (found '${arch:-no dpkg}')" >&2; exit 1 ;;
esac
lib="$dest/root/usr/lib/$triplet"
icd="$dest/lvp_icd.json"

say() { echo "lavapipe.sh: $*" >&2; }

print_env() {
  echo "export VK_DRIVER_FILES='$icd'"
  echo "export LD_LIBRARY_PATH='$lib'\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
}

if [ -f "$icd" ] && [ -f "$lib/libvulkan_lvp.so" ] && [ -e "$lib/libvulkan.so.1" ]; then
  print_env
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || { say "$keyring not found: install debian-archive-keyring"; exit 1; }
cat >"$work/sources.list" <<EOF
deb [signed-by=$keyring] http://deb.debian.org/debian bookworm main
deb [signed-by=$keyring] http://deb.debian.org/debian bookworm-backports main
EOF
apt_opts=(-q -o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o APT::Sandbox::User=root)

say "reading Debian's package lists (bookworm, bookworm-backports) into a private apt state"
apt-get "${apt_opts[@]}" update >&2

# Mesa 25 wants libdrm >= 2.4.121, which only backports has; the loader is Debian 12's.
# Its other needs are ordinary Debian 12 libraries: fetched too when this machine lacks them.
wanted=(mesa-vulkan-drivers/bookworm-backports libdrm2/bookworm-backports libdrm-amdgpu1/bookworm-backports libvulkan1)
deps="$(apt-cache "${apt_opts[@]}" show mesa-vulkan-drivers/bookworm-backports | sed -n 's/^Depends: //p' | head -1)"
for dep in $(echo "$deps" | tr ',' '\n' | sed 's/[ (].*//; s/^ *//' | sort -u); do
  case "$dep" in libvulkan1 | libdrm2 | libdrm-amdgpu1 | '') continue ;; esac
  dpkg-query -W -f='${Status}' "$dep" 2>/dev/null | grep -q 'ok installed' || wanted+=("$dep")
done
say "downloading ${wanted[*]}"
(cd "$work/debs" && apt-get "${apt_opts[@]}" download "${wanted[@]}" >&2)

rm -rf "$dest.partial"
mkdir -p "$dest.partial"
for deb in "$work"/debs/*.deb; do dpkg -x "$deb" "$dest.partial/root"; done
rm -rf "$dest"
mv "$dest.partial" "$dest"

missing="$(LD_LIBRARY_PATH="$lib" ldd "$lib/libvulkan_lvp.so" | sed -n 's/^\s*\(\S*\) => not found/\1/p')"
if [ -n "$missing" ]; then
  say "libvulkan_lvp.so still lacks: $missing; install the Debian 12 packages that provide them (apt-file search NAME)"
  exit 1
fi
printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.4.305"}}\n' "$lib/libvulkan_lvp.so" >"$icd"
say "lavapipe $(dpkg-deb -f "$work"/debs/mesa-vulkan-drivers_*.deb Version) unpacked in $dest"
print_env
