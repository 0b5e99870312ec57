#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Install the Debian 12 packages polltcp needs to build and test; do nothing
# when they are all present. Needs root (or sudo) only when something is missing.
set -euo pipefail

# gnuplot-nox: scripts/bench.sh's plots; dpdk: dpdk-devbind.py and dpdk-hugepages.py
# for a real NIC (dpdk-testpmd itself is in dpdk-dev).
# clang + libclang-rt-14-dev: the clang sanitizer build and the libFuzzer
# harnesses (libclang_rt.fuzzer-x86_64.a; Debian 12's clang is clang-14).
PKGS=(build-essential dpdk-dev libdpdk-dev libnuma-dev libcmocka-dev meson ninja-build
      pkg-config python3 iproute2 iputils-ping nftables socat tshark
      clang libclang-rt-14-dev gnuplot-nox dpdk)

missing=()
for p in "${PKGS[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "deps: all ${#PKGS[@]} packages present"
    exit 0
fi

echo "deps: installing ${missing[*]}"
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "deps: not root and no sudo" >&2; exit 1; }
    SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture: answer no, without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" \
    | "${SUDO[@]}" debconf-set-selections 2>/dev/null || true
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
