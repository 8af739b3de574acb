#!/usr/bin/env bats
# status and metrics (src/cmd/status.c): the node at a glance, exit 1
# when it needs attention; the Prometheus exposition, checked by a parser
# of the format and against what zfs says.

load helper

setup_file() {
	ws_setup_pool
	export POOL2="${POOL}_b"
	ws_second_pool "$POOL2" 128M
	"$WS" create-fs "$POOL/a" -u 1 -g 1 --clients 10.0.0.1 >/dev/null
	"$WS" create-fs "$POOL/b" -u 1 -g 1 --clients '10.0.0.2(ro)' >/dev/null
	zfs create "$POOL/plain"
}

teardown_file() {
	exportfs -ua
	ws_teardown_pool "$POOL2"
	ws_teardown_pool
}

# jq-less: KEY (a Python expression of o) of the JSON on stdin.
js() { python3 -c "import json,sys; o = json.load(sys.stdin); print(json.dumps($1, separators=(',', ':')))"; }

@test "status: all well is exit 0; -j is one object with every part" {
	run -0 --separate-stderr "$WS" status "$POOL"
	assert_line "journal: none pending"
	assert_line "lock: free"
	assert_line "deferred destroys: 0"
	assert_line "exports: 2, drift: 0"
	assert_line "status: ok"
	run -0 --separate-stderr "$WS" -j status "$POOL"
	[ "$(js 'sorted(o)' <<< "$output")" = '["attention","deferred","drift","exports","journal","lock","replication"]' ]
	[ "$(js 'o["exports"]' <<< "$output")" = 2 ]
	[ "$(js 'o["attention"]' <<< "$output")" = '[]' ]
	run -64 "$WS" status "$POOL/a"
	run -66 "$WS" status nosuchpool
}

@test "status: drift (a client withdrawn by hand, a file line nothing wants) is exit 1, named; sync-exports clears it" {
	exportfs -u "10.0.0.2:$POOLMNT/b"
	printf '%s 10.0.0.9(rw,fsid=0b4d6a2e-1c3f-4e5a-9b7c-123456789abc)\n' "$POOLMNT/plain" >> /etc/exports.d/warpstor.exports
	run -1 --separate-stderr "$WS" status "$POOL"
	assert_line "exports: 2, drift: 2"
	assert_line "  $POOL/b	file"
	assert_line "  $POOLMNT/plain	file, not wanted"
	assert_line --partial "needs attention: 2 exports drift"
	run -1 --separate-stderr "$WS" -j status "$POOL"
	[ "$(js 'o["drift"]["count"]' <<< "$output")" = 2 ]
	[ "$(js 'o["drift"]["first"][0]' <<< "$output")" = "{\"name\":\"$POOL/b\",\"where\":\"file\"}" ]
	run -0 "$WS" sync-exports
	run -0 "$WS" status "$POOL"
}

@test "status: a pending journal and an old deferred destroy need attention; the lock holder is named" {
	printf 'W 1 4242 create-fs\\040x\nU f zfs-destroy-created zfs destroy %s/never\n' "$POOL" > "$BATS_FILE_TMPDIR/journal"
	run -1 --separate-stderr "$WS" status "$POOL"
	assert_line "journal: pending (pid 4242: create-fs x)"
	assert_line --partial "needs attention: a cut-off command's journal is pending: run 'warpstor"
	rm "$BATS_FILE_TMPDIR/journal"
	zfs create "$POOL/gone"
	g=$(zfs get -H -p -o value guid "$POOL/gone")
	printf '%s %s - %s -\n' "$POOL/gone" "$g" "$(( $(date +%s) - 7200 ))" > "$BATS_FILE_TMPDIR/journal.deferred"
	run -1 --separate-stderr "$WS" status "$POOL"
	assert_line "deferred destroys: 1"
	assert_line "  $POOL/gone	since 2h"
	assert_line "needs attention: the destroy of $POOL/gone is deferred since 2h"
	ws_config "status_deferred_max = 3h"
	run -0 "$WS" status "$POOL"
	ws_config
	rm "$BATS_FILE_TMPDIR/journal.deferred"
	# a lock someone holds: named, not a reason for attention
	flock "$BATS_FILE_TMPDIR/warpstor.lock" sh -c 'echo $$ > "$1"; sleep 30' sh "$BATS_FILE_TMPDIR/warpstor.lock" &
	holder=$!
	for _ in $(seq 50); do [ -s "$BATS_FILE_TMPDIR/warpstor.lock" ] && break; sleep 0.1; done
	run -0 "$WS" status "$POOL"
	assert_line --regexp '^lock: held by pid [0-9]+$'
	kill "$holder" 2>/dev/null || true
	wait "$holder" 2>/dev/null || true
}

