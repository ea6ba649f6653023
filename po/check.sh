#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make -C po check: the catalogues are complete and current.
#  1. taskstate.pot holds exactly the messages the sources mark (it is
#     extracted again into a temporary file and the two compared);
#  2. every LANG.po translates every message, none fuzzy, formats matching;
#  3. the tools speak Chinese with --lang zh (lang-test.sh).
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

make -s extract OUT="$tmp/new.pot"
# msgcmp DEF REF: every message of REF is in DEF.  Both ways: nothing
# missing, nothing left over.
if ! msgcmp --use-untranslated taskstate.pot "$tmp/new.pot" 2>"$tmp/err" ||
   ! msgcmp --use-untranslated "$tmp/new.pot" taskstate.pot 2>>"$tmp/err"; then
	sed 's/^/  /' "$tmp/err" >&2
	echo "po: taskstate.pot is stale: run 'make -C po update-po' and translate" >&2
	fail=1
fi

for l in $LINGUAS; do
	# Untranslated and fuzzy messages count as missing here.
	if ! msgcmp "$l.po" taskstate.pot 2>"$tmp/err"; then
		sed 's/^/  /' "$tmp/err" >&2
		echo "po: $l.po lacks translations of taskstate.pot's messages" >&2
		fail=1
	fi
	msgattrib --only-fuzzy --no-obsolete -o "$tmp/fuzzy.po" "$l.po"
	msgattrib --untranslated --no-obsolete -o "$tmp/untr.po" "$l.po"
	if [ -s "$tmp/fuzzy.po" ] || [ -s "$tmp/untr.po" ]; then
		cat "$tmp/fuzzy.po" "$tmp/untr.po" | grep '^msgid' | sed 's/^/  /' >&2 || true
		echo "po: $l.po has fuzzy or untranslated messages" >&2
		fail=1
	fi
	if ! msgfmt --check --statistics -o /dev/null "$l.po" 2>"$tmp/err"; then
		sed 's/^/  /' "$tmp/err" >&2
		echo "po: $l.po does not compile cleanly" >&2
		fail=1
	fi
done

if [ "$fail" = 0 ] && ! ./lang-test.sh; then
	fail=1
fi
[ "$fail" = 0 ] && echo "po: catalogues complete and current ($(grep -c '^msgid ' taskstate.pot) messages incl. header)"
exit "$fail"
