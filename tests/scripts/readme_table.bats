#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# shellcheck disable=SC2016 # `backquotes` in single quotes are markdown, not expansions
# README.md's errno table (scripts/readme-table, make readme): one row per
# scenario of the catalogue, from the committed results only; --check passes
# on a fresh table and fails, naming `make readme`, on a stale one; --write
# puts a fresh one between the markers. Checked on copies of README.md with
# the markers added, so that nothing here depends on README.md's own table,
# and on small copies of the committed results (every kernel, a few
# scenarios' runs: tests/test_helper/small-results.bash); the table of all
# of them is `make readme-check`'s.

setup_file() {
	# shellcheck source=tests/test_helper/small-results.bash
	. "$BATS_TEST_DIRNAME/../test_helper/small-results.bash"
	small_results "$BATS_FILE_TMPDIR/small"
}

setup() {
	load ../test_helper/common-setup
	table=$BATS_TEST_DIRNAME/../../scripts/readme-table
	readme=$BATS_TEST_TMPDIR/README.md
	registry=$BATS_TEST_TMPDIR/registry.json
	"$SOCKERR" list --json >"$registry"
	export REGISTRY=$registry
	RESULTS=$(echo "$BATS_FILE_TMPDIR"/small/*.json)
	export RESULTS
	# README.md without its generated tables, then sections with empty
	# markers.
	sed -e '/^<!-- errno-table:begin -->$/,/^<!-- errno-table:end -->$/d' \
		-e '/^<!-- claims-table:begin -->$/,/^<!-- claims-table:end -->$/d' \
		"$BATS_TEST_DIRNAME/../../README.md" >"$readme"
	printf '\n## Claims (generated)\n\n<!-- claims-table:begin -->\n<!-- claims-table:end -->\n' >>"$readme"
	printf '\n## Errno table (generated)\n\n<!-- errno-table:begin -->\n<!-- errno-table:end -->\n\nAfter the table.\n' >>"$readme"
}

@test "readme-table: one row per scenario of the catalogue, each scenario once, sorted by errno" {
	run --separate-stderr "$table"
	assert_success
	assert_line --index 0 --regexp '^\| errno \| syscall \| scenario \| observed'
	assert_line --index 1 --regexp '^(\|---)+\|$'
	rows=$(sed -n '3,$p' <<<"$output")
	assert_equal "$(wc -l <<<"$rows")" "$(jq length "$registry")"
	assert_equal "$(sed -E 's/^\| [^|]* \| [^|]* \| `([^`]*)`.*/\1/' <<<"$rows" | sort)" \
		"$(jq -r '.[].name' "$registry" | sort)"
	assert_equal "$(cut -d'|' -f2 <<<"$rows")" "$(cut -d'|' -f2 <<<"$rows" | LC_ALL=C sort)"
	# Each row has the table's seven columns.
	run awk -F' \\| ' 'NR > 2 && NF != 7' <<<"$output"
	assert_output ""
}

@test "readme-table: closed-port, ECONNREFUSED on every kernel of results/" {
	run --separate-stderr "$table"
	assert_success
	kernels=$(for f in "$BATS_FILE_TMPDIR"/small/*.json; do jq -r .kernel "$f" | grep -oE '^[0-9]+\.[0-9]+'; done | sort -V | paste -sd, | sed 's/,/, /g')
	assert_line --partial "| ECONNREFUSED | connect | \`closed-port\` | connect: ECONNREFUSED | $kernels | — |"
}

@test "readme-table: the same table whatever the kernel it runs on: the results files alone" {
	run --separate-stderr "$table"
	assert_success
	first=$output
	# Another kernel, and a sockerr that would fail to run anything but
	# `list`: the table is the same, built from results/*.json alone.
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	printf '#!/bin/sh\necho 9.9.9-elsewhere\n' >"$BATS_TEST_TMPDIR/bin/uname"
	printf '#!/bin/sh\ncase $1 in list | claims) ;; *) exit 1 ;; esac\nexec %q "$@"\n' "$SOCKERR" >"$BATS_TEST_TMPDIR/bin/sockerr"
	chmod +x "$BATS_TEST_TMPDIR/bin/uname" "$BATS_TEST_TMPDIR/bin/sockerr"
	unset REGISTRY
	PATH=$BATS_TEST_TMPDIR/bin:$PATH SOCKERR=$BATS_TEST_TMPDIR/bin/sockerr run --separate-stderr "$table"
	assert_success
	assert_equal "$output" "$first"
	# No date.
	run grep -cE '20[0-9]{2}-[0-9]{2}-[0-9]{2}' <<<"$first"
	assert_output 0
}

@test "readme-table: a kernel that answers differently is named in the row" {
	mkdir -p "$BATS_TEST_TMPDIR/results"
	cp "$BATS_FILE_TMPDIR"/small/*.json "$BATS_TEST_TMPDIR/results/"
	oldest=$(printf '%s\n' "$BATS_TEST_TMPDIR"/results/*.json | sort -V | head -n 1)
	jq '(.runs[] | select(.scenario == "closed-port" and .family == "ipv6") | .steps[]
		| select(.name == "connect") | .errno) = "ETIMEDOUT"' "$oldest" >"$oldest.new"
	mv "$oldest.new" "$oldest"
	old=$(jq -r .kernel "$oldest" | grep -oE '^[0-9]+\.[0-9]+')
	RESULTS="$(echo "$BATS_TEST_TMPDIR"/results/*.json)" run --separate-stderr "$table"
	assert_success
	assert_line --regexp "^\| ECONNREFUSED \| connect \| \`closed-port\` \| ipv4: connect: ECONNREFUSED; ipv6: $old: connect: ETIMEDOUT; [0-9., ]+: connect: ECONNREFUSED \|"
}

@test "readme-table --check: a fresh table passes, --write changes nothing more" {
	cp "$readme" "$readme.orig"
	run --separate-stderr "$table" --check "$readme"
	assert_failure
	run --separate-stderr "$table" --write "$readme"
	assert_success
	cp "$readme" "$readme.written"
	run --separate-stderr "$table" --check "$readme"
	assert_success
	run --separate-stderr "$table" --write "$readme"
	assert_success
	cmp "$readme" "$readme.written"
	# Only the lines between the markers changed: the table, exactly.
	outside() {
		sed -e '/^<!-- errno-table:begin -->$/,/^<!-- errno-table:end -->$/d' \
			-e '/^<!-- claims-table:begin -->$/,/^<!-- claims-table:end -->$/d' "$1"
	}
	assert_equal "$(outside "$readme")" "$(outside "$readme.orig")"
	assert_equal "$(sed -n '/^<!-- errno-table:begin -->$/,/^<!-- errno-table:end -->$/p' "$readme" | sed '1d;$d')" \
		"$("$table")"
	assert_equal "$(tail -n 1 "$readme")" "After the table."
}

@test "readme-table --check: one changed cell fails with the diff and says to run make readme" {
	"$table" --write "$readme"
	sed -i 's/^| EBADF | accept | `accept-closed-fd` | accept: EBADF |/| EBADF | accept | `accept-closed-fd` | accept: EINVAL |/' "$readme"
	grep -q 'accept-closed-fd` | accept: EINVAL' "$readme"
	run --separate-stderr "$table" --check "$readme"
	assert_failure
	assert_line "-| EBADF | accept | \`accept-closed-fd\` | accept: EINVAL | $(sed -nE 's/^\| EBADF \| accept \| `accept-closed-fd` \| accept: EINVAL \| (.*)$/\1/p' "$readme")"
	assert_line --regexp '^\+\| EBADF \| accept \| `accept-closed-fd` \| accept: EBADF \|'
	[[ $stderr == *"run 'make readme'"* ]] || fail "stderr does not say make readme: $stderr"
}

@test "readme-table --check: a README without the markers fails and says which lines it needs" {
	run --separate-stderr "$table" --check "$BATS_TEST_TMPDIR/none.md"
	assert_failure
	sed -i '/^<!-- errno-table:end -->$/d' "$readme"
	run --separate-stderr "$table" --check "$readme"
	assert_failure
	[[ $stderr == *"<!-- errno-table:begin -->"*"<!-- errno-table:end -->"* ]] || fail "$stderr"
}
