#!/usr/bin/env bash
# Renders the CLI's SVG plots to PNG with headless Chromium, to look at them as a person would.
# Needs Debian's chromium (apt-get install -y chromium). Not part of CI.
# Usage: bash test/plots/render.sh [OUTPUT_DIR]    (default: a new temporary folder)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$(mktemp -d "${TMPDIR:-/tmp}/r2dn-plots.XXXXXX")}"
mkdir -p "$out"
command -v chromium >/dev/null || { echo "chromium is not installed (apt-get install -y chromium)" >&2; exit 2; }
dotnet build -c Release "$root/src/Microsoft.ML.R2DN.Cli" -nologo -v q
r2dn() { dotnet "$root/src/Microsoft.ML.R2DN.Cli/bin/Release/net10.0/r2dn.dll" "$@"; }
cd "$out"
r2dn train --example --quiet
r2dn plot --model r2dn-example.zip --data r2dn-example-data.csv --output forecast-beyond.svg
for svg in *.svg; do
    profile="$(mktemp -d)"
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --user-data-dir="$profile" \
        --screenshot="$out/${svg%.svg}.png" --window-size=900,420 "file://$out/$svg" 2>/dev/null
    rm -rf "$profile"
    echo "rendered $out/${svg%.svg}.png"
done
