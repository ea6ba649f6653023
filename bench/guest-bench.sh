#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The guest half of `make bench` (bench/run boots one VM running this, with
# --no-module).  Writes raw results as CSV into OUT (default out/vm/bench):
#   overhead.csv  round,workload,config,seconds,events,produced,delivered,lost,counted
#   ipc.csv       ipclab bench rows (module unloaded), ipc-module.csv (loaded)
#   perfpipe.csv  placement,round,usecs_per_op (perf bench sched pipe)
#   stress.csv    stressor,mech,placement,bogo_ops_per_s
#   pool.txt      bench/pool_bench's output, if it exists
#   info.txt      parameters, versions
set -euo pipefail

usage() {
	cat <<'EOF'
usage: bench/guest-bench.sh [--out DIR] [--quick]

Runs inside the VM that bench/run boots (scripts/vm-run --no-module), as
root from the repository root: loads and unloads kmod/taskstate.ko itself.
Parameters come from the environment (bench/run passes them):
  ROUNDS (5) PIPE_LOOPS (2000) MSG_GROUPS (2) MSG_LOOPS (10) FORKS (300)
  IPC_TRIPS (400) IPC_MESSAGES (400) STRESS_SECONDS (2)
  POOL_ARGS (-r 5 -s 20000 -l 1000: bench/pool_bench's options), POOL_TIMEOUT (240)
  BIN: a directory with copies of taskstate.ko, ipclab, ts_drain, fork_storm
  and pool_bench to use instead of the tree's
--quick: 2 rounds and a tenth of the loops (a smoke test, not results).
EOF
}

OUT=out/vm/bench
quick=0
while [[ $# -gt 0 ]]; do
	case $1 in
	--out) OUT=$2; shift 2 ;;
	--quick) quick=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "guest-bench.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done

ROUNDS=${ROUNDS:-5}
PIPE_LOOPS=${PIPE_LOOPS:-2000}
MSG_GROUPS=${MSG_GROUPS:-2}
MSG_LOOPS=${MSG_LOOPS:-10}
FORKS=${FORKS:-300}
IPC_TRIPS=${IPC_TRIPS:-400}
IPC_MESSAGES=${IPC_MESSAGES:-400}
STRESS_SECONDS=${STRESS_SECONDS:-2}
POOL_ARGS=${POOL_ARGS:--r 5 -s 20000 -l 1000}
POOL_TIMEOUT=${POOL_TIMEOUT:-240}
if [[ $quick == 1 ]]; then
	ROUNDS=2 PIPE_LOOPS=200 MSG_LOOPS=2 FORKS=30 IPC_TRIPS=50 IPC_MESSAGES=50 STRESS_SECONDS=1
	POOL_ARGS="-r 5 -s 2000 -l 100"
fi

T=/sys/kernel/tracing
# BIN: private copies of the programs and the module (bench/run makes
# them), so that a rebuild in the tree during the run changes nothing.
BIN=${BIN:-}
KO=${BIN:-kmod}/taskstate.ko
TS_DRAIN=${BIN:-bench}/ts_drain
FORK_STORM=${BIN:-bench}/fork_storm
POOL_BENCH=${BIN:-bench}/pool_bench
IPCLAB=${BIN:-userspace}/ipclab
TMP=$(mktemp -d /tmp/bench.XXXXXX)
mkdir -p "$OUT"
rm -f "$OUT"/*.csv "$OUT"/*.txt "$OUT"/*.log

log() { echo "bench: $(date +%T) $*" >&2; }

# ---------------------------------------------------------------------------
# Module, ftrace, perf

loaded() { [[ -d /sys/module/taskstate ]]; }

load() {
	loaded || insmod "$KO"
}

unload() {
	local n=0
	while loaded; do
		rmmod taskstate 2>/dev/null && break
		n=$((n + 1))
		if [[ $n -ge 50 ]]; then
			echo "bench: cannot unload the module" >&2
			exit 1
		fi
		sleep 0.1
	done
}

set_wait_sites() { echo "wait_sites=$1" >/proc/taskstate/config; }

# The events the module hooks, as ftrace names them.
FTRACE_EVENTS="sched/sched_switch sched/sched_wakeup sched/sched_wakeup_new
sched/sched_waking sched/sched_process_fork sched/sched_process_exec
sched/sched_process_exit sched/sched_process_free signal/signal_generate"

ftrace_events() {
	local e
	for e in $FTRACE_EVENTS; do echo "$1" >"$T/events/$e/enable"; done
}

# Sum one field of every CPU's ring-buffer stats.  Builtins only: while
# ftrace's reader runs, every process started costs a lot of events.
ftrace_stat() {
	local f k v sum=0
	for f in "$T"/per_cpu/cpu*/stats; do
		while IFS=: read -r k v; do
			[[ $k == "$1" ]] && sum=$((sum + ${v// /}))
		done <"$f"
	done
	echo "$sum"
}

# ---------------------------------------------------------------------------
# Workloads: each prints "Total time: S [sec]" (perf bench's format).

workload_cmd() {
	case $1 in
	pipe-pinned) echo "taskset -c 0 perf bench sched pipe -l $PIPE_LOOPS" ;;
	pipe) echo "perf bench sched pipe -l $PIPE_LOOPS" ;;
	messaging) echo "perf bench sched messaging -g $MSG_GROUPS -l $MSG_LOOPS" ;;
	forks) echo "$FORK_STORM -n $FORKS" ;;
	esac
}
WORKLOADS="pipe-pinned pipe messaging forks"

