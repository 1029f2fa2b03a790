#!/usr/bin/env bash
# Runs scripts/setup.sh against stand-ins for apt-get, dpkg, sudo, id and python3 (pip), first
# on PATH, and checks the exact commands it would run: as root and as a user with sudo, with
# every system package missing, some missing, and none missing. Nothing is installed.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The stand-ins: each appends its command line to $LOG and pretends.
mkdir -p "$work/bin"
cat > "$work/bin/apt-get" <<'STUB'
#!/usr/bin/env bash
echo "apt-get $* [DEBIAN_FRONTEND=${DEBIAN_FRONTEND:-}]" >> "$LOG"
STUB
cat > "$work/bin/dpkg" <<'STUB'
#!/usr/bin/env bash
# `dpkg -s NAME` succeeds only for the names in $INSTALLED.
[[ "$1" == "-s" ]] || { echo "dpkg stand-in: unexpected $*" >&2; exit 2; }
for p in $INSTALLED; do [[ "$p" == "$2" ]] && exit 0; done
exit 1
STUB
cat > "$work/bin/sudo" <<'STUB'
#!/usr/bin/env bash
echo "sudo $*" >> "$LOG"
exec "$@"
STUB
cat > "$work/bin/id" <<'STUB'
#!/usr/bin/env bash
[[ "$1" == "-u" ]] || { echo "id stand-in: unexpected $*" >&2; exit 2; }
echo "$FAKE_UID"
STUB
cat > "$work/bin/python3" <<'STUB'
#!/usr/bin/env bash
echo "python3 $*" >> "$LOG"
# `python3 -m venv DIR` leaves a DIR/bin/python that is this stand-in too.
if [[ "$1 $2" == "-m venv" ]]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; fi
STUB
chmod +x "$work/bin/"*

# The system packages setup.sh must install, in its order (written out: the test states what
# the script must do, it does not read it back from the script).
all_packages="libopenblas-dev libjpeg62-turbo-dev libpng-dev libwebp-dev pkg-config libavformat-dev libavcodec-dev libswscale-dev libavutil-dev libpq-dev libfreetype-dev fonts-dejavu-core opencv-doc chromium chromium-driver shellcheck"

passed=0 failed=0
check() { # name, expected log, uid, installed packages
    local name="$1" expected="$2" uid="$3" installed="$4"
    rm -rf "$work/repo" && mkdir -p "$work/repo/scripts"
    cp "$repo/scripts/setup.sh" "$work/repo/scripts/"
    : > "$work/log"
    local out status=0
    out=$(cd "$work/repo" && PATH="$work/bin:$PATH" LOG="$work/log" FAKE_UID="$uid" INSTALLED="$installed" \
          bash scripts/setup.sh 2>&1) || status=$?
    if [[ $status -eq 0 && "$(cat "$work/log")" == "$expected" ]]; then
        passed=$((passed + 1)); echo "ok: $name"
    else
        failed=$((failed + 1))
        echo "FAILED: $name (exit $status)"; echo "--- setup.sh printed:"; echo "$out"
        diff <(echo "$expected") "$work/log" | sed 's/^/    /' || true
    fi
    last_output="$out"
}

pip_lines='python3 -m pip install -q --retries 5 huggingface_hub==2.4.0
python3 -m pip install -q --retries 5 pgserver==0.1.4
python3 -m pip install -q --retries 5 selenium==4.50.0
python3 -m pip install -q --retries 5 pycocotools==2.0.11
python3 -m pip install -q --retries 5 scikit-learn==1.9.1
python3 -m pip install -q --retries 5 schemathesis==4.32.5
python3 -m venv .venv-inference-sdk
.venv-inference-sdk/bin/python -m pip install -q --retries 5 inference-sdk==1.8.3
python3 -m venv .venv-supervision
.venv-supervision/bin/python -m pip install -q --retries 5 supervision==0.31.2 pycocotools==2.0.11 opencv-python-headless==5.1.0.95'
# The venvs' python is the python3 stand-in, so it logs itself as python3.
pip_lines=${pip_lines//.venv-inference-sdk\/bin\/python -m/python3 -m}
pip_lines=${pip_lines//.venv-supervision\/bin\/python -m/python3 -m}

apt_root="apt-get update -qq [DEBIAN_FRONTEND=noninteractive]
apt-get install -y -qq $all_packages [DEBIAN_FRONTEND=noninteractive]"
check "root, nothing installed" "$apt_root
$pip_lines" 0 ""

some_installed="libpng-dev pkg-config chromium"
some_missing=$(for p in $all_packages; do [[ " $some_installed " == *" $p "* ]] || printf '%s ' "$p"; done | xargs)
check "root, some installed" "apt-get update -qq [DEBIAN_FRONTEND=noninteractive]
apt-get install -y -qq $some_missing [DEBIAN_FRONTEND=noninteractive]
$pip_lines" 0 "$some_installed"

check "user with sudo, nothing installed" "sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
apt-get update -qq [DEBIAN_FRONTEND=noninteractive]
sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $all_packages
apt-get install -y -qq $all_packages [DEBIAN_FRONTEND=noninteractive]
$pip_lines" 1000 ""

check "user with sudo, everything installed" "$pip_lines" 1000 "$all_packages"
if [[ "$last_output" != *"setup: all "*" system packages are already installed"* ]]; then
    failed=$((failed + 1)); echo "FAILED: with everything installed, setup.sh does not say so: $last_output"
fi

echo "setup.sh: $passed passed, $failed failed"
(( failed == 0 ))
