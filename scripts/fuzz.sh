#!/usr/bin/env bash
# Run every fuzz target in fuzz/ for a fixed budget (not part of CI's default run).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). cargo-fuzz wants nightly for
# -Zsanitizer; on stable we set RUSTC_BOOTSTRAP=1 and build without a sanitizer
# (`-s none`: safe Rust, `unsafe_code = "forbid"`), which libFuzzer still drives.
# Corpora grow in fuzz/corpus/<target> (kept between runs, not committed; seeded
# from fuzz/seeds/<target>); crashes land in fuzz/artifacts/<target>. Each
# crash must become a regression test in tests/it/fuzz_regressions.rs and a fix.
# Prints one summary line per target: executions, and whether it crashed.
set -euo pipefail
cd "$(dirname "$0")/.."

budget="${1:-60}"
shift || true
export RUSTC_BOOTSTRAP=1

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz)
fi

cargo fuzz build -s none --fuzz-dir fuzz >/dev/null

summary=()
status=0
for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
    seeds=()
    [ -d "fuzz/seeds/$t" ] && seeds=("fuzz/seeds/$t")
    log="fuzz/artifacts/$t/last-run.log"
    if cargo fuzz run -s none --fuzz-dir fuzz "$t" "fuzz/corpus/$t" "${seeds[@]}" -- \
        -max_total_time="$budget" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
        -print_final_stats=1 >"$log" 2>&1; then
        result=ok
    else
        result="CRASH (see $log and fuzz/artifacts/$t)"
        status=1
    fi
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    summary+=("$(printf '%-20s %6ss %12s execs  %s' "$t" "$budget" "${runs:-?}" "$result")")
done
printf '%s\n' "${summary[@]}"
exit "$status"
