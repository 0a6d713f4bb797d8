#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the app and its tests need, only those missing.
# Second runs cost one dpkg-query. Without apt-get (or root/sudo) it says what to install.
set -euo pipefail

PACKAGES=(
  # audio: PortAudio for sounddevice, ALSA's pulse plugin, PulseAudio for the test null sink
  libportaudio2 libsndfile1 libasound2-plugins alsa-utils pulseaudio pulseaudio-utils
  # test signals
  espeak-ng sox
  # evidence interop and report checks; dosfstools for the FAT-stick export test
  age openssl coreutils poppler-utils chromium dosfstools
  # zbarimg reads back the QR code of the paper backup key in the tests
  zbar-tools
  # Qt runtime (offscreen and xcb), Japanese fonts, a virtual screen for screenshots
  libegl1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
  libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 fonts-noto-cjk fonts-dejavu-core xvfb xauth
  # make package and tests/packaging: the .desktop entry checked (desktop-file-validate), the
  # man page rendered (man), fontconfig's fc-list (the report's fonts on a PC without them)
  desktop-file-utils man-db fontconfig
  # python venv; gdb prints a native backtrace if the test process crashes (scripts/run-tests)
  python3-venv gdb
  # the central store's tests: a real PostgreSQL server (initdb in a temporary folder) and psql
  postgresql postgresql-client
  # the statistics' and incident list's CSV/.xlsx read back by a second program (soffice
  # --headless --convert-to); the smallest Debian package with Calc and no GUI
  libreoffice-calc-nogui
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "apt-get is not available. Install these packages with your system's package manager:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Not root and no sudo. As root run: apt-get install ${missing[*]}" >&2; exit 1
  fi
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
