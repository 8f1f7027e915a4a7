#!/usr/bin/env bash
# `make demo`: the `inexogy` command end to end against the simulator, on a free loopback port.
#
# Starts `inexogy-mock --port 0`, logs in as the demo account (the full OAuth dance, with a
# temporary token file), lists the meters, shows the solar meter's last reading, exports a week
# of 15-minute readings (CSV) and three days of raw readings (Parquet, several requests), draws
# a chart, and stops the simulator again, also when a step fails.
set -euo pipefail

cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
OUT=${OUT:-demo-output}
METER=1ESY1161229886  # the demo account's solar meter (fullSerialNumber)

work=$(mktemp -d)
mock_pid=""
stop_mock() {
    if [[ -n $mock_pid ]] && kill -0 "$mock_pid" 2>/dev/null; then
        kill "$mock_pid"
        wait "$mock_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap stop_mock EXIT
trap 'exit 130' INT TERM
trap 'echo "make demo failed at: $BASH_COMMAND" >&2' ERR

if [[ -t 1 ]]; then bold=$'\033[1m' plain=$'\033[0m'; else bold="" plain=""; fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$plain"; }

step "Starting the simulator (inexogy-mock --port 0)"
# Its first stdout line names the URL once it is listening; read it from a pipe, no polling.
exec {mock_out}< <(exec "$BIN/inexogy-mock" --host 127.0.0.1 --port 0 2>"$work/mock.log")
mock_pid=$!
if ! read -r -t 60 ready <&"$mock_out" || [[ $ready != "inexogy-mock listening on "* ]]; then
    echo "inexogy-mock did not start; its log:" >&2
    cat "$work/mock.log" >&2
    exit 1
fi
cat <&"$mock_out" >/dev/null &  # keep draining its stdout so it never blocks on a full pipe
echo "$ready"

export INEXOGY_BASE_URL=${ready#inexogy-mock listening on }
export INEXOGY_TOKEN_FILE=$work/token.json
unset INEXOGY_EMAIL INEXOGY_PASSWORD
inexogy() { "$BIN/inexogy" "$@"; }

# Whole local days that have ended: the ranges lie within the simulator's data (it starts on
# 2024-01-01 and never goes beyond now) and give the same row counts on every run.
read -r today week_ago three_days_ago < <("$BIN/python" -c '
import datetime as d
t = d.date.today()
print(t, t - d.timedelta(days=7), t - d.timedelta(days=3))')

mkdir -p "$OUT"

step "inexogy login --email demo@inexogy.com --password-stdin"
inexogy login --email demo@inexogy.com --password-stdin <<<"demo"

step "inexogy meters"
inexogy meters

step "inexogy last-reading $METER"
inexogy last-reading "$METER"

step "inexogy readings $METER --from $week_ago --to $today --resolution fifteen_minutes"
inexogy readings "$METER" --from "$week_ago" --to "$today" --resolution fifteen_minutes \
    --output "$OUT/readings.csv"
head -n 3 "$OUT/readings.csv"

step "inexogy readings $METER --from $three_days_ago --to $today --resolution raw (3 requests)"
inexogy readings "$METER" --from "$three_days_ago" --to "$today" --resolution raw \
    --output "$OUT/raw.parquet"

step "inexogy plot $METER --from $week_ago --to $today --field power"
inexogy plot "$METER" --from "$week_ago" --to "$today" --field power --output "$OUT/power.png"

step "inexogy usage $METER --from $week_ago --to $today --per day --price 0.32"
inexogy usage "$METER" --from "$week_ago" --to "$today" --per day --price 0.32

step "inexogy logout"
inexogy logout

step "Done. The files are in $(cd "$OUT" && pwd):"
ls -l "$OUT/readings.csv" "$OUT/raw.parquet" "$OUT/power.png"
