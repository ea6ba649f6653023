#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The guest half of the instruction-count benchmark: bench/icount/run boots
# one VM (scripts/vm-run --icount --no-module, icount.so loaded) running
# this, as root from the repository root.  Every measured window is one run
# of a program that executes icount.so's markers itself (bench/pingpong,
# bench/mark_cat); this script lists, in the same order, what each window
# was, in OUT/windows.csv:
#   window,config,round,param,events
# (events: the module's count over the window, pingpong's events=, or -1).
# Also OUT/loss.csv, OUT/commands.txt (the exact commands), OUT/info.txt,
# OUT/kallsyms.txt, OUT/modules.txt.
set -euo pipefail

usage() {
	cat <<'EOT'
usage: bench/icount/guest.sh [--out DIR] [--quick]

Runs in the VM that bench/icount/run boots.  Environment: ROUNDS (5),
LOOPS (2000: pingpong round trips), BIN (copies of the programs and the
module), IDLE ("1000 10000": idle task counts), SESSIONS (32).
--quick: 1 round, 200 loops, idle 100, 4 sessions, no loss test (a smoke
test of the chain, not results).
EOT
}

OUT=out/vm/icount
quick=0
while [[ $# -gt 0 ]]; do
	case $1 in
	--out) OUT=$2; shift 2 ;;
	--quick) quick=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "guest.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done
ROUNDS=${ROUNDS:-5}
LOOPS=${LOOPS:-2000}
IDLE=${IDLE:-1000 10000}
SESSIONS=${SESSIONS:-32}
LOSS=1
if [[ $quick == 1 ]]; then
	ROUNDS=1 LOOPS=200 IDLE=100 SESSIONS=4 LOSS=0
fi
BIN=${BIN:-}
KO=${BIN:-kmod}/taskstate.ko
TS_DRAIN=${BIN:-bench}/ts_drain
PINGPONG=${BIN:-bench}/pingpong
MARK_CAT=${BIN:-bench}/mark_cat
IDLE_TASKS=${BIN:-bench}/idle_tasks
FORK_STORM=${BIN:-bench}/fork_storm
T=/sys/kernel/tracing
TMP=$(mktemp -d /tmp/icount.XXXXXX)
mkdir -p "$OUT"

log() { echo "icount: $(date +%T) $*" >&2; }

window=0
# measure CONFIG ROUND PARAM CMD...: one window; its row in windows.csv.
measure() {
	local c=$1 r=$2 p=$3 ev
	shift 3
	"$@" >"$TMP/out" 2>>"$OUT/guest-stderr.log" || {
		echo "icount: '$*' failed under $c:" >&2
		cat "$TMP/out" >&2
		exit 1
	}
	window=$((window + 1))
	ev=$(sed -n 's/.*events=\(-\{0,1\}[0-9]*\).*/\1/p' "$TMP/out")
	echo "$window,$c,$r,$p,${ev:--1}" >>"$OUT/windows.csv"
	grep -qxF "$c: $*" "$OUT/commands.txt" 2>/dev/null || echo "$c: $*" >>"$OUT/commands.txt"
}

loaded() { [[ -d /sys/module/taskstate ]]; }
load() { loaded || insmod "$KO"; }
unload() {
	local n=0
	while loaded; do
		rmmod taskstate 2>/dev/null && break
		n=$((n + 1))
		[[ $n -lt 50 ]] || { echo "icount: cannot unload the module" >&2; exit 1; }
		sleep 0.1
	done
}

# wait_file FILE: until a background program created it.  Guest time is
# no measure of patience under -icount sleep=off (an idle guest's clock
# jumps to the next timer): bounded by vm-run's timeout in practice.
wait_file() {
	local i
	for ((i = 0; i < 100000; i++)); do
		[[ -e $1 ]] && return 0
		sleep 0.1
	done
	echo "icount: $1 never appeared" >&2
	exit 1
}

stop_bg() {	# stop_bg PID...: SIGINT, then wait
	local p
	for p; do kill -INT "$p" 2>/dev/null || true; done
	for p; do wait "$p" 2>/dev/null || true; done
}

# The events the module hooks, as ftrace and bpftrace name them.
EVENTS="sched/sched_switch sched/sched_wakeup sched/sched_wakeup_new
sched/sched_waking sched/sched_process_fork sched/sched_process_exec
sched/sched_process_exit sched/sched_process_free signal/signal_generate"

