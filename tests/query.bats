#!/usr/bin/env bats
# The read-only commands, compared with what zfs itself says.

load helper

setup_file() {
	ws_setup_pool
	zfs create "$POOL/a"
	zfs create "$POOL/a/b"
	zfs create "$POOL/a-b"
	zfs create "$POOL/c"
	echo hello > "$POOLMNT/a/file"
	# creation has a resolution of one second: make the order certain
	zfs snapshot "$POOL/c@first"
	sleep 1
	zfs snapshot "$POOL/a@s1"
	sleep 1
	zfs snapshot -r "$POOL@all"
	zfs snapshot "$POOL/a@s2"
	zfs clone "$POOL/a@s1" "$POOL/clone"
}

teardown_file() {
	ws_teardown_pool
}

@test "list-vols: the pools' root datasets, as zfs lists them, sorted" {
	run -0 "$WS" list-vols
	assert_output "$(zfs list -H -o name -d 0 | LC_ALL=C sort)"
	assert_line "$POOL"
}

@test "list-vols -j: objects with exact numbers from zfs get -Hp" {
	run -0 "$WS" -j list-vols
	used=$(zfs get -H -p -o value used "$POOL")
	avail=$(zfs get -H -p -o value available "$POOL")
	assert_output --partial "{\"name\":\"$POOL\",\"used\":$used,\"available\":$avail,\"mountpoint\":\"$POOLMNT\",\"origin\":null,\"exported\":false,\"fsid\":null}"
}

@test "list-filesystems: every filesystem, in byte order" {
	run -0 "$WS" list-filesystems
	assert_output "$(zfs list -H -o name -t filesystem | LC_ALL=C sort)"
	# byte order puts a-b ('-' 0x2d) before a/b ('/' 0x2f)
	run -0 "$WS" list-filesystems "$POOL/a*"
	assert_output "$(printf '%s\n' "$POOL/a" "$POOL/a-b" "$POOL/a/b")"
}

@test "list-filesystems PATTERN: a glob on the full name" {
	run -0 "$WS" list-filesystems "$POOL/?"
	assert_output "$(printf '%s\n' "$POOL/a" "$POOL/c")"
	run -0 "$WS" list-filesystems "nomatch*"
	assert_output ""
}

@test "list-filesystems -j: same names, exact used/available, origin of a clone" {
	run -0 "$WS" -j list-filesystems "$POOL*"
	names=$(printf '%s\n' "$output" | grep -o '"name":"[^"]*"' | cut -d'"' -f4)
	[ "$names" = "$(zfs list -H -o name -t filesystem -r "$POOL" | LC_ALL=C sort)" ]
	for ds in $names; do
		used=$(zfs get -H -p -o value used "$ds")
		avail=$(zfs get -H -p -o value available "$ds")
		assert_output --partial "{\"name\":\"$ds\",\"used\":$used,\"available\":$avail,"
	done
	assert_output --partial "{\"name\":\"$POOL/clone\",\"used\":$(zfs get -H -p -o value used "$POOL/clone"),\"available\":$(zfs get -H -p -o value available "$POOL/clone"),\"mountpoint\":\"$POOLMNT/clone\",\"origin\":\"$POOL/a@s1\",\"exported\":false,\"fsid\":null}"
}

@test "list-snapshots: oldest first, exactly as zfs list -s creation -s createtxg" {
	run -0 "$WS" list-snapshots
	assert_output "$(zfs list -H -o name -t snapshot -s creation -s createtxg)"
	run -0 "$WS" list-snapshots "$POOL*"
	assert_line --index 0 "$POOL/c@first"
	assert_line --index 1 "$POOL/a@s1"
}

@test "list-snapshots PATTERN" {
	run -0 "$WS" list-snapshots "$POOL/a@*"
	assert_output "$(printf '%s\n' "$POOL/a@s1" "$POOL/a@all" "$POOL/a@s2")"
}

