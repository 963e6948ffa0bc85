#!/usr/bin/env bash
# Samples the CPU of both e2e processes of one mode with perf and says where it goes (see attribute.py).
# usage: bench/profile/e2e-profile.sh ipc-shm|ipc-fifo|tcp [clients] [seconds]
set -euo pipefail
mode=${1:?mode: ipc-shm, ipc-fifo or tcp}
clients=${2:-10}
seconds=${3:-4}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
command -v perf >/dev/null || { echo "perf is not installed" >&2; exit 1; }

dotnet build -c Release "$repo/bench/Akka.Transport.Ipc.Benchmarks" >/dev/null
# Round trips enough for the round to outlast the warm-up wait plus the sampling window.
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 \
  dotnet run -c Release --no-build --project "$repo/bench/Akka.Transport.Ipc.Benchmarks" -- \
  --only e2e --modes "$mode" --clients "$clients" --reps 1 --round-trips 400000 --out "$out/results" >"$out/bench.log" 2>&1 &
bench=$!
client=""
for _ in $(seq 300); do
  client=$(pgrep -f -- "--role client --mode $mode " || true)
  [ -n "$client" ] && break
  sleep 0.2
done
[ -n "$client" ] || { cat "$out/bench.log"; exit 1; }
echo_pid=$(pgrep -f -- "--role echo --mode $mode ")
sleep 8 # start-up and JIT warm-up (the client warms up for at least 2 s, until the JIT is quiet)
perf record -q -F 1999 -g -p "$client,$echo_pid" -o "$out/perf.data" -- sleep "$seconds" 2>/dev/null
wait "$bench" || { cat "$out/bench.log"; exit 1; }
awk '/== summary ==/ { s = 1 } s && /^(E2E|[|])/' "$out/bench.log" # the run's throughput and CPU-per-message tables
perf script -i "$out/perf.data" -F comm,tid,ip,sym,dso 2>/dev/null >"$out/perf.txt"
echo "$mode, $clients clients, CPU samples of both processes over $seconds s:"
python3 "$here/attribute.py" "$out/perf.txt"
rm -f /tmp/perf-"$client".map /tmp/perf-"$echo_pid".map