ftrace_entries() {
	local f k v sum=0
	for f in "$T"/per_cpu/cpu*/stats; do
		while IFS=: read -r k v; do
			[[ $k == entries ]] && sum=$((sum + ${v// /}))
		done <"$f"
	done
	echo "$sum"
}

PP=("$PINGPONG" -n "$LOOPS" -c 0)

# note CONFIG TEXT: how CONFIG's tracer runs, once, in commands.txt.
note() {
	grep -qxF "$1 (tracer): $2" "$OUT/commands.txt" || echo "$1 (tracer): $2" >>"$OUT/commands.txt"
}

# run_config CONFIG ROUND: one pingpong window under CONFIG.
run_config() {
	local c=$1 r=$2 pid e i pids=() probes args
	case $c in
	none)
		unload
		measure none "$r" - "${PP[@]}"
		;;
	mod)
		load
		measure mod "$r" - "${PP[@]}"
		;;
	reader | reader-nosite)
		load
		rm -f "$TMP/ready"
		args=()
		[[ $c == reader-nosite ]] && args=(--no-wait-site)
		note "$c" "ts_drain ${args[*]} --stats FILE --ready FILE &  (one session, every task, records to /dev/null)"
		$TS_DRAIN "${args[@]}" --stats "$TMP/stats" --ready "$TMP/ready" &
		pid=$!
		wait_file "$TMP/ready"
		measure "$c" "$r" - "${PP[@]}"
		stop_bg "$pid"
		echo "$c,$r,$(cat "$TMP/stats")" >>"$OUT/reader-stats.txt"
		;;
	follow1 | sessions)
		load
		n=1
		[[ $c == sessions ]] && n=$SESSIONS
		for ((i = 0; i < n; i++)); do
			rm -f "$TMP/ready$i"
			# Each session follows its own sleeper: every event of the
			# workload is rejected by its filter.
			$TS_DRAIN --stats "$TMP/stats$i" --ready "$TMP/ready$i" -- sleep 100000 &
			pids+=($!)
		done
		note "$c" "$n x: ts_drain --stats FILE --ready FILE -- sleep 100000 &  (each follows its own sleeper)"
		for ((i = 0; i < n; i++)); do wait_file "$TMP/ready$i"; done
		measure "$c" "$r" "$n" "${PP[@]}"
		for p in "${pids[@]}"; do pkill -INT -P "$p" sleep 2>/dev/null || true; done
		stop_bg "${pids[@]}"
		;;
	ftrace)
		unload
		echo 0 >"$T/tracing_on"
		echo >"$T/trace"
		for e in $EVENTS; do echo 1 >"$T/events/$e/enable"; done
		echo 1 >"$T/tracing_on"
		cat "$T/trace_pipe" >/dev/null &
		pid=$!
		note ftrace "echo 1 > events/{$(tr -s ' \n' ',,' <<<"$EVENTS")}/enable; cat trace_pipe >/dev/null &; wait for per_cpu/*/stats entries == 0, then 0.5 s"
		# The reader first drains the backlog: the workload pays only
		# for its own events.
		for ((i = 0; i < 100; i++)); do
			[[ $(ftrace_entries) == 0 ]] && break
			sleep 0.1
		done
		sleep 0.5
		measure ftrace "$r" - "${PP[@]}"
		echo 0 >"$T/tracing_on"
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		for e in $EVENTS; do echo 0 >"$T/events/$e/enable"; done
		echo >"$T/trace"
		;;
	perf)
		unload
		rm -f "$TMP/ctl" "$TMP/ack"
		mkfifo "$TMP/ctl" "$TMP/ack"
		# Started disabled, enabled through its control fifo: the
		# workload starts once perf records.
		perf record -q -a -e 'sched:*' -o "$TMP/perf.data" -D -1 \
			--control "fifo:$TMP/ctl,$TMP/ack" >/dev/null 2>>"$OUT/guest-stderr.log" &
		pid=$!
		note perf "perf record -q -a -e 'sched:*' -o /tmp/perf.data -D -1 --control fifo:CTL,ACK &; echo enable >CTL; read ack <ACK"
		exec 8>"$TMP/ctl" 9<"$TMP/ack"
		echo enable >&8
		read -r _ <&9 || { echo "icount: perf never acked" >&2; exit 1; }
		measure perf "$r" - "${PP[@]}"
		exec 8>&- 9<&-
		stop_bg "$pid"
		rm -f "$TMP/perf.data"
		;;
	bpftrace)
		unload
		probes=
		for e in $EVENTS; do probes+="${probes:+, }tracepoint:${e/\//:}"; done
		rm -f "$TMP/bpf.out"
		# BEGIN runs once every probe is attached.
		bpftrace -e "BEGIN { printf(\"ready\\n\"); } $probes { printf(\"%llu %d %d %s %s\\n\", nsecs, cpu, pid, comm, probe); }" \
			>"$TMP/bpf.out" 2>>"$OUT/guest-stderr.log" &
		pid=$!
		note bpftrace "bpftrace -e 'BEGIN { printf(\"ready\\n\"); } $probes { printf(\"%llu %d %d %s %s\\n\", nsecs, cpu, pid, comm, probe); }' >/tmp/bpf.out &; wait for its ready line"
		for ((i = 0; i < 100000; i++)); do
			grep -q '^ready$' "$TMP/bpf.out" 2>/dev/null && break
			kill -0 "$pid" 2>/dev/null || { echo "icount: bpftrace failed:" >&2; tail -n 20 "$OUT/guest-stderr.log" >&2; return 1; }
			sleep 0.1
		done
		measure bpftrace "$r" - "${PP[@]}"
		stop_bg "$pid"
		echo "bpftrace,$r,lines=$(wc -l <"$TMP/bpf.out")" >>"$OUT/bpftrace-lines.txt"
		rm -f "$TMP/bpf.out"
		;;
	esac
}