seconds_of() {
	awk '/Total time:/ { print $3; found = 1 } END { if (!found) print "nan" }' "$1"
}

# run_config ROUND WORKLOAD CONFIG: one measurement, one CSV row.
run_config() {
	local round=$1 w=$2 c=$3 cmd out=$TMP/out err=$TMP/err
	local events="" produced="" delivered="" lost="" counted="" before after="" secs
	local pid read entries overrun args i
	cmd=$(workload_cmd "$w")
	: >"$err"
	before=$(loaded && $TS_DRAIN --counters || echo 0)
	case $c in
	none | mod | mod-sites)
		$cmd >"$out" 2>>"$err"
		;;
	reader | reader-nosite)
		rm -f "$TMP/ready"
		args=()
		[[ $c == reader-nosite ]] && args=(--no-wait-site)
		$TS_DRAIN "${args[@]}" --stats "$TMP/stats" --ready "$TMP/ready" 2>>"$err" &
		pid=$!
		while [[ ! -e $TMP/ready ]]; do sleep 0.05; done
		before=$($TS_DRAIN --counters)
		$cmd >"$out" 2>>"$err"
		after=$($TS_DRAIN --counters)
		kill -INT "$pid"
		wait "$pid"
		;;
	reader-desc)
		# shellcheck disable=SC2086 # the command's words
		$TS_DRAIN --stats "$TMP/stats" -- $cmd >"$out" 2>>"$err"
		;;
	ftrace)
		echo 0 >"$T/tracing_on"
		echo >"$T/trace"
		ftrace_events 1
		echo 1 >"$T/tracing_on"
		cat "$T/trace_pipe" >/dev/null &
		pid=$!
		# What the workload's run recorded: the reader keeps making events
		# of its own (each event wakes it, its switches are events).
		events=$(($(ftrace_stat "read events") + $(ftrace_stat entries) + $(ftrace_stat overrun)))
		$cmd >"$out" 2>>"$err"
		events=$(($(ftrace_stat "read events") + $(ftrace_stat entries) + $(ftrace_stat overrun) - events))
		echo 0 >"$T/tracing_on"
		# Let the reader empty the buffers, then count.
		for ((i = 0; i < 30; i++)); do
			[[ $(ftrace_stat entries) == 0 ]] && break
			sleep 0.1
		done
		read=$(ftrace_stat "read events")
		entries=$(ftrace_stat entries)
		overrun=$(ftrace_stat overrun)
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		ftrace_events 0
		echo >"$T/trace"
		produced=$((read + entries + overrun))
		delivered=$read
		lost=$((overrun + entries))
		;;
	perf)
		# shellcheck disable=SC2086
		perf record -a -e 'sched:*' -o "$TMP/perf.data" -- $cmd >"$out" 2>>"$err"
		events=$(sed -n 's/.*(\([0-9]*\) samples).*/\1/p' "$err" | tail -n 1)
		lost=$(sed -n 's/.*lost \([0-9]*\) chunks.*/\1/p' "$err" | tail -n 1)
		lost=${lost:-0}
		delivered=$events
		produced=$events
		rm -f "$TMP/perf.data"
		;;
	esac
	[[ -n $after ]] || after=$(loaded && $TS_DRAIN --counters || echo 0)
	counted=$((after - before))
	if [[ $c == reader* ]]; then
		# produced=N delivered=N lost=N ...
		eval "$(tr ' ' '\n' <"$TMP/stats" | grep -E '^(produced|delivered|lost)=')"
	fi
	# Events of the workload's run: the module's own counters (a reader
	# keeps adding events of its own after it), or what a descendants
	# session took (the workload's only).
	case $c in
	mod*) events=$counted ;;
	reader-desc) events=$produced ;;
	reader*) events=$counted ;;
	esac
	secs=$(seconds_of "$out")
	if [[ $secs == nan ]]; then
		echo "bench: $w under $c printed no time:" >&2
		cat "$out" "$err" >&2
	fi
	echo "$round,$w,$c,$secs,$events,$produced,$delivered,$lost,$counted" >>"$OUT/overhead.csv"
	cat "$err" >>"$OUT/guest-stderr.log"
}

