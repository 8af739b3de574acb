#!/usr/bin/env bats
# The shape of src/ (tests/lib/layout): floors, function length, and each
# command's file naming it.  The tree as it is passes; a copy with one
# breach of each rule fails naming it.

bats_require_minimum_version 1.5.0

setup() {
	top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	L="$top/tests/lib/layout"
}

copy() {
	cp -r "$top/src" "$BATS_TEST_TMPDIR/src"
	export LAYOUT_SRC="$BATS_TEST_TMPDIR/src"
}

@test "layout: src/ as it is keeps every rule" {
	run -0 "$L" check
	[ -z "$output" ]
	run -0 "$L" includes
	[[ $output == *"cmd -> zfs"* ]]
}

@test "layout: an include up a floor, or across zfs and nfs, is named" {
	copy
	sed -i '1i #include "cmd/cmd.h"' "$LAYOUT_SRC/zfs/zfs.c"
	sed -i '1i #include "nfs/nfs.h"' "$LAYOUT_SRC/zfs/node.c"
	sed -i '1i #include "util.h"' "$LAYOUT_SRC/lib/argv.c"
	run -1 "$L" check
	[[ $output == *"zfs/zfs.c:1: zfs includes cmd, which is not below it"* ]]
	[[ $output == *"zfs/node.c:1: zfs includes nfs, which is not below it"* ]]
	[[ $output == *"include without its folder: lib/argv.c:1"* ]]
}

@test "layout: a function over 80 lines is named" {
	copy
	{ printf 'static int\nlong_one(void)\n{\n'
	  for i in $(seq 81); do printf '\t(void)%d;\n' "$i"; done
	  printf '\treturn 0;\n}\n'; } >> "$LAYOUT_SRC/lib/util.c"
	run -1 "$L" check
	[[ $output == *"82 lines: long_one is over 80"* ]]
}

@test "layout: a command its file's header does not name, or a synopsis away from its handler, is named" {
	copy
	sed -i '1,5s/ filtered-clone,//' "$LAYOUT_SRC/cmd/create.c"
	sed -i 's/^ \* vfsid DATASET$/ * the fsid of a dataset/' "$LAYOUT_SRC/cmd/query.c"
	run -1 "$L" check
	[[ $output == *"cmd/create.c: its header does not name filtered-clone"* ]]
	[[ $output == *"cmd/query.c: the synopsis of vfsid is not right above cmd_vfsid"* ]]
}
