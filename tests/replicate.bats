#!/usr/bin/env bats
# replicate and takeover on two real pools of this node (HOST empty): the
# second stands for the standby node.

load helper

setup_file() {
	ws_setup_pool
	export POOL2="${POOL}_b"
	ws_second_pool "$POOL2" 256M
	"$WS" create-fs "$POOL/data" -u 7 -g 7 --clients 10.0.0.1 >/dev/null
	echo one > "$POOLMNT/data/first"
	zfs set compression=on "$POOL/data"
}

teardown_file() {
	exportfs -ua
	ws_teardown_pool "$POOL2"
	ws_teardown_pool
}

prop() { zfs get -H -o value "$1" "$2"; }
source_of() { zfs get -H -o source "$1" "$2"; }

@test "replicate: the first run sends in full, properties and fsid included; the replica is read-only, unmounted, marked" {
	fsid=$(prop warpstor:fsid "$POOL/data")
	run -0 --separate-stderr "$WS" replicate "$POOL/data" ":$POOL2/data"
	assert_output "$POOL2/data"
	# a snapshot made for it, on both sides, the same one (guid)
	snap=$(zfs list -H -o name -t snapshot -r "$POOL/data" | tail -n 1)
	[[ $snap == "$POOL/data@ws-rep-"*Z ]]
	[ "$(prop guid "$snap")" = "$(prop guid "$POOL2/data@${snap#*@}")" ]
	[ "$(prop warpstor:fsid "$POOL2/data")" = "$fsid" ]
	[ "$(prop compression "$POOL2/data")" = on ]
	[ "$(prop readonly "$POOL2/data")" = on ]
	[ "$(prop mounted "$POOL2/data")" = no ]
	[ "$(prop warpstor:replica "$POOL2/data")" = "$(hostname):$POOL/data" ]
	[ "$(source_of warpstor:replica "$POOL2/data")" = local ]
	# never exported: not by sync-exports, not in list-exports
	run -0 "$WS" sync-exports
	run ! grep -q "$POOL2" /etc/exports.d/warpstor.exports
	run -0 "$WS" list-exports
	assert_output --partial "$POOL/data"
	refute_output --partial "$POOL2"
	# and the original is untouched: still exported with its fsid
	run -0 "$WS" vfsid "$POOL/data"
	assert_output "$fsid"
}

@test "replicate: later runs send incrementally from the newest common snapshot; up to date says so" {
	echo two > "$POOLMNT/data/second"
	"$WS" snapshot "$POOL/data@s2" >/dev/null
	"$WS" snapshot "$POOL/data@s3" >/dev/null
	common=$(zfs list -H -o name -t snapshot -r "$POOL2/data" | tail -n 1)
	run -0 "$WS" -j replicate "$POOL/data" "$POOL2/data"
	[[ $output == "{\"name\":\"$POOL2/data\",\"snapshot\":\"$POOL/data@s3\",\"from\":\"$POOL/data@${common#*@}\",\"host\":null,\"bytes\":"* ]]
	# -I: every snapshot in between too
	run -0 zfs list -H -o name -t snapshot -r "$POOL2/data"
	assert_line "$POOL2/data@s2"
	assert_line "$POOL2/data@s3"
	[ "$(prop guid "$POOL/data@s3")" = "$(prop guid "$POOL2/data@s3")" ]
	run -0 "$WS" replicate "$POOL/data" "$POOL2/data"
	assert_output "$POOL2/data: up to date ($POOL/data@s3)"
	# nothing replication needs is pruned: the source keeps every snapshot
	run -0 zfs list -H -o name -t snapshot -r "$POOL/data"
	[ "${#lines[@]}" -eq 3 ]
}

@test "replicate: refusals change nothing (no common snapshot, a replica as source, bad names, a volume)" {
	zfs create "$POOL2/other"
	zfs snapshot "$POOL2/other@x"
	run -73 --separate-stderr "$WS" replicate "$POOL/data" "$POOL2/other"
	[[ $stderr == *"no common snapshot"* ]]
	run -0 zfs list -H -o name -t snapshot -r "$POOL2/other"
	assert_output "$POOL2/other@x"
	run -65 --separate-stderr "$WS" replicate "$POOL2/data" "$POOL/back"
	[[ $stderr == *"is a replica"* ]]
	run -1 "$WS" exists "$POOL/back"
	run -64 "$WS" replicate "$POOL/data" "-oProxyCommand=x:$POOL2/y"
	run -65 --separate-stderr "$WS" replicate -- "$POOL/data" "-oProxyCommand=x:$POOL2/y"
	[[ $stderr == *"not a host name"* ]]
	run -77 "$WS" replicate "$POOL/data" "$POOL2"
	run -66 "$WS" replicate "$POOL/nope" "$POOL2/nope"
	zfs destroy -r "$POOL2/other"
}

@test "takeover: refused while another dataset here has the fsid; then writable, mounted, exported with it" {
	fsid=$(prop warpstor:fsid "$POOL/data")
	run -77 "$WS" takeover "$POOL/data"
	run -65 --separate-stderr "$WS" takeover "$POOL2/data"
	[[ $stderr == *"$fsid is $POOL/data's too"* ]]
	[ "$(prop readonly "$POOL2/data")" = on ]
	# the first node is gone (here: its dataset)
	"$WS" destroy -r "$POOL/data" >/dev/null
	run -0 "$WS" takeover "$POOL2/data"
	assert_output "$POOL2/data"
	[ "$(prop readonly "$POOL2/data")" = off ]
	[ "$(prop mounted "$POOL2/data")" = yes ]
	[ "$(source_of warpstor:fsid "$POOL2/data")" = local ]
	[ "$(prop warpstor:replica "$POOL2/data")" = - ]
	run -0 "$WS" vfsid "$POOL2/data"
	assert_output "$fsid"
	run -0 ws_live
	assert_output --partial "$WSTEST_BASE/$POOL2/data 10.0.0.1("
	assert_output --partial "fsid=$fsid"
	[ "$(cat "$WSTEST_BASE/$POOL2/data/second")" = two ]
	touch "$WSTEST_BASE/$POOL2/data/writable"
	run -77 "$WS" takeover "$POOL2/data"
}

@test "replicate: kill -9 in the middle of the send, then recover; the next run completes" {
	"$WS" create-fs "$POOL/big" -u 1 -g 1 --clients 10.0.0.2 >/dev/null
	head -c 20000000 /dev/urandom > "$POOLMNT/big/blob"
	real=$(command -v zfs)
	w="$BATS_TEST_TMPDIR/zfs-slow-send"
	cat > "$w" <<-WRAP
	#!/bin/sh
	if [ "\$1" = send ]; then
		"$real" "\$@" | { head -c 1000000; kill -9 \$PPID; sleep 1; cat; }
		exit 0
	fi
	exec "$real" "\$@"
	WRAP
	chmod +x "$w"
	run -137 env WARPSTOR_ZFS="$w" "$WS" replicate "$POOL/big" "$POOL2/big"
	[ -e "$BATS_FILE_TMPDIR/journal" ]
	run -70 "$WS" replicate "$POOL/big" "$POOL2/big"
	run -0 "$WS" recover
	assert_output --partial "undo: replicate $POOL2/big"
	[ ! -e "$BATS_FILE_TMPDIR/journal" ]
	run -0 "$WS" replicate "$POOL/big" "$POOL2/big"
	assert_output "$POOL2/big"
	snap=$(zfs list -H -o name -t snapshot -r "$POOL/big" | tail -n 1)
	[ "$(prop guid "$snap")" = "$(prop guid "$POOL2/big@${snap#*@}")" ]
	[ "$(prop referenced "$POOL2/big")" = "$(prop referenced "$snap")" ]
}

@test "replicate -n: the checks, then the plan; nothing sent" {
	zfs snapshot "$POOL/big@more"
	run -0 "$WS" -n replicate "$POOL/big" "$POOL2/big"
	assert_output --partial "zfs send -p -I $POOL/big@"
	run -1 "$WS" snapshot-exists "$POOL2/big@more"
}
