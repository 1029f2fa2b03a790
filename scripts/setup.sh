#!/usr/bin/env bash
# Installs the C libraries Seer links (Debian/Ubuntu packages, or Homebrew on macOS).
set -euo pipefail
if [[ "$(uname)" == "Darwin" ]]; then
    brew install jpeg-turbo libpng webp ffmpeg pkg-config   # BLAS comes from Accelerate
    exit 0
fi
packages=(libopenblas-dev libjpeg62-turbo-dev libpng-dev libwebp-dev pkg-config
          libavformat-dev libavcodec-dev libswscale-dev libavutil-dev
          opencv-doc)   # opencv-doc: vtest.avi, a real video without cuts, for the SeerVideo tests
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if (( ${#missing[@]} )); then
    sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
