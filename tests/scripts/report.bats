#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# make report (scripts/report): the page built from the committed
# results/*.json, loaded in headless Chromium; the DOM Chromium built is
# queried with xmllint. The pages are built from small copies of the
# committed results (tests/test_helper/small-results.bash: every kernel, a
# few scenarios' runs) and the whole catalogue: the committed page of all
# results is `make report-check`'s, byte for byte. The matrix has one group
# of rows per scenario of the catalogue, each with its steps, one column per
# kernel and family; a result that differs between kernels, a POSIX
# difference, a racy step, a skipped run and the evidence links are checked
# on copies of the results with one thing changed. The screenshot goes to $REPORT_SCREENSHOT (default: the
# test's temporary directory). Skipped, with the reason, without chromium.

setup_file() {
	root=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	export root
	# The catalogue's order and summaries, as `make report` passes them.
	"${SOCKERR:-$root/build/sockerr}" list --json >"$BATS_FILE_TMPDIR/registry.json"
	# The committed results, cut down, oldest kernel first.
	# shellcheck source=tests/test_helper/small-results.bash
	. "$BATS_TEST_DIRNAME/../test_helper/small-results.bash"
	small_results "$BATS_FILE_TMPDIR/small"
	mapfile -t results < <(printf '%s\n' "$BATS_FILE_TMPDIR"/small/*.json | sort -V)
	kernels=$(for f in "${results[@]}"; do jq -r .kernel "$f"; done | tr '\n' ' ')
	export kernels
	# The page of the committed results, built once for the tests that only
	# read it.
	registry=$BATS_FILE_TMPDIR/registry.json
	browser=$(find_browser)
	if [ -n "$browser" ] && command -v xmllint >/dev/null; then
		committed=$BATS_FILE_TMPDIR/committed
		mkdir -p "$committed"
		cp "$BATS_FILE_TMPDIR"/small/* "$committed/"
		build "$committed"
	fi
}

find_browser() {
	type -P chromium chromium-browser | head -n 1
}

setup() {
	load ../test_helper/common-setup
	browser=$(find_browser)
	[ -n "$browser" ] || skip "chromium is not installed ('make deps' installs it): the report is not checked in a browser"
	command -v xmllint >/dev/null || skip "xmllint is not installed (Debian libxml2-utils): the DOM cannot be queried"
	read -r -a kernel <<<"$kernels"
	registry=$BATS_FILE_TMPDIR/registry.json
	committed=$BATS_FILE_TMPDIR/committed
}

# browse ARGS... URL: Chromium, headless, without a terminal or a display, its
# profile and HOME in the test's directory (as root it needs --no-sandbox).
browse() {
	local tmp=${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}
	mkdir -p "$tmp/home"
	HOME=$tmp/home timeout 60 "$browser" --headless --no-sandbox --disable-gpu \
		--no-first-run --no-default-browser-check --disable-dev-shm-usage \
		--user-data-dir="$tmp/profile" "$@" </dev/null 2>>"$tmp/chromium.log"
}

# build DIR: the page of DIR/*.json as DIR/index.html, and the DOM Chromium
# makes of it as DIR/dom.html.
build() {
	local dir=$1
	"$BATS_TEST_DIRNAME/../../scripts/report" --registry "$registry" -o "$dir/index.html" "$dir"/*.json
	browse --dump-dom "file://$dir/index.html" >"$dir/dom.html" || {
		echo "chromium failed:" >&2
		tail -n 20 "${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}/chromium.log" >&2
		return 1
	}
	# The whole document came through: the matrix closes.
	grep -q '</table>' "$dir/dom.html"
}

# copy: the (small) committed results in a directory of the test's own, to
# change.
copy() {
	mkdir -p "$BATS_TEST_TMPDIR/results"
	cp "$BATS_FILE_TMPDIR"/small/* "$BATS_TEST_TMPDIR/results/"
	echo "$BATS_TEST_TMPDIR/results"
}

# xpath DOM EXPR: the string value of EXPR in the DOM.
xpath() {
	xmllint --html --xpath "$2" "$1" 2>/dev/null
}

# has_class CLASS: an XPath predicate.
has_class() {
	echo "contains(concat(' ', normalize-space(@class), ' '), ' $1 ')"
}

# column KERNEL_INDEX FAMILY: the td position of a kernel's family in a step row.
column() {
	if [ "$2" = ipv4 ]; then echo $((2 * $1 + 1)); else echo $((2 * $1 + 2)); fi
}

@test "report: one group of rows per scenario of the catalogue, in its order, each with its steps" {
	dir=$committed
	run xpath "$dir/dom.html" 'count(//table[@id="matrix"]/tbody[@data-scenario])'
	assert_output "$(jq length "$registry")"
	# The names, in the catalogue's order.
	names=$(xpath "$dir/dom.html" "//table[@id='matrix']/tbody/@data-scenario" | sed -E 's/^ *data-scenario="([^"]*)"$/\1/')
	assert_equal "$names" "$(jq -r '.[].name' "$registry")"
	# Every scenario has step rows, and as many as its longest run has steps.
	while read -r name steps; do
		run xpath "$dir/dom.html" "count(//tbody[@data-scenario='$name']/tr[@class='step'])"
		[ "$output" -ge "$steps" ] || fail "$name: $output step rows, a run of it has $steps steps"
	done < <(jq -r -s '[.[].runs[]] | group_by(.scenario)[] | "\(.[0].scenario) \(map(.steps | length) | max)"' "$dir"/*.json)
}

@test "report: columns are family x kernel, kernels sorted by version" {
	dir=$committed
	for i in "${!kernel[@]}"; do
		run xpath "$dir/dom.html" "normalize-space(//table[@id='matrix']/thead/tr[1]/th[$((i + 2))])"
		assert_output "${kernel[$i]}"
	done
	run xpath "$dir/dom.html" "count(//table[@id='matrix']/thead/tr[2]/th)"
	assert_output $((2 * ${#kernel[@]}))
	for i in "${!kernel[@]}"; do
		run xpath "$dir/dom.html" "concat(//table[@id='matrix']/thead/tr[2]/th[$(column "$i" ipv4)], ' ', //table[@id='matrix']/thead/tr[2]/th[$(column "$i" ipv6)])"
		assert_output "ipv4 ipv6"
	done
}

@test "report: closed-port ipv4 and ipv6, connect() is ECONNREFUSED on every kernel" {
	dir=$committed
	for i in "${!kernel[@]}"; do
		for family in ipv4 ipv6; do
			run xpath "$dir/dom.html" "string(//tbody[@data-scenario='closed-port']/tr[@data-step='connect']/td[$(column "$i" "$family")])"
			assert_output ECONNREFUSED
		done
	done
	# and the head row says each ran
	run xpath "$dir/dom.html" "count(//tbody[@data-scenario='closed-port']/tr[@class='head']/td[$(has_class ran)])"
	assert_output $((2 * ${#kernel[@]}))
}

@test "report: a scenario without a network spans both family columns of each kernel" {
	dir=$committed
	run xpath "$dir/dom.html" "count(//tbody[@data-scenario='accept-closed-fd']/tr[@data-step='accept']/td[@colspan='2'])"
	assert_output "${#kernel[@]}"
	run xpath "$dir/dom.html" "string(//tbody[@data-scenario='accept-closed-fd']/tr[@data-step='accept']/td[1])"
	assert_output EBADF
}

@test "report: the committed results differ between kernels exactly where results/MATRIX.md says" {
	dir=$committed
	run xpath "$dir/dom.html" "count(//table[@id='matrix']//td[$(has_class differs)])"
	# scripts/matrix of the same (small) results: what results/MATRIX.md
	# says of them (a row it marks ≠ is a step that differs).
	if "$root/scripts/matrix" "$dir"/*.json | grep -q '| ≠ |$'; then
		refute_output 0
	else
		assert_output 0
	fi
}

@test "report: the page opens with What changed between kernels: the difference, the kernels on each side linked to their ladders, the version and the cause" {
	dir=$(copy)
	# shellcheck source=tests/test_helper/small-results.bash
	. "$BATS_TEST_DIRNAME/../test_helper/small-results.bash"
	version=$(small_results_difference "$dir")
	for k in "${kernel[@]}"; do
		mkdir -p "$dir/evidence/$k"
		echo '<svg xmlns="http://www.w3.org/2000/svg"/>' >"$dir/evidence/$k/closed-port-ipv6.svg"
	done
	build "$dir"
	# The first heading after the title, before the kernels and the matrix.
	run xpath "$dir/dom.html" "normalize-space((//h2)[1])"
	assert_output "What changed between kernels"
	run xpath "$dir/dom.html" "count(//section[@id='changed']/following::table[@id='matrix']) + count(//section[@id='changed']/following::table[@id='kernels'])"
	assert_output 2
	row="//table[@id='changed-table']/tbody/tr[@data-scenario='closed-port']"
	run xpath "$dir/dom.html" "count($row)"
	assert_output 1
	run xpath "$dir/dom.html" "concat(normalize-space($row/td[2]), '|', normalize-space($row/td[3]), '|', normalize-space($row/td[5]))"
	assert_output "ipv6|connect|$version"
	run xpath "$dir/dom.html" "normalize-space($row/td[6])"
	assert_output "$version: $SMALL_RESULTS_CAUSE"
	run xpath "$dir/dom.html" "normalize-space($row/td[4]/span[1])"
	assert_output "$(grep -oE '^[0-9]+\.[0-9]+' <<<"${kernel[0]}"): ETIMEDOUT"
	run xpath "$dir/dom.html" "normalize-space($row/td[4]/span[2])"
	assert_output --regexp ": ECONNREFUSED$"
	# Each kernel on either side links to its ladder of the run.
	run xpath "$dir/dom.html" "count($row/td[4]//a[contains(@href, 'closed-port-ipv6.svg')])"
	assert_output "${#kernel[@]}"
	# Explained: not marked.
	run xpath "$dir/dom.html" "count(//table[@id='changed-table']//tr[$(has_class unexplained)])"
	assert_output 0
	# The pair of the two newest kernels: none found, and what was compared.
	run xpath "$dir/dom.html" "normalize-space(//ul[@id='pairs']/li[last()])"
	assert_output --regexp "→ .*: none found; compared [0-9]+ scenarios \(ipv4, ipv6 and no network\), [0-9]+ step rows"
	# Without its line in differences.tsv: not yet explained, and marked.
	grep -v '^closed-port' "$dir/differences.tsv" >"$dir/differences.tsv.new"
	mv "$dir/differences.tsv.new" "$dir/differences.tsv"
	build "$dir"
	run xpath "$dir/dom.html" "normalize-space(//table[@id='changed-table']//tr[$(has_class unexplained)]/td[6])"
	assert_output "not yet explained"
}

@test "report: each kernel's evidence directory is linked from the table of kernels" {
	dir=$(copy)
	for k in "${kernel[@]}"; do
		mkdir -p "$dir/evidence/$k"
		: >"$dir/evidence/$k/closed-port-ipv4.pcap"
	done
	build "$dir"
	for i in "${!kernel[@]}"; do
		run xpath "$dir/dom.html" "string(//table[@id='kernels']/tbody/tr[$((i + 1))]//a[$(has_class evidence)]/@href)"
		assert_output "evidence/$(jq -rn --arg k "${kernel[$i]}" '$k | @uri')/"
		[ -d "$dir/$(printf '%b' "${output//%/\\x}")" ] || fail "no directory for $output"
	done
}

@test "report: a result that differs between kernels is marked differs, with every kernel's answer in its title" {
	dir=$(copy)
	old=$dir/${kernel[0]}.json
	jq '(.runs[] | select(.scenario == "closed-port" and .family == "ipv6") | .steps[]
		| select(.name == "connect") | .errno) = "ETIMEDOUT"' "$old" >"$old.new"
	mv "$old.new" "$old"
	build "$dir"
	row="//tbody[@data-scenario='closed-port']/tr[@data-step='connect']"
	for i in "${!kernel[@]}"; do
		run xpath "$dir/dom.html" "count($row/td[$(column "$i" ipv6)][$(has_class differs)])"
		assert_output 1
		run xpath "$dir/dom.html" "count($row/td[$(column "$i" ipv4)][$(has_class differs)])"
		assert_output 0
	done
	run xpath "$dir/dom.html" "string($row/td[$(column 0 ipv6)])"
	assert_output ETIMEDOUT
	run xpath "$dir/dom.html" "string($row/td[$(column 0 ipv6)]/@title)"
	assert_output --partial "${kernel[0]}: ETIMEDOUT"
	assert_output --partial "${kernel[1]}: ECONNREFUSED"
	# The only one, and counted in the header.
	run xpath "$dir/dom.html" "count(//table[@id='matrix']//td[$(has_class differs)])"
	assert_output "${#kernel[@]}"
	run xpath "$dir/dom.html" "normalize-space(//p[@class='gen'])"
	assert_output --partial "${#kernel[@]} cells differ between kernels"
}

@test "report: a measurement or a racy step that differs is not marked differs" {
	dir=$(copy)
	old=$dir/${kernel[0]}.json
	jq '(.runs[] | select(.scenario == "rst-before-accept" and .family == "ipv4") | .steps[]
		| select(.name == "listener")) |= (.racy = true | .value = "not readable")
	  | (.runs[] | .steps[] | select(.measured) | .value) = "12345"' "$old" >"$old.new"
	mv "$old.new" "$old"
	build "$dir"
	run xpath "$dir/dom.html" "count(//table[@id='matrix']//td[$(has_class differs)])"
	assert_output 0
	cell="//tbody[@data-scenario='rst-before-accept']/tr[@data-step='listener']/td[1]"
	run xpath "$dir/dom.html" "count(${cell}[$(has_class racy)])"
	assert_output 1
	run xpath "$dir/dom.html" "string($cell/@title)"
	assert_output --partial "racy"
	run xpath "$dir/dom.html" "count(//table[@id='matrix']//td[$(has_class measured)]) > 0"
	assert_output true
}

@test "report: rst-before-accept, where Linux differs from POSIX, marks its ECONNRESET and says what POSIX expects" {
	dir=$committed
	sc="//tbody[@data-scenario='rst-before-accept']"
	for i in "${!kernel[@]}"; do
		for family in ipv4 ipv6; do
			cell="$sc/tr[@data-step='recv']/td[$(column "$i" "$family")]"
			run xpath "$dir/dom.html" "concat(string($cell), ' ', count(${cell}[$(has_class posix)]))"
			assert_output "ECONNRESET 1"
		done
	done
	# only the errno's step: accept() succeeded
	run xpath "$dir/dom.html" "count($sc/tr[@data-step='accept']/td[$(has_class posix)])"
	assert_output 0
	run xpath "$dir/dom.html" "normalize-space($sc/tr[@class='info'])"
	assert_output --partial "POSIX / man page: accept() fails with ECONNABORTED"
	# A scenario where Linux agrees has no mark.
	run xpath "$dir/dom.html" "count(//tbody[@data-scenario='closed-port']//td[$(has_class posix)])"
	assert_output 0
}

@test "report: a run skipped on a kernel shows skipped, with the reason as its title" {
	dir=$committed
	# forbidden-landlock needs Landlock ABI 4: skipped on 6.1.
	sc="//tbody[@data-scenario='forbidden-landlock']"
	run xpath "$dir/dom.html" "string($sc/tr[@class='head']/td[1])"
	assert_output skipped
	run xpath "$dir/dom.html" "string($sc/tr[@class='head']/td[1]/@title)"
	assert_output --partial "Landlock ABI"
	run xpath "$dir/dom.html" "string($sc/tr[@class='step'][1]/td[1])"
	assert_output skipped
	run xpath "$dir/dom.html" "count($sc/tr[@class='step'][1]/td[$(column 2 ipv4)][$(has_class skipped)])"
	assert_output 0
}

@test "report: a run links to its ladder and capture only where results/evidence has them" {
	dir=$(copy)
	mkdir -p "$dir/evidence/${kernel[2]}" "$dir/evidence/${kernel[0]}"
	echo '<svg xmlns="http://www.w3.org/2000/svg"/>' >"$dir/evidence/${kernel[2]}/closed-port-ipv4.svg"
	: >"$dir/evidence/${kernel[2]}/closed-port-ipv4.pcap"
	echo '<svg xmlns="http://www.w3.org/2000/svg"/>' >"$dir/evidence/${kernel[0]}/closed-port-ipv6.svg"
	build "$dir"
	head="//tbody[@data-scenario='closed-port']/tr[@class='head']"
	run xpath "$dir/dom.html" "count($head//a[contains(@href, 'evidence/')])"
	assert_output 3
	# Each result of a run with a ladder links to it: closed-port's two
	# steps, in the two runs that have one.
	run xpath "$dir/dom.html" "count(//table[@id='matrix']//tr[@class='step']//a[contains(@href, 'evidence/')])"
	assert_output 4
	run xpath "$dir/dom.html" "count(//tbody[@data-scenario='closed-port']/tr[@class='step']/td[$(column 2 ipv4)]/a[@class='cell'])"
	assert_output 2
	run xpath "$dir/dom.html" "count($head/td[$(column 2 ipv4)]/a)"
	assert_output 2
	run xpath "$dir/dom.html" "count($head/td[$(column 0 ipv6)]/a)"
	assert_output 1
	run xpath "$dir/dom.html" "count($head/td[$(column 0 ipv4)]/a)"
	assert_output 0
	# Every link leads to a file, relative to the page.
	while read -r href; do
		href=${href#*\"}
		href=${href%\"}
		file=$(printf '%b' "${href//%/\\x}")
		[ -f "$dir/$file" ] || fail "link $href: no $dir/$file"
	done < <(xpath "$dir/dom.html" "//table[@id='matrix']//a[contains(@href, 'evidence/')]/@href" | tr ' ' '\n' | grep href=)
}

@test "report: the page is static: no script, nothing fetched from the network" {
	dir=$committed
	run xpath "$dir/dom.html" "count(//script | //link | //img | //iframe | //object)"
	assert_output 0
	run grep -Eci '(src|href)="(https?:)?//' "$dir/index.html"
	assert_output 0
}

@test "report: a screenshot of the page in Chromium" {
	dir=$(copy)
	"$BATS_TEST_DIRNAME/../../scripts/report" --registry "$registry" -o "$dir/index.html" "$dir"/*.json
	shot=${REPORT_SCREENSHOT:-$BATS_TEST_TMPDIR/report.png}
	[[ $shot == /* ]] || shot=$PWD/$shot
	mkdir -p "$(dirname "$shot")"
	rm -f "$shot"
	browse --hide-scrollbars --screenshot="$shot" --window-size=1400,2000 "file://$dir/index.html" >/dev/null
	[ -s "$shot" ] || fail "no screenshot at $shot: $(tail -n 5 "$BATS_TEST_TMPDIR/chromium.log")"
	# A PNG of the window's size: IHDR width and height.
	run od -An -tx1 -j 16 -N 8 "$shot"
	assert_output " 00 00 05 78 00 00 07 d0"
	run od -An -tx1 -N 8 "$shot"
	assert_output " 89 50 4e 47 0d 0a 1a 0a"
	echo "# report screenshot: $shot" >&3
}