@test "status: replicas and replicated datasets with their age; an old one needs attention" {
	run -0 "$WS" replicate "$POOL/a" "$POOL2/a"
	rec=$(zfs get -H -s local -o value warpstor:replicated "$POOL/a")
	[[ $rec =~ ^$POOL2/a\ [0-9]+\ [0-9]+$ ]]
	run -0 "$WS" status
	assert_line --regexp "^  $POOL2/a	of [^ ]+:$POOL/a	$POOL2/a@ws-rep-[^	]+	[0-9]+s$"
	assert_line --regexp "^replicated: $POOL/a	to $POOL2/a	[0-9]+s ago	[0-9]+ bytes$"
	run -0 "$WS" -j status "$POOL2"
	[ "$(js '[r["name"] for r in o["replication"]]' <<< "$output")" = "[\"$POOL2/a\"]" ]
	# the last success two hours ago (set by hand), the limit one hour
	zfs set "warpstor:replicated=$POOL2/a $(( $(date +%s) - 7200 )) 10" "$POOL/a"
	run -1 --separate-stderr "$WS" status "$POOL"
	assert_line "needs attention: $POOL/a last replicated to $POOL2/a 2h ago"
	# a forged entry is left out, never trusted
	zfs set "warpstor:replicated=$POOL2/a x 10,evil\"} 1 2" "$POOL/a"
	run -0 --separate-stderr "$WS" -j status "$POOL"
	[ "$(js 'o["replication"]' <<< "$output")" = "[]" ]
	run -0 "$WS" replicate "$POOL/a" "$POOL2/a"
}

# Check the Prometheus text exposition format: every line a HELP, a TYPE
# or a sample of a declared family, label values quoted and escaped,
# values numbers; prints the samples as NAME{LABELS} VALUE.
prom_check() {
	python3 -c '
import re, sys
name = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
lab = r"[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\n]|\\\\[\\\\\"n])*\""
sample = re.compile(r"^(" + name + r")(\{" + lab + r"(?:," + lab + r")*\})? (-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)$")
typed, helped, seen = {}, set(), set()
for n, line in enumerate(sys.stdin.read().split("\n")[:-1], 1):
	m = re.match(r"^# HELP (" + name + r") \S.*$", line)
	if m:
		assert m.group(1) not in helped, line; helped.add(m.group(1)); continue
	m = re.match(r"^# TYPE (" + name + r") (gauge|counter)$", line)
	if m:
		assert m.group(1) not in typed, line; typed[m.group(1)] = m.group(2); continue
	m = sample.match(line)
	assert m, "line %d: %r" % (n, line)
	assert m.group(1) in typed, "undeclared " + m.group(1)
	key = m.group(1) + (m.group(2) or "")
	assert key not in seen, "twice: " + key; seen.add(key)
	print(key, m.group(3))
'
}

