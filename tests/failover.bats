#!/usr/bin/env bats
# A failover with real NFS clients: two pools stand for two nodes, ssh
# goes to a real sshd on localhost (key authentication), kernel NFS v4.2
# and v3 clients are mounted on the first node's export, reading and
# holding a file open.  Replicate, write more, replicate again, then the
# first node stops (the resource agent's stop) and the second takes over:
# the clients go on without remounting and see the last replication.  A
# replica with another fsid goes stale: the fsid is what carries them.
# Needs the lab VM (kernel NFS server, sshd); skipped elsewhere.

load helper

nfs_here() {
	[ "${WS_NFS_SHARED:-}" = 1 ] && [ -e /sys/module/zfs ] &&
		command -v mount.nfs >/dev/null && [ -x /usr/sbin/sshd ]
}

setup_file() {
	nfs_here || return 0
	systemctl start rpcbind nfs-server
	ws_setup_pool
	export POOL2="${POOL}_b" MNT="$BATS_FILE_TMPDIR/mnt" T="$BATS_FILE_TMPDIR/timings"
	# the replica, the bare copy beside it for the ratio, and a control
	ws_second_pool "$POOL2" 768M
	mkdir -p "$MNT"
	# sshd on localhost:2222, root by key only; the other node's warpstor
	# there (receive-replica) with a lock of its own
	ws_config "ssh = $(ws_sshd 2222)"
	"$WS" create-fs "$POOL/home" -u 65534 -g 65534 --clients 127.0.0.1 >/dev/null
	echo v1 > "$POOLMNT/home/file"
	echo held > "$POOLMNT/home/held"
	head -c 64000000 /dev/urandom > "$POOLMNT/home/blob"
}

setup() {
	nfs_here || skip "no kernel NFS server and sshd here (zfs-fuse): run 'make check-openzfs'"
}

