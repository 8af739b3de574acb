#!/usr/bin/env bats
# The audit log (audit_log; src/cli/main.c): one JSON line per mutating
# command that took the lock, failures included; queries and -n write
# nothing; a log that cannot be opened stops the command before its
# first change.

load helper

setup_file() {
	ws_setup_pool
	zfs create "$POOL/golden"
	zfs snapshot "$POOL/golden@v1"
}

teardown_file() {
	ws_teardown_pool
}

A() { printf '%s' "$BATS_FILE_TMPDIR/audit.log"; }

# field N KEY: KEY of line N (1 the first) of the log, as JSON.
field() {
	python3 -c '
import json, sys
line = open(sys.argv[1]).read().splitlines()[int(sys.argv[2]) - 1]
print(json.dumps(json.loads(line)[sys.argv[3]], separators=(",", ":")))' "$(A)" "$1" "$2"
}

@test "a mutating command appends one JSON line: time, uid, sudo_user, command, argv, exit, ms, datasets, fsid" {
	rm -f "$(A)"
	SUDO_USER=alice run -0 "$WS" create-fs "$POOL/a" -u 1 -g 1 --clients 10.0.0.1
	[ "$(wc -l < "$(A)")" -eq 1 ]
	[ "$(stat -c '%a %U' "$(A)")" = "640 root" ]
	[[ $(field 1 time) =~ ^\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\"$ ]]
	[ "$(field 1 uid)" = 0 ]
	[ "$(field 1 sudo_user)" = '"alice"' ]
	[ "$(field 1 command)" = '"create-fs"' ]
	[ "$(field 1 argv)" = "[\"create-fs\",\"$POOL/a\",\"-u\",\"1\",\"-g\",\"1\",\"--clients\",\"10.0.0.1\"]" ]
	[ "$(field 1 exit)" = 0 ]
	[[ $(field 1 ms) =~ ^[0-9]+$ ]]
	[ "$(field 1 datasets)" = "[\"$POOL/a\"]" ]
	[ "$(field 1 fsid)" = "\"$(ws_fsid "$POOL/a")\"" ]
	# a failure after the lock: its exit, nothing changed
	run -66 "$WS" clone "$POOL/golden@nope" "$POOL/b" -u 1 -g 1
	[ "$(wc -l < "$(A)")" -eq 2 ]
	[ "$(field 2 exit)" = 66 ]
	[ "$(field 2 datasets)" = "[]" ]
	[ "$(field 2 sudo_user)" = null ]
	# rename and destroy name what they changed
	run -0 "$WS" rename "$POOL/a" "$POOL/a2"
	[ "$(field 3 datasets)" = "[\"$POOL/a2\"]" ]
	run -0 "$WS" destroy "$POOL/a2"
	[ "$(field 4 command)" = '"destroy"' ]
	[ "$(field 4 datasets)" = "[\"$POOL/a2\"]" ]
}

@test "queries and -n write nothing; a usage error after the lock is a failure like any" {
	"$WS" create-fs "$POOL/q" -u 1 -g 1 >/dev/null
	before=$(cat "$(A)")
	run -0 "$WS" list-filesystems
	run -0 "$WS" info "$POOL/q"
	run -0 "$WS" -n destroy "$POOL/q"
	run -0 "$WS" -n create-fs "$POOL/q2" -u 1 -g 1
	[ "$(cat "$(A)")" = "$before" ]
	run -64 "$WS" destroy
	[ "$(tail -n 1 "$(A)" | python3 -c 'import json,sys; o = json.load(sys.stdin); print(o["command"], o["exit"], o["datasets"])')" = "destroy 64 []" ]
}

@test "sync-exports names the datasets it exported" {
	"$WS" create-fs "$POOL/s" -u 1 -g 1 >/dev/null
	exportfs -ua
	run -0 "$WS" sync-exports
	[ "$(tail -n 1 "$(A)" | python3 -c 'import json,sys; print(json.load(sys.stdin)["command"])')" = sync-exports ]
	tail -n 1 "$(A)" | grep -q "\"$POOL/s\""
}

@test "a log that cannot be opened stops the command before its first change (77, naming it); a missing folder is made 0750" {
	ws_state_logical > "$BATS_TEST_TMPDIR/before"
	# a symbolic link
	ln -s /tmp/elsewhere "$BATS_TEST_TMPDIR/link.log"
	ws_config "audit_log = $BATS_TEST_TMPDIR/link.log"
	run -77 --separate-stderr "$WS" create-fs "$POOL/never" -u 1 -g 1
	[[ $stderr == *"audit_log $BATS_TEST_TMPDIR/link.log"* ]]
	[ ! -e /tmp/elsewhere ]
	# a folder someone else may write to
	mkdir -m 0777 "$BATS_TEST_TMPDIR/open"
	ws_config "audit_log = $BATS_TEST_TMPDIR/open/audit.log"
	run -77 --separate-stderr "$WS" create-fs "$POOL/never" -u 1 -g 1
	[[ $stderr == *"audit_log $BATS_TEST_TMPDIR/open/audit.log"* ]]
	ws_state_logical > "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# a missing folder: made, root's, 0750
	ws_config "audit_log = $BATS_TEST_TMPDIR/new/audit.log"
	run -0 "$WS" create-fs "$POOL/made" -u 1 -g 1
	[ "$(stat -c '%a %U' "$BATS_TEST_TMPDIR/new")" = "750 root" ]
	[ "$(stat -c '%a' "$BATS_TEST_TMPDIR/new/audit.log")" = 640 ]
	grep -q "\"$POOL/made\"" "$BATS_TEST_TMPDIR/new/audit.log"
	ws_config
}