# ---------------------------------------------------------------------------

{
	echo "date=$(date -u +%FT%TZ)"
	echo "kernel=$(uname -r)"
	echo "cpus=$(nproc)"
	echo "cpu_model=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
	echo "rounds=$ROUNDS pipe_loops=$PIPE_LOOPS msg_groups=$MSG_GROUPS msg_loops=$MSG_LOOPS forks=$FORKS"
	echo "ipc_trips=$IPC_TRIPS ipc_messages=$IPC_MESSAGES stress_seconds=$STRESS_SECONDS"
	echo "perf=$(perf --version 2>&1)"
	echo "stress_ng=$(stress-ng --version 2>&1 | head -n 1)"
	# "7 (expanded: 1408)": the size it has once tracing is used.
	echo "ftrace_buffer_kb=$(sed 's/.*expanded: \([0-9]*\).*/\1/' $T/buffer_size_kb)"
} >"$OUT/info.txt"

unload
log "warm-up (page cache of the shared root)"
for w in $WORKLOADS; do $(workload_cmd "$w") >/dev/null 2>&1; done
perf record -a -e 'sched:*' -o "$TMP/perf.data" -- true >/dev/null 2>&1 || true
rm -f "$TMP/perf.data"
load
echo "buffer_records=$(awk -F= '$1 == "buffer_records" { print $2 }' /proc/taskstate/config)" >>"$OUT/info.txt"
WS_DEFAULT=$(awk -F= '$1 == "wait_sites" { print $2 }' /proc/taskstate/config)
echo "wait_sites_default=$WS_DEFAULT" >>"$OUT/info.txt"
echo "module=$(modinfo -F srcversion "$KO" 2>/dev/null || echo ?) $(stat -c %y "$KO" | cut -d. -f1)" >>"$OUT/info.txt"
unload

echo "round,workload,config,seconds,events,produced,delivered,lost,counted" >"$OUT/overhead.csv"
UNLOADED=(none ftrace perf)
LOADED=(mod mod-sites reader reader-nosite reader-desc)

