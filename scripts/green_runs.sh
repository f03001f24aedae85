#!/usr/bin/env bash
# Is the README's test command green every time? Runs `make test` RUNS times (default 3) on an
# idle machine, then RUNS times with one core kept busy by another process, on a fresh clone of
# the committed HEAD (set up once before the first run; set-up is not timed). Prints one line a
# run: load, exit code, wall time, and pytest's closing lines. Exit code: 0 when every run passed.
#
#   scripts/green_runs.sh            # 3 idle + 3 busy
#   RUNS=1 LOADS=busy scripts/green_runs.sh
set -uo pipefail

runs=${RUNS:-3}
loads=${LOADS:-"idle busy"}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
busy_pid=""
cleanup() {
    [ -n "$busy_pid" ] && kill "$busy_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

git clone --quiet "$repo" "$work/clone"
cd "$work/clone" || exit 1
echo "clone of $(git rev-parse --short HEAD) in $work/clone; setting up..."
make setup >"$work/setup.log" 2>&1 || { tail -20 "$work/setup.log"; exit 1; }

failed=0
for load in $loads; do
    for i in $(seq 1 "$runs"); do
        if [ "$load" = busy ]; then
            # One core kept busy for the whole run; stopped right after it.
            python3 -c "while True: pass" &
            busy_pid=$!
        fi
        start=$(date +%s)
        make test >"$work/run.log" 2>&1
        code=$?
        seconds=$(( $(date +%s) - start ))
        if [ -n "$busy_pid" ]; then
            kill "$busy_pid" 2>/dev/null
            wait "$busy_pid" 2>/dev/null
            busy_pid=""
        fi
        summary=$(grep -E "^=+ .*(passed|failed|error).* =+$" "$work/run.log" | tr -d '=' | paste -sd '|')
        printf '%s run %d: exit %d, %dm%02ds |%s\n' "$load" "$i" "$code" $((seconds / 60)) $((seconds % 60)) "$summary"
        if [ "$code" -ne 0 ]; then
            failed=1
            cp "$work/run.log" "$repo/green-run-$load-$i.log"
            echo "  (log kept: green-run-$load-$i.log)"
        fi
    done
done
exit "$failed"
