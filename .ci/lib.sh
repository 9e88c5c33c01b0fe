# shellcheck shell=bash
# Shared by .ci/app and .ci/test (sourced, not run): the repo root, the virtualenv, and the
# system packages. Every step checks before it acts, so a second run is quick and touches
# neither apt nor pip.

set -euo pipefail

# What the window needs on Linux: Qt's xcb platform plugin and what PySide6's Qt links to
# (since Qt 6.5 also libxcb-cursor0), and fonts. Checked with `dpkg -s`, on Debian only.
APP_SYSTEM_PACKAGES=(
    libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
    libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
    libxcb-render-util0 libxcb-shape0 libxcb-xkb1 fonts-dejavu-core
    # Emoji (the picker, reactions) in colour rather than as empty boxes.
    fonts-noto-color-emoji
)

# System packages the test suite needs, as "debian-package:command-it-provides". A package
# counts as present when its command is on PATH (whatever installed it); an entry without
# ":command" is checked with `dpkg -s`. Add what later tests need here, e.g.
#   xvfb:Xvfb dbus:dbus-daemon dbus-x11:dbus-launch gnome-keyring:gnome-keyring-daemon
#   dunst:dunst libsecret-tools:secret-tool xdotool:xdotool libxcb-cursor0
# shellcheck disable=SC2034 # used by .ci/test
TEST_SYSTEM_PACKAGES=(
    nodejs:node # the compat test runs the official pusher-js and Node `pusher` (node >= 18)
    npm:npm     # installs them from tests/compat/package-lock.json
    # The seed page tests (tests/integration/seed/): a real headless browser, driven by
    # puppeteer-core from tests/compat (which never downloads a browser of its own).
    chromium:chromium
    # The client tests' real Secret Service (tests/integration/client/conftest.py): a private
    # session bus, gnome-keyring on it, `gdbus wait` for it to be up, and libsecret's CLI to
    # read entries as other desktop programs see them.
    dbus:dbus-daemon
    gnome-keyring:gnome-keyring-daemon
    libglib2.0-bin:gdbus
    libsecret-tools:secret-tool
    # The window and notification tests: a real X server, a real notification server
    # (dunstctl history calls busctl), and the libraries the window itself needs.
    xvfb:Xvfb
    dunst:dunst
    systemd:busctl
    # The desktop journey (tests/integration/ui/test_journey_xvfb.py): app processes under a
    # window manager, real key events, and the other window read back from a screenshot.
    openbox:openbox
    xdotool:xdotool
    wmctrl:wmctrl
    imagemagick:import
    tesseract-ocr:tesseract
    tesseract-ocr-eng
    # The relay's PostgreSQL store: tests/postgres_server.py runs initdb and pg_ctl from
    # /usr/lib/postgresql/*/bin in a temporary directory (checked with dpkg -s: Debian keeps
    # those binaries off PATH).
    postgresql
    # Installing like a desktop app (tests/packaging, tests/bundle): the launcher entry is
    # checked with desktop-file-validate, the .deb with lintian.
    desktop-file-utils:desktop-file-validate
    lintian:lintian
    "${APP_SYSTEM_PACKAGES[@]}"
)

# What .ci/deb needs: dpkg-deb and dpkg -S come with dpkg itself; lintian checks the
# package, appstreamcli the AppStream metainfo.
# shellcheck disable=SC2034 # used by .ci/deb
DEB_SYSTEM_PACKAGES=(
    lintian:lintian
    appstream:appstreamcli
    desktop-file-utils:desktop-file-validate
)

# PyInstaller's cache (bincache of stripped libraries) for this checkout alone: two builds
# sharing the user-wide ~/.cache/pyinstaller at once corrupted it.
export PYINSTALLER_CONFIG_DIR="${PYINSTALLER_CONFIG_DIR:-$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)/build/pyinstaller-config}"

MIN_PYTHON=(3 11)
MIN_NODE_MAJOR=18

REPO_ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
VENV="$REPO_ROOT/.venv"
VENV_PY="$VENV/bin/python"
# Holds the hash of pyproject.toml the venv was last installed from.
INSTALL_STAMP="$VENV/.desktopchat-install-stamp"
cd "$REPO_ROOT"