rotate() {	# rotate N WORDS...: the words, starting at the Nth
	local n=$1
	shift
	local a=("$@") i
	for ((i = 0; i < ${#a[@]}; i++)); do echo "${a[(i + n) % ${#a[@]}]}"; done
}

run_group() {	# run_group ROUND CONFIGS...
	local r=$1 c w
	shift
	for c in $(rotate "$r" "$@"); do
		case $c in
		# Wait sites with no reader (for /proc/taskstate/tasks) only in
		# mod-sites; a session that wants them gets them regardless.
		mod-sites) set_wait_sites 1 ;;
		mod | reader*) set_wait_sites 0 ;;
		esac
		log "round $r: $c"
		for w in $WORKLOADS; do run_config "$r" "$w" "$c"; done
	done
	loaded && set_wait_sites "$WS_DEFAULT"
	return 0
}

for ((r = 1; r <= ROUNDS; r++)); do
	# Alternate which half goes first, so drift hits both alike.
	if ((r % 2)); then
		unload; run_group "$r" "${UNLOADED[@]}"
		load; run_group "$r" "${LOADED[@]}"
	else
		load; run_group "$r" "${LOADED[@]}"
		unload; run_group "$r" "${UNLOADED[@]}"
	fi
done

# ---------------------------------------------------------------------------
# IPC: ipclab bench and perf bench pipe interleaved, module unloaded; then
# ipclab bench once more with the module loaded (transitions per round trip).

unload
echo "placement,round,usecs_per_op" >"$OUT/perfpipe.csv"
: >"$OUT/ipc.csv"
for ((r = 1; r <= ROUNDS; r++)); do
	log "ipc round $r: perf bench sched pipe"
	for p in pinned unpinned; do
		pre=""
		[[ $p == pinned ]] && pre="taskset -c 0"
		$pre perf bench sched pipe -l "$PIPE_LOOPS" >"$TMP/out" 2>&1
		us=$(awk '/usecs\/op/ { print $1 }' "$TMP/out")
		echo "$p,$r,$us" >>"$OUT/perfpipe.csv"
	done
	if [[ $r == 1 || $r == "$ROUNDS" ]]; then
		# ipclab's pipe next to it every round; every mechanism twice.
		mechs=all
	else
		mechs=pipe
	fi
	log "ipc round $r: ipclab bench -m $mechs"
	$IPCLAB bench --csv -m "$mechs" -n "$IPC_TRIPS" -t "$IPC_MESSAGES" >"$TMP/ipc" 2>>"$OUT/guest-stderr.log" ||
		echo "bench: ipclab bench failed (status $?)" >&2
	if [[ ! -s $OUT/ipc.csv ]]; then
		head -n 1 "$TMP/ipc" | sed 's/^/round,/' >"$OUT/ipc.csv"
	fi
	tail -n +2 "$TMP/ipc" | sed "s/^/$r,/" >>"$OUT/ipc.csv"
done

load
log "ipclab bench with the module loaded (transitions per round trip)"
$IPCLAB bench --csv -n "$IPC_TRIPS" -t "$IPC_MESSAGES" >"$OUT/ipc-module.csv" 2>>"$OUT/guest-stderr.log" ||
	echo "bench: ipclab bench (module) failed" >&2
unload

# stress-ng's stressors closest to each mechanism, bogo ops per second.
# None for unix-stream and unix-dgram: stress-ng 0.15's --sock-domain unix
# fails (EPROTONOSUPPORT: it asks for IPPROTO_TCP), --udp has no unix domain.
STRESSORS="pipe:pipe fifo:fifo msg:sysv-msg mq:posix-mq sem-sysv:sysv-sem sem:posix-sem
sock:tcp sockpair:socketpair sigq:signal"
echo "stressor,mech,placement,bogo_ops_per_s" >"$OUT/stress.csv"
for s in $STRESSORS; do
	name=${s%%:*} mech=${s#*:}
	stressor=$name extra=()
	for p in pinned unpinned; do
		pin=()
		[[ $p == pinned ]] && pin=(--taskset 0)
		log "stress-ng --$stressor ($p)"
		(cd /tmp && stress-ng --"$stressor" 1 "${extra[@]}" "${pin[@]}" -t "$STRESS_SECONDS" \
			--metrics-brief --temp-path /tmp) >"$TMP/stress" 2>&1 || true
		ops=$(awk -v s="$stressor" '$4 == s && $5 ~ /^[0-9]+$/ { print $9 }' "$TMP/stress" | head -n 1)
		echo "$name,$mech,$p,${ops:-nan}" >>"$OUT/stress.csv"
		cat "$TMP/stress" >>"$OUT/guest-stderr.log"
	done
done

# The thread-pool comparison is bench/pool_bench's (another program).
if [[ -x $POOL_BENCH ]]; then
	log "bench/pool_bench $POOL_ARGS"
	echo "\$ bench/pool_bench $POOL_ARGS" >"$OUT/pool.txt"
	# shellcheck disable=SC2086 # the options' words
	timeout "$POOL_TIMEOUT" "$POOL_BENCH" $POOL_ARGS >>"$OUT/pool.txt" 2>&1 ||
		echo "bench: pool_bench exited with status $? (124: killed after ${POOL_TIMEOUT} s)" >>"$OUT/pool.txt"
else
	echo "bench/pool_bench not built: no pool comparison in this run" >"$OUT/pool.txt"
fi

rm -rf "$TMP"
log "done"
