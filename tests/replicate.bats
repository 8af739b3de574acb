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
	[ -e "$BATS_FILE_TMPDIR/sshd.pid" ] && kill "$(cat "$BATS_FILE_TMPDIR/sshd.pid")" 2>/dev/null
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
	# never mounts by itself; its place is its parent's here
	[ "$(prop canmount "$POOL2/data")" = noauto ]
	[ "$(source_of mountpoint "$POOL2/data")" = "inherited from $POOL2" ]
	# never exported: not by sync-exports, not in list-exports
	run -0 "$WS" sync-exports
	run ! grep -q "$POOL2" /etc/exports.d/warpstor.exports
	run -0 "$WS" list-exports
	assert_output --partial "$POOL/data"
	refute_output --partial "$POOL2"
	# nor by the queries: the replica carries the fsid, not an export
	run -66 "$WS" vfsid "$POOL2/data"
	assert_output --partial "not exported"
	run -0 "$WS" -j info "$POOL2/data"
	assert_output --partial '"exported":false'
	run -0 "$WS" -j list-filesystems "$POOL2/*"
	assert_output --partial '"exported":false'
	refute_output --partial '"exported":true'
	# and the original is untouched: still exported with its fsid
	run -0 "$WS" vfsid "$POOL/data"
	assert_output "$fsid"
}

@test "replicate: later runs send incrementally from the newest common snapshot; up to date says so" {
	echo two > "$POOLMNT/data/second"
	"$WS" snapshot "$POOL/data@s2" >/dev/null
	"$WS" snapshot "$POOL/data@s3" >/dev/null
	common=$(zfs list -H -o name -t snapshot -r "$POOL2/data" | tail -n 1)
	run -0 "$WS" -j replicate "$POOL/data@s3" "$POOL2/data"
	[[ $output == "{\"name\":\"$POOL2/data\",\"snapshot\":\"$POOL/data@s3\",\"from\":\"$POOL/data@${common#*@}\",\"host\":null,\"bytes\":"* ]]
	# -I: every snapshot in between too
	run -0 zfs list -H -o name -t snapshot -r "$POOL2/data"
	assert_line "$POOL2/data@s2"
	assert_line "$POOL2/data@s3"
	[ "$(prop guid "$POOL/data@s3")" = "$(prop guid "$POOL2/data@s3")" ]
	# @SNAP: that one and no later; up to date when it is there
	run -0 "$WS" replicate "$POOL/data@s3" "$POOL2/data"
	assert_output "$POOL2/data: up to date ($POOL/data@s3)"
	run -66 "$WS" replicate "$POOL/data@nope" "$POOL2/data"
}

