#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The tools in Chinese and in English, from the build tree, no module
# needed: 'taskstate show' of a small recording (below) and the help texts.
#  - --lang zh, LANGUAGE=zh_CN and LANG=zh_CN.UTF-8 (generated or not)
#    give the seed note's terms;
#  - --lang en, and no setting at all, give the English text, identical
#    whatever LANGUAGE says;
#  - JSON lines are byte-identical in every language;
#  - a bad --lang is one line and exit status 2.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ts=userspace/taskstate/taskstate
lab=userspace/ipclab/ipclab
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for p in "$ts" "$lab"; do
	[ -x "$p" ] || { echo "lang-test: $p not built (make -C userspace)" >&2; exit 1; }
done

# Every classic state, a lost record, wakeup, kill: most words are used.
cat >"$tmp/rec.json" <<'JSON'
{"ts_ns": 1000000, "cpu": 0, "pid": 20, "tgid": 20, "comm": "sh", "from": "none", "to": "new", "linux_state": "R", "cause": "fork", "other_pid": 10, "other_comm": "bash", "wait_site": "", "exit_code": 0, "signal": 0, "prev_state_ns": 0}
{"ts_ns": 1000500, "cpu": 0, "pid": 20, "tgid": 20, "comm": "sh", "from": "new", "to": "ready", "linux_state": "R", "cause": "created", "other_pid": 0, "other_comm": "", "wait_site": "", "exit_code": 0, "signal": 0, "prev_state_ns": 500}
{"ts_ns": 1001000, "cpu": 0, "pid": 20, "tgid": 20, "comm": "sh", "from": "ready", "to": "running", "linux_state": "R", "cause": "dispatch", "other_pid": 0, "other_comm": "", "wait_site": "", "exit_code": 0, "signal": 0, "prev_state_ns": 500}
{"ts_ns": 1201000, "cpu": 0, "pid": 20, "tgid": 20, "comm": "sh", "from": "running", "to": "blocked", "linux_state": "S", "cause": "sleep", "other_pid": 0, "other_comm": "", "wait_site": "pipe_read", "exit_code": 0, "signal": 0, "prev_state_ns": 200000}
{"lost": 3, "cpu": 1, "ts_ns": 1300000}
{"ts_ns": 2201000, "cpu": 0, "pid": 20, "tgid": 20, "comm": "sh", "from": "blocked", "to": "ready", "linux_state": "R", "cause": "wakeup", "other_pid": 10, "other_comm": "bash", "wait_site": "", "exit_code": 0, "signal": 0, "prev_state_ns": 1000000}
{"ts_ns": 2202000, "cpu": 0, "pid": 20, "tgid": 20, "comm": "sh", "from": "ready", "to": "running", "linux_state": "R", "cause": "dispatch", "other_pid": 0, "other_comm": "", "wait_site": "", "exit_code": 0, "signal": 0, "prev_state_ns": 1000}
{"ts_ns": 2302000, "cpu": 0, "pid": 20, "tgid": 20, "comm": "sh", "from": "running", "to": "exit", "linux_state": "Z", "cause": "killed", "other_pid": 10, "other_comm": "bash", "wait_site": "", "exit_code": 0, "signal": 9, "prev_state_ns": 100000}
JSON

ok() { echo "lang-test: ok: $*"; }
bad() { echo "lang-test: FAIL: $*" >&2; fail=1; }

# The environment of a user who set nothing but the VM's LANG.
run() { env -i PATH="$PATH" LANG=C.UTF-8 "$@"; }

chinese() {	# FILE DESCRIPTION
	local w missing=
	for w in 新建态 就绪态 运行态 阻塞态 退出态 等待事件 被调度 '空->新建' '阻塞->就绪'; do
		grep -qF -- "$w" "$1" || missing+=" $w"
	done
	if [ -z "$missing" ]; then ok "$2"; else bad "$2: no$missing"; fi
}

run "$ts" show --summary "$tmp/rec.json" >"$tmp/en" 2>&1
grep -q 'running -> blocked (S) sleep in pipe_read' "$tmp/en" &&
	grep -q '^The nine transitions:' "$tmp/en" ||
	bad "English show output"

