#!/usr/bin/env bash
# Installs the C libraries Seer links (Debian/Ubuntu packages, or Homebrew on macOS), then the
# Python tools some tests talk to (Seer itself needs no Python).
set -euo pipefail
cd "$(dirname "$0")/.."

install_test_tools() {
    # huggingface_hub: the Hub tests check that Seer and Python share one cache.
    python3 -m pip install -q --retries 5 huggingface_hub==2.4.0
    # pgserver: a PostgreSQL server with pgvector in a wheel, for the `--db postgres://…` tests.
    python3 -m pip install -q --retries 5 pgserver==0.1.4
    # selenium: drives the labeling page (GET /label) in Debian's headless chromium.
    python3 -m pip install -q --retries 5 selenium==4.50.0
    # pycocotools: the mask tests check that COCO tools read Seer's polygons back as the mask.
    python3 -m pip install -q --retries 5 pycocotools==2.0.11
    # scikit-learn: the linear-probe test fits its LogisticRegression on the same features (scripts/sklearn_probe_reference.py).
    python3 -m pip install -q --retries 5 scikit-learn==1.9.1
    # schemathesis: the contract test runs it against seer serve (its dependencies sit beside the pins above).
    python3 -m pip install -q --retries 5 schemathesis==4.32.5
    # Roboflow's inference-sdk: the server tests call seer serve with it. In its own venv: it
    # pins numpy<2.4 and pillow>=12.3, which the fixture tools' pins cannot share.
    if [[ ! -x .venv-inference-sdk/bin/python ]]; then python3 -m venv .venv-inference-sdk; fi
    .venv-inference-sdk/bin/python -m pip install -q --retries 5 inference-sdk==1.8.3
    # supervision (the library Autodistill writes its datasets with): the autolabel tests read
    # Seer's YOLO and COCO datasets back with it (scripts/read_dataset.py), and with pycocotools.
    # In its own venv: it needs pillow>=11, which the fixture tools' pillow==10.4.0 pin cannot share.
    if [[ ! -x .venv-supervision/bin/python ]]; then python3 -m venv .venv-supervision; fi
    .venv-supervision/bin/python -m pip install -q --retries 5 supervision==0.31.2 pycocotools==2.0.11 opencv-python-headless==5.1.0.95
}

if [[ "$(uname)" == "Darwin" ]]; then
    brew install jpeg-turbo libpng webp ffmpeg libpq freetype pkg-config   # BLAS comes from Accelerate
    install_test_tools
    exit 0
fi
packages=(libopenblas-dev libjpeg62-turbo-dev libpng-dev libwebp-dev pkg-config
          libavformat-dev libavcodec-dev libswscale-dev libavutil-dev
          libpq-dev   # PostgreSQL's client library, for `--db postgres://…`
          libfreetype-dev fonts-dejavu-core   # labels drawn by `seer detect --draw`
          opencv-doc  # vtest.avi, a real video without cuts, for the SeerVideo tests
          chromium chromium-driver    # the labeling page's browser test (scripts/labeling_page_test.py)
          shellcheck)                 # .ci/run lints every shell script
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if (( ${#missing[@]} )); then
    # As root, apt-get runs directly; otherwise through sudo. `env` carries the variable
    # either way (a bare `VAR=value` after an empty "$sudo" would be taken as a command name).
    run_root=(env DEBIAN_FRONTEND=noninteractive)
    [[ $(id -u) -eq 0 ]] || run_root=(sudo "${run_root[@]}")
    echo "setup: installing ${missing[*]}"
    "${run_root[@]}" apt-get update -qq
    "${run_root[@]}" apt-get install -y -qq "${missing[@]}"
else
    echo "setup: all ${#packages[@]} system packages are already installed"
fi
install_test_tools