@test "list-snapshots -j: same order as zfs, exact creation and used" {
	run -0 "$WS" -j list-snapshots "$POOL*"
	names=$(printf '%s\n' "$output" | grep -o '"name":"[^"]*"' | cut -d'"' -f4)
	[ "$names" = "$(zfs list -H -o name -t snapshot -s creation -s createtxg -r "$POOL")" ]
	for s in $names; do
		c=$(zfs get -H -p -o value creation "$s")
		u=$(zfs get -H -p -o value used "$s")
		assert_output --partial "{\"name\":\"$s\",\"creation\":$c,\"used\":$u}"
	done
}

@test "exists: 0 for a filesystem, 1 for none, 65 for a snapshot name" {
	run -0 "$WS" exists "$POOL/a/b"
	assert_output ""
	run -1 "$WS" exists "$POOL/nope"
	assert_output ""
	run -1 "$WS" exists "nopool_$WSTEST_ID/x"
	run -65 "$WS" exists "$POOL/a@s1"
	run -0 "$WS" -j exists "$POOL/a"
	assert_output "{\"name\":\"$POOL/a\",\"exists\":true}"
}

@test "snapshot-exists: 0 for a snapshot, 1 for none, 65 for a dataset name" {
	run -0 "$WS" snapshot-exists "$POOL/a@s1"
	run -1 "$WS" snapshot-exists "$POOL/a@nope"
	run -1 "$WS" snapshot-exists "$POOL/nope@s1"
	run -65 "$WS" snapshot-exists "$POOL/a"
}

@test "used-space and available-space: integers equal to zfs get -Hp" {
	run -0 "$WS" used-space "$POOL"
	assert_output "$(zfs get -H -p -o value used "$POOL")"
	run -0 "$WS" available-space "$POOL/a"
	assert_output "$(zfs get -H -p -o value available "$POOL/a")"
	run -0 "$WS" -j used-space "$POOL"
	assert_output "{\"name\":\"$POOL\",\"used\":$(zfs get -H -p -o value used "$POOL")}"
}

@test "used-space defaults to the configured default_volume" {
	run -0 "$WS" used-space
	assert_output "$(zfs get -H -p -o value used "$POOL")"
	run -0 "$WS" get_available_space_for_vol
	assert_output "$(zfs get -H -p -o value available "$POOL")"
}

@test "used-space --human: scaled like zfs" {
	run -0 "$WS" available-space --human "$POOL"
	assert_output --regexp '^[0-9]+(\.[0-9])?[KMGTPE]?$'
	[ "$output" = "$(zfs get -H -o value available "$POOL")" ]
}

@test "used-space of a missing volume: 66" {
	run -66 --separate-stderr "$WS" used-space "nopool_$WSTEST_ID"
	[ -z "$output" ]
	[[ $stderr == "warpstor: used-space: nopool_$WSTEST_ID: does not exist" ]]
}

@test "info: every field, owner from the mounted mountpoint" {
	chown 1234:5678 "$POOLMNT/a"
	ws_settle
	run -0 "$WS" info "$POOL/a"
	assert_line "name       $POOL/a"
	assert_line "type       filesystem"
	assert_line "origin     -"
	assert_line "creation   $(zfs get -H -p -o value creation "$POOL/a")"
	assert_line "used       $(zfs get -H -p -o value used "$POOL/a")"
	assert_line "referenced $(zfs get -H -p -o value referenced "$POOL/a")"
	assert_line "mountpoint $POOLMNT/a"
	assert_line "owner      1234:5678"
	assert_line "exported   no"
	assert_line "fsid       -"
	run -0 "$WS" -j info "$POOL/clone"
	assert_output --partial "\"origin\":\"$POOL/a@s1\""
	assert_output --partial "\"type\":\"filesystem\""
	run -66 "$WS" info "$POOL/nope"
}