@test "replicate from cron: each run brings what was written since, in a snapshot of its own" {
	n=$(zfs list -H -o name -t snapshot -r "$POOL2/data" | wc -l)
	echo three > "$POOLMNT/data/third"
	sleep 1
	run -0 "$WS" -j replicate "$POOL/data" "$POOL2/data"
	[[ $output == *"\"snapshot\":\"$POOL/data@ws-rep-"* ]]
	[[ $output != *'"bytes":0,'* ]]
	snap=$(zfs list -H -o name -t snapshot -s createtxg -r "$POOL/data" | tail -n 1)
	[[ $snap == "$POOL/data@ws-rep-"* ]]
	[ "$(prop guid "$snap")" = "$(prop guid "$POOL2/data@${snap#*@}")" ]
	[ "$(zfs list -H -o name -t snapshot -r "$POOL2/data" | wc -l)" -eq $((n + 1)) ]
}

@test "replicate: refusals change nothing (no common snapshot, a replica as source, bad names, a volume)" {
	zfs create "$POOL2/other"
	zfs snapshot "$POOL2/other@x"
	run -73 --separate-stderr "$WS" replicate "$POOL/data" "$POOL2/other"
	[[ $stderr == *"is not a replica"* ]]
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
	ws_zap "$POOL2/other"
}

@test "replicate never receives onto live data: newer snapshots, writes, a mount are refused (77/73) unless --force, which names what goes" {
	"$WS" create-fs "$POOL/live" -u 1 -g 1 --clients 10.0.0.3 >/dev/null
	echo a > "$POOLMNT/live/a"
	run -0 "$WS" replicate "$POOL/live" "$POOL2/live"
	common=$(zfs list -H -o name -t snapshot -r "$POOL2/live" | tail -n 1)
	echo b > "$POOLMNT/live/b"
	# a snapshot made on the replica: 77 naming it, nothing received
	zfs snapshot "$POOL2/live@theirs"
	ws_state_logical > "$BATS_TEST_TMPDIR/before"
	run -77 --separate-stderr "$WS" replicate "$POOL/live" "$POOL2/live"
	[[ $stderr == *"newer than $POOL/live@${common#*@}"*"$POOL2/live@theirs"*"--force"* ]]
	run -77 "$WS" -n replicate "$POOL/live" "$POOL2/live"
	zfs destroy "$POOL2/live@theirs"
	# data written on the replica since the common snapshot: 77
	zfs set readonly=off "$POOL2/live"
	zfs mount "$POOL2/live"
	echo mine > "$WSTEST_BASE/$POOL2/live/mine"
	# mounted: 73, saying so
	run -73 --separate-stderr "$WS" replicate "$POOL/live" "$POOL2/live"
	[[ $stderr == *"is mounted"* ]]
	zfs umount "$POOL2/live"
	run -77 --separate-stderr "$WS" replicate "$POOL/live" "$POOL2/live"
	[[ $stderr == *"written since"* ]]
	run -0 zfs list -H -o name "$POOL2/live"
	# --force: what it discards named, then brought up to the source
	zfs snapshot "$POOL2/live@theirs2"
	run -0 --separate-stderr "$WS" replicate --force "$POOL/live" "$POOL2/live"
	[[ $stderr == *"discards"*"$POOL2/live@theirs2"* ]]
	run -1 "$WS" snapshot-exists "$POOL2/live@theirs2"
	snap=$(zfs list -H -o name -t snapshot -s createtxg -r "$POOL/live" | tail -n 1)
	[ "$(prop guid "$snap")" = "$(prop guid "$POOL2/live@${snap#*@}")" ]
	[ "$(prop readonly "$POOL2/live")" = on ]
	[ "$(prop canmount "$POOL2/live")" = noauto ]
}

@test "nothing from the other node picks a path: a stream's mountpoint and shares are never taken; takeover mounts at its own place" {
	# a dataset whose stream names a place of root's on the standby, and
	# a policy that opens the share up (set by hand where it comes from)
	zfs create -o mountpoint="$BATS_FILE_TMPDIR/some/dir/.ssh" "$POOL/evil"
	zfs set warpstor:fsid=8c0e2a52-7d47-4f1c-9a3e-0d6b1f2a3c4d "$POOL/evil"
	zfs set "warpstor:clients=*" "$POOL/evil"
	zfs set "warpstor:options=rw,no_root_squash,insecure" "$POOL/evil"
	zfs umount "$POOL/evil" 2>/dev/null || true
	rm -rf "$BATS_FILE_TMPDIR/some"
	run -0 "$WS" replicate "$POOL/evil" "$POOL2/evil"
	[ ! -e "$BATS_FILE_TMPDIR/some" ]
	[ "$(prop mounted "$POOL2/evil")" = no ]
	[ "$(prop mountpoint "$POOL2/evil")" = "$WSTEST_BASE/$POOL2/evil" ]
	[ "$(source_of mountpoint "$POOL2/evil")" = "inherited from $POOL2" ]
	[ "$(prop canmount "$POOL2/evil")" = noauto ]
	# the received policy widens access beyond this node's config: 77
	ws_config "export_clients = 10.0.0.0/8"
	run -77 --separate-stderr "$WS" takeover "$POOL2/evil"
	[[ $stderr == *"include *"* ]]
	run -77 --separate-stderr "$WS" takeover "$POOL2/evil" --clients 10.0.0.9
	[[ $stderr == *"no_root_squash"* ]]
	[ "$(prop mounted "$POOL2/evil")" = no ]
	# given again here: taken over, at its own place
	fsid=$(prop warpstor:fsid "$POOL/evil")
	"$WS" destroy -r "$POOL/evil" >/dev/null 2>&1
	run -0 "$WS" takeover "$POOL2/evil" --clients 10.0.0.9 --export-options rw,sync,root_squash
	ws_config
	[ "$(prop mounted "$POOL2/evil")" = yes ]
	[ "$(prop canmount "$POOL2/evil")" = on ]
	grep -q "^$WSTEST_BASE/$POOL2/evil 10.0.0.9(rw,sync,root_squash,mp,fsid=$fsid)" /etc/exports.d/warpstor.exports
	[ ! -e "$BATS_FILE_TMPDIR/some" ]
	"$WS" destroy -r "$POOL2/evil" >/dev/null
}

@test "failback: a taken-over TARGET is live (73) until --force, which withdraws its export first" {
	"$WS" create-fs "$POOL/fb" -u 1 -g 1 --clients 10.0.0.5 >/dev/null
	run -0 "$WS" replicate "$POOL/fb" "$POOL2/fb"
	"$WS" unexport "$POOL/fb" >/dev/null
	zfs inherit warpstor:fsid "$POOL/fb"
	run -0 "$WS" takeover "$POOL2/fb"
	echo standby > "$WSTEST_BASE/$POOL2/fb/written-there"
	ws_state_logical > "$BATS_TEST_TMPDIR/before"
	run -73 --separate-stderr "$WS" replicate "$POOL/fb" "$POOL2/fb"
	[[ $stderr == *"is not a replica"* ]]
	ws_state_logical > "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	[ -e "$WSTEST_BASE/$POOL2/fb/written-there" ]
	run --separate-stderr "$WS" replicate --force "$POOL/fb" "$POOL2/fb"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[[ $stderr == *"its export is withdrawn"* ]]
	run ! grep -q "$POOL2/fb" /etc/exports.d/warpstor.exports
	run -0 ws_live
	refute_output --partial "$POOL2/fb"
	[ "$(prop mounted "$POOL2/fb")" = no ]
	[ "$(prop warpstor:replica "$POOL2/fb")" = "$(hostname):$POOL/fb" ]
}

@test "replicate over ssh: one connection a run, -n prints the ssh commands" {
	ssh=$(ws_sshd 2224) || skip "no sshd"
	ws_config "ssh = $ssh"
	"$WS" create-fs "$POOL/far" -u 1 -g 1 --clients 10.0.0.6 >/dev/null
	zfs snapshot "$POOL/far@old"
	run -0 "$WS" -n replicate "$POOL/far" "localhost:$POOL2/far"
	assert_output --partial "ssh -o BatchMode=yes"
	assert_output --partial " localhost 'warpstor -w 30 receive-replica --of "
	run -1 "$WS" exists "$POOL2/far"
	: > "$BATS_FILE_TMPDIR/sshd.log"
	run -0 "$WS" replicate "$POOL/far" "localhost:$POOL2/far"
	# the first run: every snapshot, the oldest in full
	run -0 "$WS" snapshot-exists "$POOL2/far@old"
	[ "$(grep -c 'Accepted publickey' "$BATS_FILE_TMPDIR/sshd.log")" -eq 1 ]
	: > "$BATS_FILE_TMPDIR/sshd.log"
	echo more > "$POOLMNT/far/more"
	run -0 "$WS" replicate "$POOL/far" "localhost:$POOL2/far"
	[ "$(grep -c 'Accepted publickey' "$BATS_FILE_TMPDIR/sshd.log")" -eq 1 ]
	# no control master left behind
	run ! pgrep -f "ControlPath=$BATS_FILE_TMPDIR/ssh-"
	# a long send to another node keeps no other command waiting: the
	# lock is let go while the stream flows (and taken again after)
	head -c 2500000 /dev/urandom > "$POOLMNT/far/blob"
	"$WS" replicate --limit 250K "$POOL/far" "localhost:$POOL2/far" > "$BATS_TEST_TMPDIR/slow.out" 2>&1 &
	slow=$!
	# (its checks over ssh hold the lock a moment first: the stream
	# itself lasts ten seconds at least)
	made=0
	for i in $(seq 120); do
		kill -0 "$slow" 2>/dev/null || break
		if "$WS" -w 0 create-fs "$POOL/meanwhile" -u 1 -g 1 >/dev/null 2>&1; then
			made=1
			kill -0 "$slow"
			break
		fi
		sleep 0.5
	done
	[ "$made" -eq 1 ]
	wait "$slow"
	newest=$(zfs list -H -o name -t snapshot -s createtxg -r "$POOL/far" | tail -n 1)
	[ "$(zfs get -H -o value userrefs "$POOL2/far@${newest#*@}")" = 1 ]
	"$WS" destroy "$POOL/meanwhile" >/dev/null
	ws_config
	kill "$(cat "$BATS_FILE_TMPDIR/sshd.pid")"
}

@test "the receiving side takes its own node's lock for the receive, and checks TARGET again under it" {
	ssh=$(ws_sshd 2225) || skip "no sshd"
	ws_config "ssh = $ssh"
	"$WS" create-fs "$POOL/rl" -u 1 -g 1 --clients 10.0.0.9 >/dev/null
	run -0 "$WS" replicate "$POOL/rl" "localhost:$POOL2/rl"
	[ "$(zfs get -H -o value warpstor:replica "$POOL2/rl")" = "$(hostname):$POOL/rl" ]
	# the other node's lock held (a takeover there, say): the receive
	# waits for it (-w), then gives up with 75, and nothing arrived
	echo more > "$POOLMNT/rl/more"
	before=$(zfs list -H -o name -t snapshot -d 1 "$POOL2/rl")
	flock "$BATS_FILE_TMPDIR/remote.lock" sleep 20 &
	holder=$!
	sleep 1
	run -75 --separate-stderr "$WS" -w 1 replicate "$POOL/rl" "localhost:$POOL2/rl"
	[[ $stderr == *"receive-replica"*"remote.lock is held"* ]]
	[ "$(zfs list -H -o name -t snapshot -d 1 "$POOL2/rl")" = "$before" ]
	kill "$holder"
	wait "$holder" || true
	# a takeover since the sender's checks: under its lock the receiving
	# side finds TARGET live and refuses (73), the stream goes nowhere
	snap=$(zfs list -H -o name -t snapshot -d 1 -s createtxg "$POOL/rl" | tail -n 1)
	zfs inherit warpstor:replica "$POOL2/rl"
	run -73 --separate-stderr sh -c "zfs send -p -i '$snap' '$POOL/rl@$(zfs list -H -o name -t snapshot -d 1 -s createtxg "$POOL/rl" | tail -n 1 | cut -d@ -f2)' | '$WS' receive-replica --of '$(hostname):$POOL/rl' '$POOL2/rl'"
	[[ $stderr == *"is not a replica of that DATASET"* ]]
	[ "$(zfs list -H -o name -t snapshot -d 1 "$POOL2/rl")" = "$before" ]
	run -64 "$WS" receive-replica "$POOL2/rl"
	# a transfer to another node that fails ends with its failure's
	# status, never 0 (the lock taken again after it once cleared it)
	run -69 --separate-stderr "$WS" replicate "$POOL/rl" "localhost:$POOL2/nope/rl"
	[[ $stderr == *"dataset does not exist"* ]]
	# and a plain run receives and marks it again
	zfs set "warpstor:replica=$(hostname):$POOL/rl" "$POOL2/rl"
	run -0 "$WS" replicate "$POOL/rl" "localhost:$POOL2/rl"
	[ "$(zfs get -H -o value readonly "$POOL2/rl")" = on ]
	[ "$(zfs get -H -o value canmount "$POOL2/rl")" = noauto ]
	# that node holds what it received and prunes its own side: --keep 2
	for i in 1 2 3; do
		echo "$i" > "$POOLMNT/rl/f$i"
		run -0 "$WS" replicate --keep 2 "$POOL/rl" "localhost:$POOL2/rl"
	done
	echo 4 > "$POOLMNT/rl/f4"
	run -0 "$WS" -j replicate --keep 2 "$POOL/rl" "localhost:$POOL2/rl"
	[[ $output == *'"pruned":['*"\"$POOL2/rl@ws-rep-"* ]]
	[ "$(zfs list -H -o name -t snapshot -d 1 "$POOL2/rl" | grep -c '@ws-rep-')" -eq 2 ]
	newest=$(zfs list -H -o name -t snapshot -d 1 -s createtxg "$POOL2/rl" | tail -n 1)
	[ "$(zfs get -H -o value warpstor:holds "$newest")" = "warpstor:localhost:$POOL2/rl" ]
	held=$(for sn in $(zfs list -H -o name -t snapshot -d 1 "$POOL2/rl"); do
		zfs get -H -o value userrefs "$sn"; done | grep -c '^1$')
	[ "$held" -eq 1 ]
	[ "$(zfs get -H -o value userrefs "$newest")" = 1 ]
	ws_config
	kill "$(cat "$BATS_FILE_TMPDIR/sshd.pid")"
}

@test "replicate keeps what the chain needs: the newest common snapshot held on both sides, --keep N ws-rep-* pruned, never another's" {
	"$WS" create-fs "$POOL/kp" -u 1 -g 1 --clients 10.0.0.7 >/dev/null
	zfs snapshot "$POOL/kp@mine"
	tag="warpstor::$POOL2/kp"
	for i in 1 2 3 4; do
		echo "$i" > "$POOLMNT/kp/f$i"
		run -0 "$WS" -j replicate --keep 2 "$POOL/kp" "$POOL2/kp"
		sleep 1
	done
	# the pruned ones named in -j
	echo "$output"
	zfs get -H -o name,property,value,source warpstor:holds,warpstor:txn,userrefs -r "$POOL/kp" "$POOL2/kp"
	[[ $output == *'"pruned":["'"$POOL/kp@ws-rep-"* ]]
	newest=$(zfs list -H -o name -t snapshot -s createtxg -r "$POOL/kp" | tail -n 1)
	for side in "$POOL/kp" "$POOL2/kp"; do
		run -0 zfs list -H -o name -t snapshot -s createtxg -r "$side"
		# two ws-rep-* kept a side, and the one warpstor did not make
		[ "$(printf '%s\n' "${lines[@]}" | grep -c '@ws-rep-')" -eq 2 ]
		assert_line "$side@mine"
		# held by this target's tag: the newest in common, and it alone
		[ "$(zfs get -H -o value userrefs "$side@${newest#*@}")" = 1 ]
		[ "$(zfs get -H -o value warpstor:holds "$side@${newest#*@}")" = "$tag" ]
		for s in "${lines[@]}"; do
			[ "$s" = "$side@${newest#*@}" ] && continue
			[ "$(zfs get -H -o value userrefs "$s")" = 0 ]
		done
	done
	# a hold of someone else's: never pruned, and destroy refuses it
	old=$(zfs list -H -o name -t snapshot -s createtxg -r "$POOL/kp" | grep ws-rep | head -n 1)
	zfs hold backup "$old"
	for i in 5 6; do
		echo "$i" > "$POOLMNT/kp/f$i"
		run -0 "$WS" replicate --keep 1 "$POOL/kp" "$POOL2/kp"
		sleep 1
	done
	run -0 "$WS" snapshot-exists "$old"
	run -77 --separate-stderr "$WS" destroy -r "$POOL/kp"
	[[ $stderr == *"$old"* ]]
	zfs release backup "$old"
	# warpstor's own holds go with what is destroyed, named
	run -0 --separate-stderr "$WS" destroy -r "$POOL/kp"
	[[ $stderr == *"its hold $tag (replication to :$POOL2/kp) is released"* ]]
	run -1 "$WS" exists "$POOL/kp"
	run -0 --separate-stderr "$WS" destroy -r "$POOL2/kp"
	run -1 "$WS" exists "$POOL2/kp"
}

@test "clones stay clones: a clone's first run is incremental from its replicated origin; golden + 3 clones take about the source's space" {
	zfs create "$POOL/gold"
	head -c 4000000 /dev/urandom > "$POOLMNT/gold/image"
	zfs snapshot "$POOL/gold@v1"
	for c in c1 c2 c3; do
		"$WS" clone "$POOL/gold@v1" "$POOL/$c" -u 1 -g 1 --clients 10.0.0.8 >/dev/null
		echo "$c" > "$POOLMNT/$c/mine"
	done
	# an origin never replicated: a full send, said
	run -0 --separate-stderr "$WS" replicate "$POOL/c3" "$POOL2/c3"
	[[ $stderr == *"never replicated"*"full send"* ]]
	[ "$(zfs get -H -o value origin "$POOL2/c3")" = - ]
	run -0 "$WS" replicate "$POOL/gold" "$POOL2/gold"
	for c in c1 c2; do
		run -0 --separate-stderr "$WS" -n replicate "$POOL/$c" "$POOL2/$c"
		assert_output --partial "zfs send -p -i $POOL/gold@v1 $POOL/$c@ws-rep-"
		run -0 "$WS" replicate "$POOL/$c" "$POOL2/$c"
		[ "$(zfs get -H -o value origin "$POOL2/$c")" = "$POOL2/gold@v1" ]
		[ "$(cat "$POOLMNT/$c/mine")" = "$c" ]
		# it shares the image: far less than the 4 MB the full copy holds
		[ "$(zfs get -H -p -o value used "$POOL2/$c")" -lt 1000000 ]
		[ "$(zfs get -H -p -o value used "$POOL2/c3")" -gt 3000000 ]
	done
	# and later runs are plain incrementals
	echo more > "$POOLMNT/c1/more"
	run -0 "$WS" replicate "$POOL/c1" "$POOL2/c1"
	[ "$(zfs get -H -o value origin "$POOL2/c1")" = "$POOL2/gold@v1" ]
}

@test "replicate -r: a tree, origins before their clones whatever their names; -j an array; one that fails fails itself and what hangs on it" {
	zfs create "$POOL/proj"
	zfs create "$POOL/proj/zgold"
	head -c 2000000 /dev/urandom > "$POOLMNT/proj/zgold/image"
	zfs snapshot "$POOL/proj/zgold@v1"
	# named before their origin: the order is the clones', not the names'
	"$WS" clone "$POOL/proj/zgold@v1" "$POOL/proj/alice" -u 1 -g 1 >/dev/null
	zfs create "$POOL/proj/alice/sub"
	"$WS" clone "$POOL/proj/zgold@v1" "$POOL/proj/bob" -u 2 -g 2 >/dev/null
	zfs create "$POOL/proj/bob/sub"
	run -0 --separate-stderr "$WS" -j replicate -r "$POOL/proj" "$POOL2/proj"
	names=$(printf '%s' "$output" | python3 -c 'import json,sys; print(" ".join(o["name"] for o in json.load(sys.stdin)))')
	echo "$names"
	[ "$names" = "$POOL2/proj $POOL2/proj/zgold $POOL2/proj/alice $POOL2/proj/alice/sub $POOL2/proj/bob $POOL2/proj/bob/sub" ]
	for c in alice bob; do
		[ "$(zfs get -H -o value origin "$POOL2/proj/$c")" = "$POOL2/proj/zgold@v1" ]
		[ "$(zfs get -H -o value warpstor:replica "$POOL2/proj/$c/sub")" = "$(hostname):$POOL/proj/$c/sub" ]
	done
	# the next run: each member incremental, bob's broken on purpose
	echo more > "$POOLMNT/proj/alice/more"
	echo more > "$POOLMNT/proj/bob/more"
	zfs inherit warpstor:replica "$POOL2/proj/bob"
	before=$(zfs list -H -o name -t snapshot -r "$POOL2/proj/bob" | sort)
	run -73 --separate-stderr "$WS" replicate -r "$POOL/proj" "$POOL2/proj"
	[[ $stderr == *"$POOL2/proj/bob"*"not a replica"* ]]
	[[ $stderr == *"$POOL/proj/bob/sub: left out, as $POOL/proj/bob failed"* ]]
	assert_line "$POOL2/proj/alice"
	refute_line "$POOL2/proj/bob"
	[ -z "$(zfs get -H -o value mounted "$POOL2/proj/alice" | grep yes)" ]
	zfs list -H -o name -t snapshot -r "$POOL2/proj/alice" | grep -q "@ws-rep-"
	[ "$(zfs list -H -o name -t snapshot -r "$POOL2/proj/bob" | sort)" = "$before" ]
}

@test "a bookmark keeps the chain: the common snapshot released and destroyed here, the next run is still incremental (where zfs has bookmarks)" {
	zfs create "$POOL/bm"
	zfs snapshot "$POOL/bm@probe"
	zfs bookmark "$POOL/bm@probe" "$POOL/bm#probe" 2>/dev/null ||
		skip "this zfs has no bookmarks (zfs-fuse): the hold alone keeps the chain"
	zfs destroy "$POOL/bm#probe"
	echo a > "$POOLMNT/bm/a"
	run -0 "$WS" replicate "$POOL/bm" "$POOL2/bm"
	common=$(zfs list -H -o name -t snapshot -d 1 -s createtxg "$POOL/bm" | tail -n 1)
	run -0 zfs list -H -o name -t bookmark -d 1 "$POOL/bm"
	assert_output --regexp "^$POOL/bm#ws-rep-[0-9a-f]{16}\$"
	# someone releases warpstor's hold and destroys the snapshot
	zfs release "warpstor::$POOL2/bm" "$common"
	zfs destroy "$common"
	echo b > "$POOLMNT/bm/b"
	run -0 --separate-stderr "$WS" -j replicate "$POOL/bm" "$POOL2/bm"
	[[ $stderr == *"sending from its bookmark $POOL/bm#ws-rep-"* ]]
	[[ $output == *"\"from\":\"$POOL/bm#ws-rep-"* ]]
	# incremental: the replica kept its snapshots and has the new one
	zfs list "$POOL2/bm@${common#*@}" >/dev/null
	new=$(zfs list -H -o name -t snapshot -d 1 -s createtxg "$POOL/bm" | tail -n 1)
	[ "$(zfs get -H -o value guid "$new")" = "$(zfs get -H -o value guid "$POOL2/bm@${new#*@}")" ]
	# and the bookmark moved on to it: still one
	run -0 zfs list -H -o name,guid -t bookmark -d 1 "$POOL/bm"
	[ "${#lines[@]}" -eq 1 ]
	assert_output --partial "$(zfs get -H -o value guid "$new")"
}

@test "replicate --limit caps the stream (bytes a second); a bad rate is 65" {
	zfs create "$POOL/slow"
	head -c 3000000 /dev/urandom > "$POOLMNT/slow/blob"
	run -65 "$WS" replicate --limit 10X "$POOL/slow" "$POOL2/slow"
	run -65 "$WS" replicate --limit 0 "$POOL/slow" "$POOL2/slow"
	run -0 "$WS" -j replicate --limit 1M "$POOL/slow" "$POOL2/slow"
	bytes=$(sed 's/.*"bytes":\([0-9]*\).*/\1/' <<< "$output")
	ms=$(sed 's/.*"ms":\([0-9]*\).*/\1/' <<< "$output")
	# never faster than the cap (a slow machine only makes it slower)
	[ "$bytes" -gt 3000000 ]
	[ "$ms" -ge $(( bytes * 1000 / 1048576 - 100 )) ]
}

@test "per-client options travel with the replica: takeover exports each client with its own; one that opens the share up is refused (77)" {
	cl='10.0.0.0/24(ro),10.0.0.7(rw,no_root_squash)'
	"$WS" create-fs "$POOL/pcr" -u 1 -g 1 --clients "$cl" >/dev/null
	fsid=$(prop warpstor:fsid "$POOL/pcr")
	run -0 "$WS" replicate "$POOL/pcr" "$POOL2/pcr"
	"$WS" destroy -r "$POOL/pcr" >/dev/null
	# no_root_squash in a received client's own options: not this node's
	ws_config "export_clients = 10.0.0.0/8"
	run -77 --separate-stderr "$WS" takeover "$POOL2/pcr"
	[[ $stderr == *"no_root_squash"* ]]
	[ "$(prop mounted "$POOL2/pcr")" = no ]
	ws_config "export_options = rw,sync,no_subtree_check,no_root_squash"
	run -0 "$WS" takeover "$POOL2/pcr"
	ws_config
	[ "$(zfs get -H -s local -o value warpstor:clients "$POOL2/pcr")" = "$cl" ]
	grep -qx "$WSTEST_BASE/$POOL2/pcr 10.0.0.0/24(ro,mp,fsid=$fsid) 10.0.0.7(rw,no_root_squash,mp,fsid=$fsid)" /etc/exports.d/warpstor.exports
	run -0 ws_live
	assert_line --regexp "^$WSTEST_BASE/$POOL2/pcr 10\.0\.0\.0/24\(.*[(,]ro[,)].*fsid=$fsid|^$WSTEST_BASE/$POOL2/pcr 10\.0\.0\.0/24\(.*fsid=$fsid.*[(,]ro[,)]"
	"$WS" destroy -r "$POOL2/pcr" >/dev/null
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