# The name of the script that sourced us, for messages (".ci/test: ...").
CI_SCRIPT=".ci/$(basename -- "$0")"

say() { printf '%s: %s\n' "$CI_SCRIPT" "$*" >&2; }
die() {
    say "$*"
    exit 1
}

is_root() { [[ "$(id -u)" -eq 0 ]]; }
is_debian() { [[ -f /etc/debian_version ]] && command -v apt-get >/dev/null && command -v dpkg >/dev/null; }

# sha256 of the given files' contents (portable: coreutils, macOS, or Python as a last resort).
hash_files() {
    if command -v sha256sum >/dev/null; then
        cat -- "$@" | sha256sum | cut -d' ' -f1
    elif command -v shasum >/dev/null; then
        cat -- "$@" | shasum -a 256 | cut -d' ' -f1
    else
        cat -- "$@" | "${PYTHON:-python3}" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())'
    fi
}

APT_UPDATED=0
# apt-get install as root on Debian, after one `apt-get update` per run.
apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    if [[ $APT_UPDATED -eq 0 ]]; then
        say "apt-get update"
        apt-get update -qq
        APT_UPDATED=1
    fi
    say "apt-get install -y --no-install-recommends $*"
    apt-get install -y -qq --no-install-recommends "$@"
}

# Install the Debian packages given, if we are allowed to; otherwise explain and stop.
install_or_explain() {
    if is_debian && is_root; then
        apt_install "$@"
    elif is_debian; then
        die "missing system packages: $*
Install them, then run this again:
    sudo apt-get install -y --no-install-recommends $*"
    else
        die "missing system packages (Debian names): $*
Install the equivalent with your system's package manager (e.g. \`brew install node\` for
nodejs and npm on macOS), then run this again."
    fi
}

node_ok() {
    local major
    command -v node >/dev/null || return 1
    major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" || return 1
    [[ "$major" =~ ^[0-9]+$ ]] && ((major >= MIN_NODE_MAJOR))
}

# Whether one "package:command" entry is satisfied.
package_present() {
    local package="${1%%:*}" command=""
    [[ "$1" == *:* ]] && command="${1#*:}"
    if [[ "$package" == nodejs ]]; then
        node_ok
    elif [[ -n "$command" ]]; then
        command -v "$command" >/dev/null
    else
        dpkg -s "$package" >/dev/null 2>&1
    fi
}

# ensure_system_packages ENTRY...: install (or ask for) only what is missing.
ensure_system_packages() {
    local entry missing=()
    for entry in "$@"; do
        package_present "$entry" || missing+=("${entry%%:*}")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    if command -v node >/dev/null && ! node_ok; then
        say "node $(node --version) is too old: node >= $MIN_NODE_MAJOR is needed"
    fi
    install_or_explain "${missing[@]}"
    for entry in "$@"; do
        package_present "$entry" && continue
        if [[ "${entry%%:*}" == nodejs ]]; then
            die "node >= $MIN_NODE_MAJOR is needed, but '$(command -v node || echo node)' is $(node --version 2>/dev/null || echo missing)"
        fi
        die "still missing after installing: ${entry%%:*}"
    done
}

# The interpreter to build the venv from: $PYTHON or python3, checked to be >= 3.11.
check_python() {
    PYTHON="${PYTHON:-python3}"
    command -v "$PYTHON" >/dev/null ||
        die "no '$PYTHON' on PATH. Install Python >= ${MIN_PYTHON[0]}.${MIN_PYTHON[1]}, or point PYTHON at one: PYTHON=/path/to/python3.11 $CI_SCRIPT"
    local version
    version="$("$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')" ||
        die "'$PYTHON' does not run"
    if ! "$PYTHON" -c "import sys; sys.exit(sys.version_info < (${MIN_PYTHON[0]}, ${MIN_PYTHON[1]}))"; then
        die "desktopchat needs Python >= ${MIN_PYTHON[0]}.${MIN_PYTHON[1]}, but '$PYTHON' is $version.
Install a newer Python and run with PYTHON=/path/to/python3.11 (or newer) $CI_SCRIPT"
    fi
}

