# Loaded by every .bats file: one real zfs-fuse pool per file, a config in
# the file's temp dir, and helpers for asserting real state.
# shellcheck shell=bash

bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

: "${WS_TOP:?run the suite with tests/run}"
WS="$WS_TOP/warpstor"
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C

# setup_file for every file: a pool named wst_RUNID_FILE on a file vdev,
# mounted below the run's shared /wstest_RUNID, and a config naming it.
ws_setup_pool() {
	local name
	name=$(basename "$BATS_TEST_FILENAME" .bats)
	export POOL="wst_${WSTEST_ID}_${name//[^A-Za-z0-9]/_}"
	export POOLMNT="$WSTEST_BASE/$POOL"
	truncate -s 256M "$BATS_FILE_TMPDIR/vdev"
	zpool create -m "$POOLMNT" "$POOL" "$BATS_FILE_TMPDIR/vdev"
	export WARPSTOR_CONFIG="$BATS_FILE_TMPDIR/warpstor.conf"
	ws_config
}

# Write the file's config; extra "key = value" lines may be given, and
# replace the base line of the same key.
ws_config() {
	local base line key
	base=$(printf '%s\n' "default_volume = $POOL" \
		"exports_file = /etc/exports.d/warpstor.exports" \
		"lock_file = $BATS_FILE_TMPDIR/warpstor.lock" \
		"export_clients = *")
	for line in "$@"; do
		key=${line%%=*}
		key=${key%% *}
		base=$(printf '%s\n' "$base" | grep -v "^$key =" || true)
	done
	printf '%s\n' "$base" "$@" > "$WARPSTOR_CONFIG"
}

ws_teardown_pool() {
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		zfs list -H -o name -t filesystem -r "$POOL" 2>/dev/null | sort -r |
			while read -r ds; do zfs umount "$ds" >/dev/null 2>&1; done
		zpool destroy -f "$POOL" 2>/dev/null && return 0
		sleep 0.5
	done
	echo "teardown: cannot destroy $POOL" >&2
	return 1
}

# Everything the node says about itself: every dataset with every
# property, the live export table, the exports file.  Two calls around a
# command prove it changed nothing.
ws_state() {
	zfs list -H -t all -o all 2>&1 | sort
	echo "--- exportfs -v"
	exportfs -v 2>&1
	echo "--- exports file"
	cat /etc/exports.d/*.exports 2>/dev/null || true
	return 0
}

# A pass-through zfs that logs each call's argv to $1 (one line a call),
# then runs the real zfs.  Prints its path.  The child environment is
# fixed by warpstor, so the log path is written into the script itself.
ws_counting_zfs() {
	local log=$1 w="$BATS_TEST_TMPDIR/zfs-counting" real
	real=$(command -v zfs)
	: > "$log"
	cat > "$w" <<-WRAP
	#!/bin/sh
	printf '%s\n' "\$*" >> '$log'
	exec '$real' "\$@"
	WRAP
	chmod +x "$w"
	echo "$w"
}
