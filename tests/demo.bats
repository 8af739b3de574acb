#!/usr/bin/env bats
# The README's demo runs as written, on a pool of its own.

load helper

setup_file() {
	export WARPSTOR_DEMO_POOL="wst_${WSTEST_ID}_demo"
	export WARPSTOR_DEMO_DIR="$BATS_FILE_TMPDIR/demo"
	export WARPSTOR_DEMO_MOUNT="$WSTEST_BASE/$WARPSTOR_DEMO_POOL"
	export POOL=$WARPSTOR_DEMO_POOL
}

teardown_file() {
	ws_teardown_pool
}

@test "make demo: makes its pool and shows the queries" {
	run -0 "$WS_TOP/tests/demo"
	assert_line "$POOL/golden@v1"
	assert_line "$POOL/alice@monday"
	assert_line "name       $POOL/golden"
	fsid=$(zfs get -H -s local -o value warpstor:fsid "$POOL/bob")
	assert_line "$fsid"
	assert_line "$WARPSTOR_DEMO_MOUNT/bob 127.0.0.1(rw,sync,no_subtree_check,root_squash,mp,fsid=$fsid)"
	[ "$(stat -c %u:%g "$WARPSTOR_DEMO_MOUNT/bob/etc/motd")" = 1001:1001 ]
	[ "$(stat -c %u:%g "$WARPSTOR_DEMO_MOUNT/alice")" = 1000:1000 ]
	# replace reset bob's content behind the same fsid
	[ "$(printf '%s\n' "$output" | grep -cx "$fsid")" -eq 2 ]
	assert_line --regexp "^replace: $POOL/bob was switched in [0-9]+ ms\$"
	[ "$(cat "$WARPSTOR_DEMO_MOUNT/bob/etc/motd")" = welcome ]
	assert_line "(exit 0: it exists)"
	assert_line "(exit 1: it does not)"
	assert_line --regexp '^warpstor [0-9.]+, zfs '
	[ "$(zfs get -H -o value type "$POOL/golden@v1")" = snapshot ]
	[ "$(cat "$WARPSTOR_DEMO_MOUNT/golden/etc/motd")" = welcome ]
	# the -n step changed nothing
	run -1 zfs list "$POOL/carol"
}

@test "make demo again: reuses what is there" {
	run -0 "$WS_TOP/tests/demo"
	assert_line "$POOL/golden@v1"
	[ "$(zfs list -H -o name -t snapshot -r "$POOL" | wc -l)" -eq 2 ]
}

@test "make demo after a restart: its filesystems unmounted and its exports gone come back" {
	fsid=$(zfs get -H -s local -o value warpstor:fsid "$POOL/bob")
	exportfs -u "127.0.0.1:$WARPSTOR_DEMO_MOUNT/bob"
	exportfs -u "127.0.0.1:$WARPSTOR_DEMO_MOUNT/alice"
	zfs list -H -o name -t filesystem -r "$POOL" | sort -r | while read -r ds; do
		zfs umount "$ds"
	done
	[ "$(zfs list -H -o mounted -t filesystem -r "$POOL" | sort -u)" = no ]
	run -0 "$WS_TOP/tests/demo"
	[ "$(zfs list -H -o mounted -t filesystem -r "$POOL" | sort -u)" = yes ]
	[ "$(cat "$WARPSTOR_DEMO_MOUNT/bob/etc/motd")" = welcome ]
	run -0 exportfs -v
	assert_output --regexp "$WARPSTOR_DEMO_MOUNT/bob[[:space:]]+127\.0\.0\.1\(.*fsid=$fsid"
	assert_output --partial "$WARPSTOR_DEMO_MOUNT/alice"
}
