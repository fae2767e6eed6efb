#!/usr/bin/env bash
# posta on a distant server: every connection goes through scripts/delay-proxy.py,
# which adds DELAY_MS each way (a round trip of 2 x DELAY_MS), and the table shows
# seconds and round trips, side by side in one run:
#   - one message, 587 STARTTLS + AUTH and 465 TLS + AUTH to the local Postfix:
#     posta sendmail vs msmtp (median of RUNS runs each);
#   - COUNT one-recipient messages over one connection to Postfix's smtp-sink:
#     posta batch vs smtp-source -d (median of 3 runs each);
#   - the same to the local Postfix's port 25 listener (POSTA_E2E_PLAIN_PORT), which
#     offers CHUNKING: posta batch with BDAT, with DATA (chunking = false), and
#     smtp-source -d (median of 3 runs each; the messages are delivered to user 2);
#   - ten times as many messages on loopback without the proxy (COUNT would take a few
#     hundredths of a second there): time and CPU (user + sys) per message.
# Prints figures; asserts nothing. Needs the local mail server (scripts/mailserver.sh).
#   scripts/bench-latency.sh [DELAY_MS] [COUNT] [RUNS]   (ports from BENCH_PORT, default 12740)
# POSTA_BEFORE=/path/to/an/older/posta adds its rows, to compare two builds in one run.
set -euo pipefail
cd "$(dirname "$0")/.."
delay=${1:-25}
count=${2:-200}
runs=${3:-5}
base=${BENCH_PORT:-12740}
for tool in /usr/sbin/smtp-sink /usr/sbin/smtp-source msmtp python3 /usr/bin/time bc; do
  command -v "$tool" >/dev/null || { echo "missing $tool (scripts/mailserver.sh install)"; exit 1; }
done
scripts/mailserver.sh status >/dev/null 2>&1 || { echo "start the mail server first: scripts/mailserver.sh start"; exit 1; }
# shellcheck disable=SC1091
. .e2e/env.sh
cargo build --release --quiet
posta=$PWD/target/release/posta
work=$(mktemp -d)
sink_port=$base; p587=$((base + 1)); p465=$((base + 2)); psink=$((base + 3)); p25=$((base + 4))
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
/usr/sbin/smtp-sink -u nobody 127.0.0.1:"$sink_port" 1000 >/dev/null 2>&1 &
pids+=($!)
# The proxy gets the CPU first when it wants it: its timers are the measurement.
nice -n -10 python3 scripts/delay-proxy.py "$delay" "$p587:$POSTA_E2E_SUBMISSION_PORT" \
  "$p465:$POSTA_E2E_SMTPS_PORT" "$psink:$sink_port" "$p25:$POSTA_E2E_PLAIN_PORT" > "$work/proxy.out" &
pids+=($!)
for _ in $(seq 50); do grep -q ready "$work/proxy.out" 2>/dev/null && break; sleep 0.1; done
rtt=$(echo "2 * $delay / 1000" | bc -l)

msg=$work/one.eml
printf 'From: %s\nTo: %s\nSubject: bench\n\n%s\n' "$POSTA_E2E_USER1" "$POSTA_E2E_USER2" \
  "$(head -c 3000 /dev/zero | tr '\0' 'x' | fold -w 70)" > "$msg"
mkdir "$work/eml"
for i in $(seq -w 1 "$count"); do
  printf 'From: a@example.org\nTo: b@example.org\nSubject: bench %s\n\n%s\n' "$i" \
    "$(head -c 900 /dev/zero | tr '\0' 'x' | fold -w 70)" > "$work/eml/$i.eml"
done
size=$(wc -c < "$work/eml/$(ls "$work/eml" | head -1)")
# Ten times as many for loopback, where COUNT takes a few hundredths of a second.
loop_count=$((count * 10))
mkdir "$work/loop"
first=$work/eml/$(ls "$work/eml" | head -1)
for i in $(seq -w 1 "$loop_count"); do cp "$first" "$work/loop/$i.eml"; done
# The same messages to a local user of the Postfix (it relays for nobody else).
mkdir "$work/eml25"
for f in "$work"/eml/*.eml; do
  sed "s/^To: b@example.org/To: $POSTA_E2E_USER2/" "$f" > "$work/eml25/${f##*/}"
done
export -n POSTA_PROFILE POSTA_CONFIG 2>/dev/null || true
export POSTA_PASSWORD=$POSTA_E2E_PASS1
home=$work/home; mkdir -p "$home"
# The port 25 rows: profile "bdat" (CHUNKING used: the default) and profile "data"
# (chunking = false, which only builds with CHUNKING read), each in a file of its own
# named by POSTA_CONFIG, so that the other rows see no config file.
printf '[profiles.bdat]\nhost = "127.0.0.1"\nport = %s\nsecurity = "plain"\n' "$p25" \
  > "$home/bdat.toml"
printf '[profiles.data]\nhost = "127.0.0.1"\nport = %s\nsecurity = "plain"\nchunking = false\n' "$p25" \
  > "$home/data.toml"

