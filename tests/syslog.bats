#!/usr/bin/env bats
# Every mutating command writes one syslog line: who ran it (uid and
# SUDO_USER), the command and its arguments, and the outcome.  Queries
# and -n write none.

load helper

setup_file() {
	ws_setup_pool
}

teardown_file() {
	ws_teardown_pool
}

# Run "$@" in a mount namespace of its own whose /dev is a tmpfs holding
# only null and a /dev/log socket that a listener copies to $log.
with_syslog() {
	log="$BATS_TEST_TMPDIR/syslog"
	: > "$log"
	rm -f "$log.ready"
	unshare --mount --propagation unchanged bash -s "$log" "$@" <<-'SH'
	log=$1; shift
	# OpenZFS's zfs needs /dev/zfs (zfs-fuse's talks over a socket)
	zdev=""
	[ -c /dev/zfs ] && zdev=$(stat -c '%t %T' /dev/zfs)
	mount -t tmpfs -o mode=0755 wstest-dev /dev
	mknod -m 666 /dev/null c 1 3
	if [ -n "$zdev" ]; then
		mknod -m 666 /dev/zfs c $((0x${zdev% *})) $((0x${zdev#* }))
	fi
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
open(sys.argv[1] + ".ready", "w").close()
with open(sys.argv[1], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")
' "$log" &
	listener=$!
	for _ in $(seq 50); do [ -e "$log.ready" ] && break; sleep 0.1; done
	"$@"
	rc=$?
	sleep 0.3
	kill $listener
	exit $rc
	SH
}

@test "one syslog line per mutating command, with uid, SUDO_USER, argv and outcome" {
	SUDO_USER=alice with_syslog "$WS" create-fs "$POOL/logged" -u 1 -g 1 >/dev/null
	run -0 cat "$log"
	[ "${#lines[@]}" -eq 1 ]
	assert_output --regexp "^<13>.* warpstor\[[0-9]+\]: uid=0 sudo_user=alice: create-fs $POOL/logged -u 1 -g 1: ok \(exit 0\)\$"
	with_syslog "$WS" create-fs "$POOL/logged" -u 1 -g 1 2>/dev/null || true
	run -0 cat "$log"
	assert_output --regexp "^<11>.* warpstor\[[0-9]+\]: uid=0 sudo_user=-: create-fs $POOL/logged -u 1 -g 1: failed \(exit 73\)\$"
}

@test "the /dev of the syslog listener stays in its own namespace" {
	with_syslog true
	# what every later test needs of /dev is still there
	run -1 findmnt -n -S wstest-dev
	[ -c /dev/zero ] && [ -c /dev/ptmx ]
	run -0 script -qec true /dev/null
}

@test "queries and -n write no syslog line" {
	with_syslog "$WS" list-filesystems >/dev/null
	with_syslog "$WS" -n destroy "$POOL/logged" >/dev/null
	[ ! -s "$log" ]
}