teardown_file() {
	local m
	nfs_here || return 0
	[ -e "$BATS_FILE_TMPDIR/holder" ] && kill "$(cat "$BATS_FILE_TMPDIR/holder")" 2>/dev/null
	# never "$MNT" empty: that would be every mount under /
	[ -n "${MNT:-}" ] && [ -d "$MNT" ] && for m in "$MNT"/*; do umount -f -l "$m" 2>/dev/null || true; done
	kill "$(cat "$BATS_FILE_TMPDIR/sshd.pid")" 2>/dev/null || true
	exportfs -ua
	systemctl restart nfs-server
	exportfs -ua
	ws_teardown_pool "$POOL2"
	ws_teardown_pool
}

nfs_mount() {
	mkdir -p "$MNT/$3"
	mount -t nfs -o "vers=$1,hard,timeo=20${4:-}" "127.0.0.1:$2" "$MNT/$3"
}

ms() { date +%s%3N; }

@test "failover control: a replica exported with another fsid leaves the clients stale" {
	"$WS" create-fs "$POOL/ctl" -u 65534 -g 65534 --clients 127.0.0.1 >/dev/null
	echo c > "$POOLMNT/ctl/file"
	nfs_mount 4.2 "$POOLMNT/ctl" k4 ",soft,retrans=2"
	[ "$(timeout 60 cat "$MNT/k4/file")" = c ]
	run -0 "$WS" replicate "$POOL/ctl" "localhost:$POOL2/ctl"
	# the replica's fsid replaced by another
	zfs set warpstor:fsid=11111111-2222-4333-8444-555555555555 "$POOL2/ctl"
	"$WS" unexport "$POOL/ctl" >/dev/null
	run -0 "$WS" takeover "$POOL2/ctl"
	run timeout 90 cat "$MNT/k4/file"
	[ "$status" -ne 0 ] && [ "$status" -ne 124 ]
	echo "# control: $output" >&3
	umount -f -l "$MNT/k4"
}

@test "failover: replicate over ssh, clients on v3 and v4.2 keep their mount and open file through takeover" {
	nfs_mount 4.2 "$POOLMNT/home" c4
	nfs_mount 3 "$POOLMNT/home" c3 ",nolock"
	[ "$(timeout 60 cat "$MNT/c4/file")" = v1 ]
	[ "$(timeout 60 cat "$MNT/c3/file")" = v1 ]
	ls "$MNT/c4" "$MNT/c3" >/dev/null
	# a process holding a file open on the v4.2 mount
	(exec 7<"$MNT/c4/held"; exec sleep 900) &
	HOLDER=$!
	echo "$HOLDER" > "$BATS_FILE_TMPDIR/holder"
	fsid=$(zfs get -H -o value warpstor:fsid "$POOL/home")

	# full, over ssh to the sshd on localhost
	t0=$(ms)
	run -0 --separate-stderr "$WS" -j replicate "$POOL/home" "localhost:$POOL2/home"
	echo "full: $(($(ms) - t0)) ms $output" >> "$T"
	[[ $output == *'"from":null,"host":"localhost"'* ]]
	[ "$(zfs get -H -o value readonly "$POOL2/home")" = on ]
	[ "$(zfs get -H -o value mounted "$POOL2/home")" = no ]
	# more written, replicated again: incremental
	echo v2 > "$POOLMNT/home/file2"
	head -c 16000000 /dev/urandom > "$POOLMNT/home/blob2"
	"$WS" snapshot "$POOL/home@two" >/dev/null
	t0=$(ms)
	run -0 --separate-stderr "$WS" -j replicate "$POOL/home" "localhost:$POOL2/home"
	echo "incremental: $(($(ms) - t0)) ms $output" >> "$T"
	[[ $output == *"\"snapshot\":\"$POOL/home@two\",\"from\":\"$POOL/home@ws-rep-"* ]]
	# the same transfers bare, for the ratio: zfs send | zfs receive
	full=$(zfs list -H -o name -t snapshot -s createtxg -d 1 "$POOL/home" | head -n 1)
	t0=$(ms)
	zfs send -p "$full" | ssh -o BatchMode=yes -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
		-i "$BATS_FILE_TMPDIR/key" -p 2222 localhost zfs receive -u "$POOL2/bare"
	echo "bare full: $(($(ms) - t0)) ms" >> "$T"
	t0=$(ms)
	zfs send -p -I "$full" "$POOL/home@two" | ssh -o BatchMode=yes \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o LogLevel=ERROR -i "$BATS_FILE_TMPDIR/key" -p 2222 localhost \
		zfs receive -u -F "$POOL2/bare"
	echo "bare incremental: $(($(ms) - t0)) ms" >> "$T"
	zfs destroy -r "$POOL2/bare"
	# never exported while a replica
	run -0 "$WS" sync-exports
	run -0 exportfs -v
	refute_output --partial "$WSTEST_BASE/$POOL2/home"

	# the first node stops: the agent withdraws its exports and lets go
	# of the pool; the v4.2 client's open file pins it (kernel 6.1 cannot
	# revoke that state for one filesystem): the NFS server's threads are
	# restarted, as a node going down drops them
	t0=$(ms)
	OCF_RESKEY_restart_nfsd=true \
	OCF_ROOT=/usr/lib/ocf HA_RSCTMP="$BATS_FILE_TMPDIR" OCF_RESKEY_pool="$POOL" \
		OCF_RESKEY_binary="$WS" OCF_RESKEY_config="$WARPSTOR_CONFIG" \
		"$WS_TOP/packaging/ocf/warpstor-exports" stop
	run -0 exportfs -v
	refute_output --partial "$POOLMNT/home"
	[ "$(zfs get -H -o value mounted "$POOL/home")" = no ]
	# The first node is gone.  Here, where one machine plays both nodes,
	# its dataset only stops claiming the fsid.
	zfs inherit warpstor:fsid "$POOL/home"
	# the second takes over
	run -0 --separate-stderr "$WS" takeover "$POOL2/home"
	echo "$stderr"
	run -0 "$WS" vfsid "$POOL2/home"
	assert_output "$fsid"
	# the clients' next read: no remount
	until timeout 10 cat "$MNT/c4/file2" >/dev/null 2>&1; do
		[ $(($(ms) - t0)) -lt 120000 ] || { echo "no read for 120 s"; false; }
		sleep 0.2
	done
	echo "failover: stop to the first read on the standby: $(($(ms) - t0)) ms" >> "$T"
	[ "$(timeout 60 cat "$MNT/c4/file2")" = v2 ]
	[ "$(timeout 60 cat "$MNT/c3/file2")" = v2 ]
	[ "$(timeout 60 cat "$MNT/c4/file")" = v1 ]
	timeout 60 ls "$MNT/c4" "$MNT/c3" >/dev/null
	# the file held open reads through its descriptor
	[ "$(timeout 60 cat "/proc/$HOLDER/fd/7")" = held ]
	findmnt "$MNT/c4" >/dev/null && findmnt "$MNT/c3" >/dev/null
	# and they write to the standby now
	echo v3 > "$WSTEST_BASE/$POOL2/home/file3"
	[ "$(timeout 60 cat "$MNT/c4/file3")" = v3 ]
	sed 's/^/# /' "$T" >&3
}