{
	echo "date=$(date -u +%FT%TZ)"
	echo "kernel=$(uname -r)"
	echo "cmdline=$(cat /proc/cmdline)"
	echo "rounds=$ROUNDS loops=$LOOPS idle=$IDLE sessions=$SESSIONS"
	echo "perf=$(perf --version 2>&1)"
	echo "bpftrace=$(bpftrace --version 2>&1)"
	echo "module=$(modinfo -F srcversion "$KO" 2>/dev/null || echo ?)"
} >"$OUT/info.txt"
echo "window,config,round,param,events" >"$OUT/windows.csv"
: >"$OUT/commands.txt"

log "warm-up"
unload
"${PP[@]}" --no-markers >/dev/null
load
"${PP[@]}" --no-markers >/dev/null
# The same boot's symbols and module placement, for attribute.py.
cat /proc/kallsyms >"$OUT/kallsyms.txt"
cat /proc/modules >"$OUT/modules.txt"

CONFIGS=(none mod reader reader-nosite ftrace perf bpftrace follow1 sessions)
command -v bpftrace >/dev/null || {
	echo "icount: bpftrace not installed in the guest root: skipped" >&2
	CONFIGS=(none mod reader reader-nosite ftrace perf follow1 sessions)
}
for ((r = 1; r <= ROUNDS; r++)); do
	# Instruction counts do not drift; the order still rotates.
	for ((k = 0; k < ${#CONFIGS[@]}; k++)); do
		c=${CONFIGS[(k + r) % ${#CONFIGS[@]}]}
		log "round $r: $c"
		run_config "$c" "$r" || echo "icount: $c failed in round $r" >&2
	done
done

# Idle live tasks: the module loaded, no reader; pingpong and a read of
# /proc/taskstate/tasks with 0 and with N idle threads alive.
load
for ((r = 1; r <= ROUNDS; r++)); do
	measure idle "$r" 0 "${PP[@]}"
	measure tasks-read "$r" 0 "$MARK_CAT" /proc/taskstate/tasks
done
echo "tasks-lines,0,$(wc -l </proc/taskstate/tasks)" >>"$OUT/tasks-lines.txt"
for n in $IDLE; do
	log "$n idle tasks"
	rm -f "$TMP/idle-ready"
	$IDLE_TASKS -n "$n" --ready "$TMP/idle-ready" &
	pid=$!
	wait_file "$TMP/idle-ready"
	for ((r = 1; r <= ROUNDS; r++)); do
		measure idle "$r" "$n" "${PP[@]}"
		measure tasks-read "$r" "$n" "$MARK_CAT" /proc/taskstate/tasks
	done
	echo "tasks-lines,$n,$(wc -l </proc/taskstate/tasks)" >>"$OUT/tasks-lines.txt"
	stop_bg "$pid"
done

# Loss with the default buffers: one reader draining everything while
# perf bench sched messaging (its defaults) and a fork storm run on two
# CPUs, the reader at the default policy and then at SCHED_FIFO (like
# perf record -r): among messaging's 400 runnable tasks a reader at the
# default policy gets a 400th of the CPU.  Not an instruction count.
if [[ $LOSS == 1 ]]; then
	log "loss: cpu1 online, messaging and fork storm"
	[[ -e /sys/devices/system/cpu/cpu1/online ]] && echo 1 >/sys/devices/system/cpu/cpu1/online
	echo "workload,reader,cpus,produced,delivered,lost,untracked,buffer_records" >"$OUT/loss.csv"
	for run in messaging:default forks:default messaging:fifo forks:fifo; do
		w=${run%%:*} policy=${run#*:} rt=()
		[[ $policy == fifo ]] && rt=(--realtime 50)
		rm -f "$TMP/ready"
		$TS_DRAIN "${rt[@]}" --stats "$TMP/stats" --ready "$TMP/ready" &
		pid=$!
		wait_file "$TMP/ready"
		case $w in
		messaging) cmd=(perf bench sched messaging) ;;
		forks) cmd=("$FORK_STORM" -n 2000) ;;
		esac
		"${cmd[@]}" >/dev/null 2>>"$OUT/guest-stderr.log"
		stop_bg "$pid"
		echo "loss: ts_drain ${rt[*]} --stats FILE --ready FILE &; ${cmd[*]}" >>"$OUT/commands.txt"
		s=$(cat "$TMP/stats")
		v() { echo "$s" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
		echo "$w,$policy,$(nproc),$(v produced),$(v delivered),$(v lost),$(v untracked),$(v buffer_records)" >>"$OUT/loss.csv"
	done
fi
unload
rm -rf "$TMP"
log "done: $window windows"