@test "info of a snapshot" {
	run -0 "$WS" -j info "$POOL/a@s1"
	assert_output --partial "\"type\":\"snapshot\""
	assert_output --partial "\"creation\":$(zfs get -H -p -o value creation "$POOL/a@s1")"
	assert_output --partial "\"mountpoint\":null"
}

@test "vfsid: the local warpstor:fsid of an exported dataset; 66 otherwise" {
	run -66 --separate-stderr "$WS" vfsid "$POOL/c"
	[[ $stderr == *"not exported"* ]]
	uuid=0b4d6a2e-1c3f-4e5a-9b7c-123456789abc
	zfs set warpstor:fsid=$uuid "$POOL/a"
	zfs set warpstor:clients='*' "$POOL/a"
	run -0 "$WS" vfsid "$POOL/a"
	assert_output "$uuid"
	run -0 "$WS" get_vfsid_for_export "$POOL/a"
	assert_output "$uuid"
	# children inherit user properties; only a local one counts
	run -66 "$WS" vfsid "$POOL/a/b"
	run -0 "$WS" info "$POOL/a"
	assert_line "exported   yes"
	assert_line "fsid       $uuid"
	assert_line "clients    *"
	zfs inherit warpstor:fsid "$POOL/a"
	zfs inherit warpstor:clients "$POOL/a"
}

@test "version: ours, then zfs and nfs-utils (or unknown)" {
	run -0 "$WS" version
	assert_output --regexp '^warpstor [0-9]+\.[0-9]+\.[0-9]+, zfs [^ ,]+, nfs-utils [^ ,]+$'
	nfs=$(rpc.mountd --version | awk '{print $3}')
	assert_output --partial "nfs-utils $nfs"
	run -0 "$WS" -j version
	assert_output --regexp '^\{"warpstor":"[0-9.]+","zfs":.*,"nfs-utils":"'"$nfs"'"\}$'
	run -0 "$WS" -V
	assert_output --regexp '^warpstor [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "list-methods: every command once, comma-separated, in table order" {
	run -0 "$WS" list-methods
	[ "${#lines[@]}" -eq 1 ]
	assert_output --regexp '^[a-z-]+(,[a-z-]+)+$'
	for c in exists snapshot-exists list-filesystems list-snapshots list-vols used-space available-space vfsid info list-methods version; do
		[[ ",$output," == *",$c,"* ]]
	done
	run -0 "$WS" list_wst_methods
	[ "$output" = "$("$WS" list-methods)" ]
	text=$("$WS" list-methods)
	run -0 "$WS" -j list-methods
	[ "$output" = "[\"${text//,/\",\"}\"]" ]
}

@test "underscore aliases answer like their commands" {
	run -0 "$WS" dataset_exists_not "$POOL/a"
	run -1 "$WS" dataset_exists_not "$POOL/zz"
	run -0 "$WS" snapshot_exists_not "$POOL/a@s1"
	run -0 "$WS" list_filesystems
	[ "$output" = "$("$WS" list-filesystems)" ]
	run -0 "$WS" list_snapshots
	[ "$output" = "$("$WS" list-snapshots)" ]
	run -0 "$WS" list_vols
	[ "$output" = "$("$WS" list-vols)" ]
	run -0 "$WS" get_used_space_for_vol "$POOL"
	[ "$output" = "$("$WS" used-space "$POOL")" ]
}

@test "budget: every query makes one zfs call (-j list-filesystems: see ws_fs_query_calls), list-methods none" {
	log="$BATS_TEST_TMPDIR/calls"
	export WARPSTOR_ZFS=$(ws_counting_zfs "$log")
	check() {
		: > "$log"
		run "$WS" "$@"
		[ "$status" -le 1 ] || { echo "$* failed: $output"; return 1; }
		n=$(wc -l < "$log")
		[ "$n" -eq "$want" ] || { echo "$*: $n zfs calls:"; cat "$log"; return 1; }
	}
	want=1
	check list-vols
	check -j list-vols
	check list-filesystems
	want=$(ws_fs_query_calls)
	check -j list-filesystems "$POOL/*"
	want=1
	check list-snapshots
	check -j list-snapshots
	check exists "$POOL/a"
	check exists "$POOL/missing"
	check snapshot-exists "$POOL/a@s1"
	check used-space
	check -j available-space "$POOL"
	check info "$POOL/a"
	check -j info "$POOL/a@s1"
	check version
	want=0
	check list-methods
	check -h
}