# What identifies an interpreter for our purposes: its installation and major.minor.
python_identity() {
    "$1" -c 'import sys; print(sys.base_prefix, "%d.%d" % sys.version_info[:2])' 2>/dev/null
}

# Debian splits venv support (ensurepip) out of the interpreter: python3-venv for the default
# python3, python3.X-venv for any other version.
venv_package() {
    local version default
    version="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    default="$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)"
    if [[ "$version" == "$default" ]]; then
        echo python3-venv
    else
        echo "python$version-venv"
    fi
}

create_venv() {
    rm -rf -- "$VENV"
    say "creating $VENV with $PYTHON"
    if "$PYTHON" -m venv "$VENV"; then
        return 0
    fi
    rm -rf -- "$VENV"
    if is_debian && ! "$PYTHON" -c 'import ensurepip' 2>/dev/null; then
        install_or_explain "$(venv_package)"
        "$PYTHON" -m venv "$VENV" && return 0
        rm -rf -- "$VENV"
    fi
    die "'$PYTHON -m venv $VENV' failed (see above)"
}

# The installed shiboken6's dist-info directory name (its version), or nothing.
installed_shiboken() {
    local found=("$VENV"/lib/python*/site-packages/shiboken6-*.dist-info)
    [[ -e "${found[0]}" ]] && basename -- "${found[0]}"
    return 0
}

# Create .venv if it is missing, broken or from another Python, then `pip install -e .[test]`
# unless pyproject.toml is unchanged since the last successful install.
ensure_venv() {
    check_python
    if [[ ! -x "$VENV_PY" ]] || [[ "$(python_identity "$VENV_PY")" != "$(python_identity "$PYTHON")" ]]; then
        create_venv
    fi
    local want
    # The suffix names what the install step does beyond pip, so a venv set up before a
    # step was added gets it once; and the shiboken6 installed, so that after a PySide6
    # upgrade by hand its unpacked modules are written again (pip leaves the old ones).
    want="$(hash_files pyproject.toml)+pyside-support:$(installed_shiboken)"
    if [[ -f "$INSTALL_STAMP" ]] && [[ "$(<"$INSTALL_STAMP")" == "$want" ]]; then
        return 0
    fi
    say "installing desktopchat and its test tools into .venv (pip install -e '.[test]')"
    rm -f -- "$INSTALL_STAMP"
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 \
        "$VENV_PY" -m pip install --quiet -e '.[test]' ||
        die "pip install -e '.[test]' failed (see above)"
    # shiboken6 compiles its own start-up modules on every start unless they are unpacked
    # (desktopchat/tools/pyside_support.py): ~20 ms of every window start.
    "$VENV_PY" -m desktopchat.tools.pyside_support >/dev/null ||
        say "could not unpack shiboken6's modules; the window starts ~20 ms slower"
    printf '%s\n' "$(hash_files pyproject.toml)+pyside-support:$(installed_shiboken)" \
        >"$INSTALL_STAMP"
}

# The checkout's byte code, compiled where the sources changed, when PYTHONDONTWRITEBYTECODE
# is set (container and CI images often set it): Python then never writes .pyc files, and
# every start compiled every module again, ~0.25 s of the window's first paint here. An
# install compiles them once (pip does); this does the same for a checkout (~50 ms when
# nothing changed).
compile_checkout() {
    [[ -n "${PYTHONDONTWRITEBYTECODE:-}" ]] || return 0
    "$VENV_PY" -m compileall -q desktopchat >/dev/null ||
        say "could not write desktopchat's byte code; starting without it"
}

# Build dist/desktopchat/ from build.spec with PyInstaller, then run its --self-test.
build_bundle() {
    say "building dist/desktopchat with PyInstaller (cache: $PYINSTALLER_CONFIG_DIR)"
    "$VENV_PY" -m PyInstaller --noconfirm --log-level WARN build.spec
    say "running the frozen self-test"
    QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}" DESKTOPCHAT_HOME="$(mktemp -d)" \
        dist/desktopchat/desktopchat --self-test
}