run "$ts" --lang zh show --summary "$tmp/rec.json" >"$tmp/zh" 2>&1
chinese "$tmp/zh" "taskstate --lang zh show"
run "$ts" show --lang=zh --summary "$tmp/rec.json" >"$tmp/zh2" 2>&1
cmp -s "$tmp/zh" "$tmp/zh2" && ok "--lang=zh after the subcommand" || bad "--lang=zh after the subcommand"
run LANGUAGE=zh_CN "$ts" show --summary "$tmp/rec.json" >"$tmp/zh3" 2>&1
cmp -s "$tmp/zh" "$tmp/zh3" && ok "LANGUAGE=zh_CN" || bad "LANGUAGE=zh_CN differs from --lang zh"
env -i PATH="$PATH" LANG=zh_CN.UTF-8 "$ts" show --summary "$tmp/rec.json" >"$tmp/zh4" 2>&1
cmp -s "$tmp/zh" "$tmp/zh4" && ok "LANG=zh_CN.UTF-8" || bad "LANG=zh_CN.UTF-8 differs from --lang zh"
env -i PATH="$PATH" "$ts" --lang zh show --summary "$tmp/rec.json" >"$tmp/zh5" 2>&1
cmp -s "$tmp/zh" "$tmp/zh5" && ok "--lang zh in the C locale" || bad "--lang zh in the C locale"

env -i PATH="$PATH" "$ts" show --summary "$tmp/rec.json" >"$tmp/en2" 2>&1
run LANGUAGE=zh_CN "$ts" --lang en show --summary "$tmp/rec.json" >"$tmp/en3" 2>&1
cmp -s "$tmp/en" "$tmp/en2" && cmp -s "$tmp/en" "$tmp/en3" &&
	ok "English: C, C.UTF-8 and --lang en over LANGUAGE=zh_CN agree" ||
	bad "English output depends on the locale"
run TASKSTATE_LOCALEDIR=/nonexistent "$ts" --lang zh show "$tmp/rec.json" >"$tmp/none" 2>&1
grep -q 'running -> blocked' "$tmp/none" && ok "no catalogue: English" || bad "no catalogue: not English"

run "$ts" show --json "$tmp/rec.json" >"$tmp/j_en"
run "$ts" --lang zh show --json "$tmp/rec.json" >"$tmp/j_zh"
run LANGUAGE=zh_CN "$ts" show --json "$tmp/rec.json" >"$tmp/j_zh2"
if cmp -s "$tmp/j_en" "$tmp/j_zh" && cmp -s "$tmp/j_en" "$tmp/j_zh2" &&
   ! LC_ALL=C grep -q '[^ -~]' "$tmp/j_zh"; then
	ok "--json identical in both languages, ASCII"
else
	bad "--json differs between languages"
fi

run "$ts" --lang zh --help >"$tmp/h" 2>&1
grep -q '阻塞态' "$tmp/h" && ok "taskstate --lang zh --help" || bad "taskstate --lang zh --help"
run "$ts" --lang zh show --help >"$tmp/h" 2>&1
grep -q '输出一份记录' "$tmp/h" && ok "taskstate show --help in Chinese" || bad "taskstate show --help"
run "$lab" --lang zh --help >"$tmp/h" 2>&1
grep -q '用法' "$tmp/h" && grep -q '匿名管道' "$tmp/h" && ok "ipclab --lang zh --help" || bad "ipclab --lang zh --help"
run "$lab" states --lang zh --help >"$tmp/h" 2>&1
grep -q '阻塞态' "$tmp/h" && ok "ipclab states --lang zh --help" || bad "ipclab states --lang zh --help"
run "$lab" pipe --help --lang zh >"$tmp/h" 2>&1
grep -q '发送的消息数' "$tmp/h" && ok "ipclab pipe --help --lang zh" || bad "ipclab pipe --help --lang zh"

for t in "$ts" "$lab"; do
	run "$t" --lang fr --help >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" = 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" = 1 ]; then
		ok "$(basename "$t") --lang fr: exit 2, one line"
	else
		bad "$(basename "$t") --lang fr: exit $rc, $(wc -l <"$tmp/err") lines"
	fi
	run "$t" --help --lang >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] &&
		ok "$(basename "$t") --lang without a value: exit 2" ||
		bad "$(basename "$t") --lang without a value: exit $rc"
done
exit "$fail"
