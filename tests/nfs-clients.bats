#!/usr/bin/env bats
# Every command with kernel NFS clients attached: v3 and v4.2 mounts over
# loopback that have used the export (ls, a read) before the command
# runs, as on a storage node where exports are mounted nearly all the
# time.  Needs a kernel NFS server that sees this suite's exports (the
# lab VM: make check-openzfs); skipped elsewhere.

load helper

# Is there a kernel NFS server that reads the exports this suite makes?
# (tests/run says so: in the lab VM it leaves the machine's NFS state to
# the suite instead of covering it with a tmpfs.)
nfs_here() {
	[ "${WS_NFS_SHARED:-}" = 1 ] && [ -e /sys/module/zfs ] &&
		command -v mount.nfs >/dev/null
}

setup_file() {
	nfs_here || return 0
	systemctl start rpcbind nfs-server
	ws_setup_pool
	export MNT="$BATS_FILE_TMPDIR/mnt"
	mkdir -p "$MNT"
	zfs create "$POOL/golden"
	echo v1 > "$POOLMNT/golden/file"
	mkdir "$POOLMNT/golden/dir"
	echo one > "$POOLMNT/golden/dir/a"
	zfs snapshot "$POOL/golden@v1"
	echo v2 > "$POOLMNT/golden/file"
	echo two > "$POOLMNT/golden/dir/b"
	zfs snapshot "$POOL/golden@v2"
	zfs create "$POOL/u"
	# A bystander: its own export and clients, which nothing may disturb.
	"$WS" clone "$POOL/golden@v1" "$POOL/u/by" -u 65534 -g 65534 >/dev/null
	nfs_mount 3 "$POOLMNT/u/by" by3 hard
	nfs_mount 4.2 "$POOLMNT/u/by" by4 hard
	nfs_use by3 && nfs_use by4
	pgrep -x nfsd | sort > "$BATS_FILE_TMPDIR/nfsd.pids"
	[ -s "$BATS_FILE_TMPDIR/nfsd.pids" ]
}

setup() {
	nfs_here || skip "no kernel NFS server with OpenZFS here (zfs-fuse): run 'make check-openzfs'"
}

