#!/usr/bin/env bash
# Puts ONNX Runtime's C/C++ API headers under $1/include/onnxruntime (default build/onnxruntime).
# The onnxruntime wheel ships the library but no headers. Order:
#   1. an installed copy (/usr/include/onnxruntime, or $FLASHSIM_ORT_INCLUDE_DIR);
#   2. Debian trixie's libonnxruntime-dev, fetched with a private apt state under $1
#      (own sources list, lists and cache: the system's apt configuration is untouched),
#      of which only include/ is unpacked.
# The C API is backward compatible, so these (1.21) headers drive the wheel's newer runtime.
set -euo pipefail
dest=${1:-build/onnxruntime}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
have() { [ -f "$1/onnxruntime/onnxruntime_c_api.h" ] || [ -f "$1/onnxruntime_c_api.h" ]; }

if [ -f "$dest/include/onnxruntime/onnxruntime_c_api.h" ]; then exit 0; fi
for dir in "${FLASHSIM_ORT_INCLUDE_DIR:-}" /usr/include /usr/local/include; do
  if [ -n "$dir" ] && have "$dir"; then
    mkdir -p "$dest/include"
    if [ -f "$dir/onnxruntime/onnxruntime_c_api.h" ]; then src="$dir/onnxruntime"; else src="$dir"; fi
    ln -sfn "$src" "$dest/include/onnxruntime"
    echo "onnxruntime headers: using $src"
    exit 0
  fi
done

echo "onnxruntime headers: none installed, fetching Debian's libonnxruntime-dev into $dest"
apt_dir="$dest/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/sources.list.d" "$apt_dir/preferences.d"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
echo "deb [signed-by=$keyring] http://deb.debian.org/debian trixie main" > "$apt_dir/sources.list"
cat > "$apt_dir/apt.conf" <<CONF
Dir::Etc::SourceList "$apt_dir/sources.list";
Dir::Etc::SourceParts "$apt_dir/sources.list.d";
Dir::Etc::PreferencesParts "$apt_dir/preferences.d";
Dir::State::Lists "$apt_dir/lists";
Dir::Cache "$apt_dir/cache";
APT::Sandbox::User "root";
CONF
export APT_CONFIG="$apt_dir/apt.conf"
apt-get -qq update
(cd "$apt_dir" && apt-get -qq download libonnxruntime-dev)
deb=$(ls "$apt_dir"/libonnxruntime-dev_*.deb | head -n 1)
rm -rf "$dest/root"
dpkg -x "$deb" "$dest/root"
mkdir -p "$dest/include"
rm -rf "$dest/include/onnxruntime"
cp -r "$dest/root/usr/include/onnxruntime" "$dest/include/onnxruntime"
rm -rf "$dest/root"
echo "onnxruntime headers: $(basename "$deb") -> $dest/include/onnxruntime"