@test "metrics: the exposition format (parsed), the figures zfs gives, labels only of exported datasets and replicas" {
	run -0 --separate-stderr "$WS" metrics
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/prom"
	run -0 prom_check < "$BATS_TEST_TMPDIR/prom"
	assert_line "warpstor_exports 2"
	assert_line "warpstor_journal_pending 0"
	assert_line "warpstor_deferred_destroys 0"
	assert_line "warpstor_drift_entries 0"
	assert_line "warpstor_dataset_used_bytes{dataset=\"$POOL/a\"} $(zfs get -H -p -o value used "$POOL/a")"
	assert_line "warpstor_dataset_referenced_bytes{dataset=\"$POOL/b\"} $(zfs get -H -p -o value referenced "$POOL/b")"
	assert_line "warpstor_dataset_quota_bytes{dataset=\"$POOL/a\"} 0"
	rec=$(zfs get -H -s local -o value warpstor:replicated "$POOL/a")
	read -r _ when bytes <<< "$rec"
	assert_line "warpstor_replicate_last_success_timestamp_seconds{dataset=\"$POOL/a\",target=\"$POOL2/a\"} $when"
	assert_line "warpstor_replicate_last_bytes{dataset=\"$POOL/a\",target=\"$POOL2/a\"} $bytes"
	assert_line --regexp "^warpstor_replica_newest_snapshot_timestamp_seconds\{dataset=\"$POOL2/a\"\} [0-9]+$"
	# a dataset that is not exported has no series
	refute_output --partial "\"$POOL/plain\""
	refute_output --partial "\"$POOL/golden\""
}

@test "metrics --textfile DIR: written whole through a new file renamed into place; DIR checked like warpstor's own" {
	d="$BATS_TEST_TMPDIR/prom"
	mkdir -m 0755 "$d"
	run -0 "$WS" metrics --textfile "$d"
	assert_output ""
	[ "$(stat -c '%a %U' "$d/warpstor.prom")" = "644 root" ]
	run -0 prom_check < "$d/warpstor.prom"
	assert_line "warpstor_exports 2"
	[ "$(ls -A "$d")" = warpstor.prom ]
	ino=$(stat -c %i "$d/warpstor.prom")
	run -0 "$WS" metrics --textfile "$d"
	[ "$(stat -c %i "$d/warpstor.prom")" != "$ino" ]
	mkdir -m 0777 "$BATS_TEST_TMPDIR/open"
	run -77 "$WS" metrics --textfile "$BATS_TEST_TMPDIR/open"
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/open")" ]
	run -64 "$WS" metrics --textfile relative
}

@test "status and metrics read the node once: one query of every filesystem (of POOL's), one of every replica's snapshots, one exportfs -v" {
	run -0 "$WS" replicate "$POOL/b" "$POOL2/b"
	# POOL has no replica: the query of its filesystems alone
	ws_count_calls "$WS" status "$POOL" >/dev/null
	[ "$ZFS_CALLS" -eq "$(ws_pool_query_calls)" ]
	[ "$EXPORTFS_CALLS" -eq 1 ]
	run ! grep -F "$POOL2" "$BATS_TEST_TMPDIR/zfs.calls"
	# two replicas: one more zfs get for both
	ws_count_calls "$WS" metrics >/dev/null
	[ "$ZFS_CALLS" -eq $(( $(ws_fs_query_calls) + 1 )) ]
	ws_count_calls "$WS" status >/dev/null
	[ "$ZFS_CALLS" -eq $(( $(ws_fs_query_calls) + 1 )) ]
	run -0 "$WS" status
	assert_line --regexp "^  $POOL2/b	of [^ ]+:$POOL/b	$POOL2/b@ws-rep-[^	]+	[0-9]+s$"
	# the other pool's filesystems are not among status POOL's; a pool
	# that is not, 66
	run -0 "$WS" -j status "$POOL"
	[ "$(js '[r["name"] for r in o["replication"]]' <<< "$output")" = "[\"$POOL/a\",\"$POOL/b\"]" ]
	run -66 "$WS" status "${POOL}_none"
	# an exported dataset of the other pool, unmounted: warned of when
	# the node is asked, not when POOL is
	"$WS" create-fs "$POOL2/um" -u 1 -g 1 >/dev/null
	zfs umount "$POOL2/um"
	run --separate-stderr "$WS" status "$POOL"
	[[ $stderr != *"$POOL2/um"* ]]
	run --separate-stderr "$WS" status
	[[ $stderr == *"warpstor: status: $POOL2/um is not mounted: not exported"* ]]
	zfs mount "$POOL2/um"
}