# Run a command; write "wall user sys" in seconds to the file $1, to the microsecond
# (GNU time prints hundredths: too coarse for CPU on loopback).
measure() {
  python3 -c '
import os, sys, time
start = time.perf_counter()
child = os.fork()
if child == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(child, 0)
with open(sys.argv[1], "w") as out:
    out.write(f"{time.perf_counter() - start:.6f} {usage.ru_utime:.6f} {usage.ru_stime:.6f}\n")
sys.exit(os.waitstatus_to_exitcode(status))' "$@"
}
# The median wall time of RUNS runs of a command (as seconds), CPU of the median run.
timed() { # n, command...
  local n=$1 i; shift
  for i in $(seq "$n"); do
    measure "$work/t" "$@" >/dev/null 2>"$work/err" \
      || { echo "exit $? from $*: $(tail -3 "$work/err")" >&2; }
    cat "$work/t"
  done | sort -g | awk -v n="$n" '{ l[NR] = $0 } END { print l[int((n + 1) / 2)] }'
}
psend() { # port, extra flags
  local port=$1; shift
  HOME=$home XDG_CONFIG_HOME=$home/config "${POSTA_BIN:-$posta}" sendmail --server localhost:"$port" "$@" \
    --ca-file "$POSTA_E2E_CA" --user "$POSTA_E2E_USER1" -f "$POSTA_E2E_USER1" \
    "$POSTA_E2E_USER2" < "$msg"
}
msend() { # port, extra flags
  local port=$1; shift
  msmtp --host=localhost --port="$port" --tls=on "$@" --tls-trust-file="$POSTA_E2E_CA" \
    --auth=on --user="$POSTA_E2E_USER1" --passwordeval='echo $POSTA_PASSWORD' \
    --from="$POSTA_E2E_USER1" "$POSTA_E2E_USER2" < "$msg"
}
pbatch() { # port, directory (default: the COUNT messages)
  HOME=$home XDG_CONFIG_HOME=$home/config env -u POSTA_PASSWORD "${POSTA_BIN:-$posta}" -q batch \
    --security plain --server 127.0.0.1:"$1" "${2:-$work/eml}"; }
source_d() { # port, recipient, count
  /usr/sbin/smtp-source -d -s 1 -m "${3:-$count}" -l "$size" -f a@example.org \
    -t "${2:-b@example.org}" 127.0.0.1:"$1"; }
pbatch25() { # profile
  HOME=$home XDG_CONFIG_HOME=$home/config POSTA_CONFIG=$home/$1.toml env -u POSTA_PASSWORD \
    "${POSTA_BIN:-$posta}" -q batch -p "$1" "$work/eml25"; }
export -f psend msend pbatch source_d pbatch25
export home posta msg work count size loop_count POSTA_E2E_CA POSTA_E2E_USER1 POSTA_E2E_USER2

row() { # what, tool, "wall user sys", messages
  awk -v w="$1" -v t="$2" -v m="$4" -v rtt="$rtt" -v r="$3" 'BEGIN {
    split(r, f, " "); rt = rtt > 0 ? sprintf("%.2f", f[1] / rtt / m) : "-"
    printf "| %s | %s | %.3f s | %s | %.3f ms |\n", w, t, f[1], rt, (f[2] + f[3]) * 1000 / m }'
}
echo "posta $("$posta" --version | cut -d' ' -f2-), $(msmtp --version | head -1)"
echo "delay $delay ms each way (round trip $(echo "$rtt * 1000" | bc -l | cut -d. -f1) ms); one message of $(wc -c < "$msg") bytes, batch of $count of $size bytes"
echo
echo "| what | tool | wall (median) | round trips a message | CPU a message |"
echo "|---|---|---|---|---|"
row "one message, 587 STARTTLS + AUTH" posta "$(timed "$runs" bash -c "psend $p587")" 1
before() { # what, messages, command: the row of POSTA_BEFORE, when given
  [ -n "${POSTA_BEFORE:-}" ] || return 0
  row "$1" "posta (before)" "$(export POSTA_BIN=$POSTA_BEFORE; timed "$4" bash -c "$3")" "$2"
}
export POSTA_BEFORE
before "one message, 587 STARTTLS + AUTH" 1 "psend $p587" "$runs"
row "one message, 587 STARTTLS + AUTH" msmtp "$(timed "$runs" bash -c "msend $p587 --tls-starttls=on")" 1
row "one message, 465 TLS + AUTH" posta "$(timed "$runs" bash -c "psend $p465 --security tls")" 1
before "one message, 465 TLS + AUTH" 1 "psend $p465 --security tls" "$runs"
row "one message, 465 TLS + AUTH" msmtp "$(timed "$runs" bash -c "msend $p465 --tls-starttls=off")" 1
row "$count messages, one connection, smtp-sink" "posta batch" "$(timed 3 bash -c "pbatch $psink")" "$count"
before "$count messages, one connection, smtp-sink" "$count" "pbatch $psink" 3
row "$count messages, one connection, smtp-sink" "smtp-source -d" "$(timed 3 bash -c "source_d $psink")" "$count"
row "$count messages, one connection, Postfix port 25" "posta batch (BDAT)" "$(timed 3 bash -c "pbatch25 bdat")" "$count"
before "$count messages, one connection, Postfix port 25" "$count" "pbatch25 bdat" 3
row "$count messages, one connection, Postfix port 25" "posta batch (DATA)" "$(timed 3 bash -c "pbatch25 data")" "$count"
row "$count messages, one connection, Postfix port 25" "smtp-source -d" "$(timed 3 bash -c "source_d $p25 $POSTA_E2E_USER2")" "$count"
rtt=0  # on loopback round trips mean nothing
loop="$loop_count messages on loopback (no proxy)"
row "$loop" "posta batch" "$(timed "$runs" bash -c "pbatch $sink_port $work/loop")" "$loop_count"
before "$loop" "$loop_count" "pbatch $sink_port $work/loop" "$runs"
row "$loop" "smtp-source -d" \
  "$(timed "$runs" bash -c "source_d $sink_port b@example.org $loop_count")" "$loop_count"