teardown_file() {
	local m
	if nfs_here; then
		# never "$MNT" empty: that would be every mount under /
	[ -n "${MNT:-}" ] && [ -d "$MNT" ] && for m in "$MNT"/*; do
			umount -f -l "$m" 2>/dev/null || true
		done
		# Only here, after the tests: the server lets go of what its
		# clients pinned, so that the pool can go.
		exportfs -ua
		systemctl restart nfs-server
		ws_teardown_pool
	fi
}

# nfs_mount VERS PATH NAME [hard|soft]: a kernel client at $MNT/NAME.
nfs_mount() {
	local opts
	mkdir -p "$MNT/$3"
	if [ "${4:-soft}" = soft ]; then
		opts="soft,timeo=20,retrans=2"
	else
		opts="hard,timeo=20"
	fi
	[ "$1" = 3 ] && opts="$opts,nolock"
	mount -t nfs -o "vers=$1,$opts" "127.0.0.1:$2" "$MNT/$3"
}

# A client uses its mount: lists the root and a folder, reads a file.
nfs_use() {
	timeout 60 ls "$MNT/$1" "$MNT/$1/dir" >/dev/null &&
		timeout 60 cat "$MNT/$1/file" >/dev/null
}

# What a client reads from file.
nfs_read() {
	timeout 60 cat "$MNT/$1/file"
}

# The bystander's clients read as before and the server was never
# restarted (its threads are the same processes).
bystander_fine() {
	[ "$(nfs_read by3)" = v1 ]
	[ "$(nfs_read by4)" = v1 ]
	timeout 60 ls "$MNT/by4/dir" >/dev/null
	[ "$(pgrep -x nfsd | sort)" = "$(cat "$BATS_FILE_TMPDIR/nfsd.pids")" ]
	grep -q "^$POOLMNT/u/by " /etc/exports.d/warpstor.exports
	exportfs -v | grep -q "^$POOLMNT/u/by"
}

# A client's next access fails, and promptly (a soft mount: not a hang).
nfs_fails() {
	run timeout 90 cat "$MNT/$1/file"
	[ "$status" -ne 0 ] && [ "$status" -ne 124 ]
}

# name is destroyed, or its destroy is deferred: renamed aside (or kept,
# for a snapshot), recorded, exported no more.  Either way the name is
# free and nothing of it is exported.
gone_or_deferred() {
	run -1 "$WS" exists "$1"
	run ! grep -q " $1 \| $1\$" /etc/exports.d/warpstor.exports
}

@test "replace twice with v3 and v4.2 clients that used it: same mount, new content, the shell at the root keeps working" {
	"$WS" clone "$POOL/golden@v1" "$POOL/u/r" -u 65534 -g 65534
	nfs_mount 3 "$POOLMNT/u/r" r3 hard
	nfs_mount 4.2 "$POOLMNT/u/r" r4 hard
	nfs_use r3 && nfs_use r4
	# a shell sitting at the mount root
	(cd "$MNT/r4" && exec sleep 600) &
	shell=$!
	fsid=$(ws_fsid "$POOL/u/r")
	run -0 --separate-stderr "$WS" -v replace "$POOL/u/r" "$POOL/golden@v2" -u 65534 -g 65534
	echo "$stderr"
	assert_output "$POOL/u/r"
	[ "$(nfs_read r3)" = v2 ]
	[ "$(nfs_read r4)" = v2 ]
	[ "$(timeout 60 ls "/proc/$shell/cwd/dir" | tr '\n' ' ')" = "a b " ]
	[ "$(ws_fsid "$POOL/u/r")" = "$fsid" ]
	# used again, then replaced again
	nfs_use r3 && nfs_use r4
	run -0 --separate-stderr "$WS" replace "$POOL/u/r" "$POOL/golden@v1" -u 65534 -g 65534
	echo "$stderr"
	[ "$(nfs_read r3)" = v1 ]
	[ "$(nfs_read r4)" = v1 ]
	[ "$(timeout 60 ls "/proc/$shell/cwd/dir" | tr '\n' ' ')" = "a " ]
	[ "$(stat -c %u "$MNT/r4/file")" = 65534 ]
	# the mounts never went away
	findmnt "$MNT/r3" >/dev/null && findmnt "$MNT/r4" >/dev/null
	kill "$shell"
	# no old content is left exported or under the name
	[ "$(zfs get -H -o value -r -s local warpstor:fsid "$POOL/u" | grep -c "$fsid")" = 1 ]
	bystander_fine
}

@test "per-client options with v3 and v4.2 clients: read-only where the entry says ro, writable once exported anew rw; replace keeps each client's" {
	"$WS" clone "$POOL/golden@v1" "$POOL/u/pc" -u 65534 -g 65534 \
		--clients '127.0.0.1(ro,no_subtree_check),10.99.0.1(rw)'
	nfs_mount 3 "$POOLMNT/u/pc" pc3 hard
	nfs_mount 4.2 "$POOLMNT/u/pc" pc4 hard
	nfs_use pc3 && nfs_use pc4
	[ "$(nfs_read pc3)" = v1 ]
	run ! timeout 60 touch "$MNT/pc4/new"
	run ! timeout 60 touch "$MNT/pc3/new"
	# this client's own options changed: writable, on the same mount
	run -0 "$WS" export "$POOL/u/pc" --clients '127.0.0.1(rw,no_root_squash,no_subtree_check),10.99.0.1(ro)'
	timeout 60 touch "$MNT/pc4/new4"
	timeout 60 touch "$MNT/pc3/new3"
	[ -e "$POOLMNT/u/pc/new4" ] && [ -e "$POOLMNT/u/pc/new3" ]
	# replace: same mount, new content, still this client's options
	run -0 "$WS" replace "$POOL/u/pc" "$POOL/golden@v2" -u 65534 -g 65534
	[ "$(nfs_read pc3)" = v2 ]
	[ "$(nfs_read pc4)" = v2 ]
	timeout 60 touch "$MNT/pc4/after"
	[ "$(zfs get -H -s local -o value warpstor:clients "$POOL/u/pc")" = '127.0.0.1(rw,no_root_squash,no_subtree_check),10.99.0.1(ro)' ]
	bystander_fine
}

@test "rename with clients that used it: mounted by the old path, they keep working and see the same files" {
	"$WS" clone "$POOL/golden@v1" "$POOL/u/m" -u 65534 -g 65534
	nfs_mount 3 "$POOLMNT/u/m" m3 hard
	nfs_mount 4.2 "$POOLMNT/u/m" m4 hard
	nfs_use m3 && nfs_use m4
	echo mine > "$MNT/m4/mine"
	fsid=$(ws_fsid "$POOL/u/m")
	run -0 --separate-stderr "$WS" rename "$POOL/u/m" "$POOL/u/m2"
	echo "$stderr"
	[ "$(zfs get -H -o value mounted "$POOL/u/m2")" = yes ]
	[ "$(ws_fsid "$POOL/u/m2")" = "$fsid" ]
	grep -q "^$POOLMNT/u/m2 .*fsid=$fsid" /etc/exports.d/warpstor.exports
	[ "$(nfs_read m3)" = v1 ]
	[ "$(nfs_read m4)" = v1 ]
	[ "$(timeout 60 cat "$MNT/m3/mine")" = mine ]
	# a write through the old mount lands in the renamed dataset
	echo after > "$MNT/m3/after"
	[ "$(cat "$POOLMNT/u/m2/after")" = after ]
	bystander_fine
}

@test "destroy with clients that used it: the command succeeds, a soft client's next access fails promptly" {
	"$WS" clone "$POOL/golden@v1" "$POOL/u/d" -u 65534 -g 65534
	nfs_mount 3 "$POOLMNT/u/d" d3
	nfs_mount 4.2 "$POOLMNT/u/d" d4
	nfs_use d3 && nfs_use d4
	run -0 --separate-stderr "$WS" destroy "$POOL/u/d"
	echo "$stderr"
	gone_or_deferred "$POOL/u/d"
	[ -z "$(exportfs -v | grep "^$POOLMNT/u/d\b")" ]
	nfs_fails d3
	nfs_fails d4
	# the name is free at once
	run -0 "$WS" create-fs "$POOL/u/d" -u 65534 -g 65534
	bystander_fine
}

@test "destroy: the clients give their delegations back first, so the space is free at once" {
	"$WS" clone "$POOL/golden@v1" "$POOL/u/dd" -u 65534 -g 65534
	nfs_mount 4.2 "$POOLMNT/u/dd" dd4
	nfs_use dd4
	timeout 60 cat "$MNT/dd4/dir/a" >/dev/null
	# the v4.2 reads left read delegations on the dataset's files
	dev=$(stat -c '%Hd:%Ld' "$POOLMNT/u/dd")
	grep -h 'type: deleg' /proc/fs/nfsd/clients/*/states |
		grep -q "superblock: \"$(printf '%02x:%02x' "${dev%:*}" "${dev#*:}"):"
	run -0 --separate-stderr "$WS" -v destroy "$POOL/u/dd"
	echo "$stderr"
	# destroyed, not deferred: nothing renamed aside, nothing recorded
	run -1 "$WS" exists "$POOL/u/dd"
	[ -z "$(zfs list -H -o name -r "$POOL/u" | grep 'dd\.wsgone')" ]
	run ! grep -qs "$POOL/u/dd" "$BATS_FILE_TMPDIR/journal.deferred"
	nfs_fails dd4
	bystander_fine
}

@test "unexport, then destroy, with clients that used it" {
	"$WS" clone "$POOL/golden@v1" "$POOL/u/ud" -u 65534 -g 65534
	nfs_mount 3 "$POOLMNT/u/ud" ud3
	nfs_mount 4.2 "$POOLMNT/u/ud" ud4
	nfs_use ud3 && nfs_use ud4
	run -0 "$WS" unexport "$POOL/u/ud"
	nfs_fails ud4
	run -0 --separate-stderr "$WS" destroy "$POOL/u/ud"
	echo "$stderr"
	gone_or_deferred "$POOL/u/ud"
	nfs_fails ud3
	bystander_fine
}

@test "destroy -r of a parent whose exported children have clients" {
	zfs create "$POOL/u/p"
	"$WS" clone "$POOL/golden@v1" "$POOL/u/p/c1" -u 65534 -g 65534
	"$WS" clone "$POOL/golden@v2" "$POOL/u/p/c2" -u 65534 -g 65534
	nfs_mount 3 "$POOLMNT/u/p/c1" p1
	nfs_mount 4.2 "$POOLMNT/u/p/c2" p2
	nfs_use p1 && nfs_use p2
	run -0 --separate-stderr "$WS" destroy -r "$POOL/u/p"
	echo "$stderr"
	gone_or_deferred "$POOL/u/p"
	run -1 "$WS" exists "$POOL/u/p/c1"
	run ! grep -q "$POOLMNT/u/p/" /etc/exports.d/warpstor.exports
	nfs_fails p1
	nfs_fails p2
	bystander_fine
}

@test "the live table lost (exportfs -ua), then sync-exports: clients resume" {
	"$WS" clone "$POOL/golden@v2" "$POOL/u/s" -u 65534 -g 65534
	nfs_mount 3 "$POOLMNT/u/s" s3 hard
	nfs_mount 4.2 "$POOLMNT/u/s" s4 hard
	nfs_use s3 && nfs_use s4
	exportfs -ua
	run -0 "$WS" sync-exports
	exportfs -v | grep -q "^$POOLMNT/u/s"
	[ "$(nfs_read s3)" = v2 ]
	[ "$(nfs_read s4)" = v2 ]
	bystander_fine
}

@test "recover finishes the destroys the NFS server held up, and only those" {
	"$WS" clone "$POOL/golden@v1" "$POOL/u/h" -u 65534 -g 65534
	nfs_mount 4.2 "$POOLMNT/u/h" h4
	nfs_use h4
	run -0 --separate-stderr "$WS" destroy "$POOL/u/h"
	echo "$stderr"
	run -1 "$WS" exists "$POOL/u/h"
	umount -f -l "$MNT/h4"
	# whatever was deferred is gone within the server's cache lifetime;
	# recover says what it did each time
	run -0 "$WS" recover
	echo "$output"
	[[ $output == *"nothing to recover"* || $output == *destroyed* || $output == *"still busy"* ]]
	deferred="$BATS_FILE_TMPDIR/journal.deferred"
	if [ -s "$deferred" ]; then
		name=$(cut -d' ' -f1 "$deferred" | head -n 1)
		# not exported, not mounted, reported by info
		[ "$(zfs get -H -o value -s local warpstor:fsid "$name" | wc -l)" = 0 ]
		run -0 "$WS" info "$name"
		[[ $output == *"destroy"*"deferred since"* ]]
	fi
	bystander_fine
}

@test "rebuild-vol with clients attached to the volume's exports" {
	truncate -s 256M "$BATS_FILE_TMPDIR/vdev2"
	vol="${POOL}_rv"
	zpool create -m "$WSTEST_BASE/$vol" "$vol" "$BATS_FILE_TMPDIR/vdev2"
	zfs create "$vol/g"
	echo v1 > "$WSTEST_BASE/$vol/g/file"
	zfs snapshot "$vol/g@v1"
	"$WS" clone "$vol/g@v1" "$vol/a" -u 65534 -g 65534
	"$WS" create-fs "$vol/b" -u 65534 -g 65534
	echo b > "$WSTEST_BASE/$vol/b/file"
	nfs_mount 3 "$WSTEST_BASE/$vol/a" va
	nfs_mount 4.2 "$WSTEST_BASE/$vol/b" vb
	nfs_use va && nfs_use vb
	run -0 --separate-stderr "$WS" -y rebuild-vol "$vol"
	echo "$stderr"
	run -1 "$WS" exists "$vol/a"
	run -1 "$WS" exists "$vol/b"
	run ! grep -q "$WSTEST_BASE/$vol/" /etc/exports.d/warpstor.exports
	nfs_fails va
	nfs_fails vb
	bystander_fine
	umount -f -l "$MNT/va" "$MNT/vb" || true
	zpool destroy -f "$vol" 2>/dev/null || true
}

@test "control: the same swap by hand without a stable fsid leaves the client stale" {
	zfs clone "$POOL/golden@v1" "$POOL/u/ctl"
	p="$POOLMNT/u/ctl"
	exportfs -o rw,sync,no_subtree_check "127.0.0.1:$p"
	nfs_mount 3 "$p" ctl
	nfs_use ctl
	[ "$(nfs_read ctl)" = v1 ]
	exportfs -u "127.0.0.1:$p"
	umount -l "$p"
	zfs rename "$POOL/u/ctl" "$POOL/u/ctl-old"
	zfs clone "$POOL/golden@v2" "$POOL/u/ctl"
	exportfs -o rw,sync,no_subtree_check "127.0.0.1:$p"
	exportfs -f
	# the file is there on the server, but the client's handle is stale
	[ "$(cat "$p/file")" = v2 ]
	nfs_fails ctl
	exportfs -u "127.0.0.1:$p"
	bystander_fine
}