@test "-v echoes each zfs argv, shell-quoted, to stderr only" {
	run -0 --separate-stderr "$WS" -v list-snapshots "$POOL/a@*"
	[ "$stderr" = "zfs list -H -o name -t snapshot -s creation -s createtxg" ]
	assert_output "$(printf '%s\n' "$POOL/a@s1" "$POOL/a@all" "$POOL/a@s2")"
	run -0 --separate-stderr "$WS" -v used-space "$POOL"
	# guid last, always: no value can forge the end of a dataset's lines
	[ "$stderr" = "zfs get -H -p -o name,property,value,source used,guid $POOL" ]
}

@test "children get a fixed PATH, LC_ALL=C, stdin from /dev/null and no other descriptors" {
	rec="$BATS_TEST_TMPDIR/child"
	w="$BATS_TEST_TMPDIR/zfs-rec"
	cat > "$w" <<-WRAP
	#!/bin/sh
	env | sort > '$rec.env'
	for f in /proc/\$\$/fd/*; do readlink "\$f"; done > '$rec.fd'
	readlink /proc/\$\$/fd/0 > '$rec.stdin'
	exec $(command -v zfs) "\$@"
	WRAP
	chmod +x "$w"
	exec 7>"$BATS_TEST_TMPDIR/leak"
	HOME=/nonexistent FOO=bar WARPSTOR_ZFS="$w" run -0 "$WS" list-vols
	exec 7>&-
	assert_output --partial "$POOL"
	grep -qx 'PATH=/usr/sbin:/usr/bin:/sbin:/bin' "$rec.env"
	grep -qx 'LC_ALL=C' "$rec.env"
	run ! grep -q '^FOO=' "$rec.env"
	run ! grep -q '^HOME=' "$rec.env"
	# fd 7 (ours, leaked on purpose) and the config file never get there
	grep -qx /dev/null "$rec.fd"
	run ! grep -q "$BATS_TEST_TMPDIR/leak" "$rec.fd"
	run ! grep -q "$WARPSTOR_CONFIG" "$rec.fd"
	[ "$(cat "$rec.stdin")" = /dev/null ]
}

@test "a large listing on stdout and stderr at once does not deadlock" {
	# 40 datasets x 60 recursive snapshots: ~2,500 snapshots, several
	# hundred KB of zfs get output, far past a pipe buffer.
	zfs create "$POOL/big"
	for i in $(seq 40); do zfs create "$POOL/big/d$i"; done
	for i in $(seq 60); do zfs snapshot -r "$POOL/big@n$i"; done
	# A pass-through zfs that also floods stderr (1 MiB) before its output.
	w="$BATS_TEST_TMPDIR/zfs-noisy"
	cat > "$w" <<-WRAP
	#!/bin/sh
	head -c 1048576 /dev/zero | tr '\0' x >&2
	exec $(command -v zfs) "\$@"
	WRAP
	chmod +x "$w"
	WARPSTOR_ZFS="$w" run -0 --separate-stderr "$WS" -j list-snapshots "$POOL/big*"
	n=$(printf '%s\n' "$output" | grep -o '"name":' | wc -l)
	[ "$n" -eq $((41 * 60)) ]
	run -0 "$WS" list-snapshots "$POOL/big*"
	[ "$output" = "$(zfs list -H -o name -t snapshot -s creation -s createtxg -r "$POOL/big")" ]
}
