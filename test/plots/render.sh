#!/usr/bin/env bash
# Draws the CLI's charts (ScottPlot) as PNG, and one as SVG, to look at them as a person would: the test forecasts
# with their interval band, the forecasts beyond the end of the data, the training curve, and a simulation against
# the measured output. Not part of CI.
# Usage: bash test/plots/render.sh [OUTPUT_DIR]    (default: a new temporary folder)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$(mktemp -d "${TMPDIR:-/tmp}/r2dn-plots.XXXXXX")}"
mkdir -p "$out"
dotnet build -c Release "$root/src/Microsoft.ML.R2DN.Cli" -nologo -v q
r2dn() { dotnet "$root/src/Microsoft.ML.R2DN.Cli/bin/Release/net10.0/r2dn.dll" "$@" >/dev/null; }
cd "$out"
r2dn train --example --quiet --plot forecast-test.png --loss-plot loss.png
r2dn plot --model r2dn-example.zip --data r2dn-example-data.csv --output forecast-beyond.png
r2dn plot --model r2dn-example.zip --data r2dn-example-data.csv --output forecast-beyond.svg
r2dn train --task simulation --data r2dn-example-data.csv --series-id Series --inputs Drive --outputs Output \
    --epochs 20 --nx 8 --nv 8 --hidden 16 --quiet --output simulation.zip --plot simulation.png
pictures=(forecast-test.png forecast-beyond.png forecast-beyond.svg loss.png simulation.png)
# The SVG as a browser would draw it, when librsvg is installed (apt-get install -y librsvg2-bin).
if command -v rsvg-convert >/dev/null; then
    rsvg-convert -w 900 forecast-beyond.svg -o forecast-beyond-svg.png
    pictures+=(forecast-beyond-svg.png)
fi
for picture in "${pictures[@]}"; do echo "wrote $out/$picture"; done
