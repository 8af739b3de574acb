#!/usr/bin/env bats
# Every seed of the fuzz corpora (tests/fuzz/corpus/TARGET) through its
# harness, built with this compiler (tests/unit/replay-TARGET): the
# promises each harness checks (what a validator accepts cannot break an
# exports line, a parsed record lies inside its line, ...) hold for every
# seed.  make fuzz explores beyond them with libFuzzer.

bats_require_minimum_version 1.5.0

setup() {
	top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
}

replay() {
	R="$top/tests/unit/replay-$1"
	[ -x "$R" ] || make -s -C "$top" "tests/unit/replay-$1"
	run -0 "$R" "$top/tests/fuzz/corpus/$1"
	[[ $output =~ ^[1-9][0-9]*\ inputs$ ]]
}

@test "fuzz seeds: names" { replay names; }
@test "fuzz seeds: clients" { replay clients; }
@test "fuzz seeds: options" { replay options; }
@test "fuzz seeds: filter" { replay filter; }
@test "fuzz seeds: config" { replay config; }
@test "fuzz seeds: zfs" { replay zfs; }
@test "fuzz seeds: exports" { replay exports; }
@test "fuzz seeds: journal" { replay journal; }
@test "fuzz seeds: nfsd" { replay nfsd; }
