#!/usr/bin/env bats
# src/nfsd.c, the recall of NFSv4 delegations, against states files the
# test writes (tests/unit/nfsd-test; no root, no NFS server): each record
# read to its exact shape, a file name cannot forge one, and what is
# opened for writing is checked after opening.

bats_require_minimum_version 1.5.0

setup() {
	top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	T="$top/tests/unit/nfsd-test"
	[ -x "$T" ] || make -s -C "$top" tests/unit/nfsd-test
	root="$BATS_TEST_TMPDIR/root"
	clients="$BATS_TEST_TMPDIR/clients"
	mkdir -p "$root/d" "$clients/7"
	dev=$(stat -c '%d' "$root")
	major=$(printf '%02x' $((dev >> 8 & 0xfff)))
	minor=$(printf '%02x' $(((dev & 0xff) | (dev >> 12 & 0xfff00))))
	sb="$major:$minor"
	sid="0x0000000100000000000000000000002a"
}

ino() { stat -c '%i' "$1"; }

deleg() { # deleg INODE FILENAME: one record as the kernel prints it
	printf -- '- %s: { type: deleg, access: r, superblock: "%s:%s", filename: "%s" }\n' \
		"$sid" "$sb" "$1" "$2"
}

@test "a delegation record of the exact shape is recalled; other records and other filesystems are not" {
	echo a > "$root/d/a"
	echo b > "$root/d/b"
	{
		deleg "$(ino "$root/d/a")" "d/a"
		printf -- '- %s: { type: open, access: r, deny: --, superblock: "%s:%s", filename: "d/b", owner: "x" }\n' \
			"$sid" "$sb" "$(ino "$root/d/b")"
		printf -- '- %s: { type: deleg, access: r, superblock: "ff:ff:%s", filename: "d/b" }\n' \
			"$sid" "$(ino "$root/d/b")"
	} > "$clients/7/states"
	run -0 "$T" "$clients" "$root"
	[ "${lines[0]}" = "recall a" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "a file name cannot forge a record: 'type: deleg' inside a name, a name with a newline" {
	echo a > "$root/d/a"
	echo victim > "$root/d/victim"
	v=$(ino "$root/d/victim")
	# in the name of an open record, on its own line
	forged="x, type: deleg, access: r, superblock: \"$sb:$v\", filename: \"d/victim"
	# a name holding a newline and a whole record: the kernel prints it as is
	nl=$'y" }\n'"- $sid: { type: deleg, access: r, superblock: \"$sb:$v\", filename: \"victim"
	echo n > "$root/d/$nl"
	{
		printf -- '- %s: { type: open, access: r, deny: --, superblock: "%s:1", filename: "%s", owner: "o" }\n' \
			"$sid" "$sb" "$forged"
		deleg "$(ino "$root/d/$nl")" "d/$nl"
	} > "$clients/7/states"
	run -0 "$T" "$clients" "$root"
	[ "${lines[0]}" = "left 2" ]
	[ "${#lines[@]}" -eq 1 ]
	# the same client's records before it still count
	{
		deleg "$(ino "$root/d/a")" "d/a"
		deleg "$(ino "$root/d/$nl")" "d/$nl"
	} > "$clients/7/states"
	run -0 "$T" "$clients" "$root"
	[ "${lines[0]}" = "recall a" ]
	refute() { ! printf '%s\n' "$output" | grep -q "$1"; }
	refute "recall victim"
}

@test "a special file swapped in between is never opened: the open goes through the checked descriptor" {
	echo f > "$root/f"
	mkfifo "$root/f.fifo"
	deleg "$(ino "$root/f")" "root/f" > "$clients/7/states"
	# a reader waits on the FIFO: a writer's open would let it go on
	timeout 5 cat "$root/f.fifo" > "$BATS_TEST_TMPDIR/read" &
	reader=$!
	sleep 0.2
	run -0 "$T" "$clients" "$root" f
	[ "${lines[0]}" = "recall f" ]
	[ -p "$root/f" ]
	sleep 0.3
	# still waiting: nobody opened the FIFO for writing
	kill -0 "$reader"
	kill "$reader" || true
	wait "$reader" || true
}

@test "a symbolic link, a device or a file on another filesystem named by inode is never opened" {
	echo t > "$BATS_TEST_TMPDIR/target"
	ln -s "$BATS_TEST_TMPDIR/target" "$root/d/link"
	mkfifo "$root/d/pipe"
	{
		deleg "$(stat -c '%i' "$root/d/link")" "d/link"
		deleg "$(ino "$root/d/pipe")" "d/pipe"
	} > "$clients/7/states"
	run -0 "$T" "$clients" "$root"
	[ "${lines[0]}" = "left 2" ]
}

@test "the recall is bounded: a delegation never given back is counted, not waited on for ever" {
	echo a > "$root/d/a"
	deleg "$(ino "$root/d/a")" "d/a" > "$clients/7/states"
	# the states never change here: it gives up at its bound
	run -0 timeout 60 "$T" "$clients" "$root"
	[ "${lines[1]}" = "left 1" ]
}
