# Loaded by every .bats file: one real zfs-fuse pool per file, a config in
# the file's temp dir, and helpers for asserting real state.
# shellcheck shell=bash

bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

: "${WS_TOP:?run the suite with tests/run}"
WS="${WS_BIN:-$WS_TOP/warpstor}"
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C

# setup_file for every file: a pool named wst_RUNID_FILE on a file vdev,
# mounted below the run's shared /wstest_RUNID, and a config naming it.
ws_setup_pool() {
	local name
	name=$(basename "$BATS_TEST_FILENAME" .bats)
	export POOL="wst_${WSTEST_ID}_${name//[^A-Za-z0-9]/_}"
	export POOLMNT="$WSTEST_BASE/$POOL"
	# every file starts from an empty export table (this namespace's own)
	exportfs -ua
	rm -f /etc/exports.d/*.exports
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
		"journal_file = $BATS_FILE_TMPDIR/journal" \
		"audit_log = $BATS_FILE_TMPDIR/audit.log" \
		"export_clients = *")
	for line in "$@"; do
		key=${line%%=*}
		key=${key%% *}
		base=$(printf '%s\n' "$base" | grep -v "^$key =" || true)
	done
	printf '%s\n' "$base" "$@" > "$WARPSTOR_CONFIG"
}

# ws_second_pool NAME SIZE: another pool for the file (a standby node,
# a volume to empty), below the run's shared folder; one a cut-off run
# left by that name is cleared first.
ws_second_pool() {
	ws_teardown_pool "$1"
	truncate -s "$2" "$BATS_FILE_TMPDIR/vdev-$1"
	zpool create -m "$WSTEST_BASE/$1" "$1" "$BATS_FILE_TMPDIR/vdev-$1"
}

# Destroy the file's pool (or the one named), unmounting first and
# trying again while it is busy.
ws_teardown_pool() {
	local i pool=${1:-$POOL}
	zpool list "$pool" >/dev/null 2>&1 || return 0
	for i in 1 2 3 4 5 6 7 8 9 10; do
		zfs list -H -o name -t filesystem -r "$pool" 2>/dev/null | sort -r |
			while read -r ds; do zfs umount "$ds" >/dev/null 2>&1; done
		zpool destroy -f "$pool" 2>/dev/null && return 0
		sleep 0.5
	done
	echo "teardown: cannot destroy $pool" >&2
	return 1
}

# Everything the node says about itself: every dataset with every
# property, the live export table, the exports file.  Two calls around a
# command prove it changed nothing.  ZFS settles space accounting a few
# seconds after earlier writes (at the next transaction group, every 5 s;
# on a loaded machine zfs-fuse was seen writing a pool root's block more
# than 6 s after the last change): the state is read until it has held
# still for 10 s.
ws_state() {
	local a b i same=0
	sync
	# zfs-fuse has no zpool sync: there a snapshot waits for its
	# transaction group to reach the disk, and with it every change still
	# in memory (under load it wrote one more than 6 s after the last
	# command).  Not on OpenZFS: the destroyed snapshot's space is freed
	# in the background, which is a change of its own.
	if ! zpool sync "$POOL" >/dev/null 2>&1; then
		zfs snapshot "$POOL@ws-state-$$" && zfs destroy "$POOL@ws-state-$$"
	fi
	a=$(ws_state_once)
	for i in $(seq 60); do
		zpool sync "$POOL" >/dev/null 2>&1 || true
		sleep 1
		b=$(ws_state_once)
		if [ "$a" = "$b" ]; then
			same=$((same + 1))
			[ "$same" -ge 10 ] && break
		else
			same=0
			a=$b
		fi
	done
	printf '%s\n' "$a"
}

# Wait until the pool's space accounting holds still (OpenZFS settles it
# a transaction group after a change; zpool sync pushes that along).
ws_settle() {
	local a b i same=0
	sync
	a=$(zfs get -H -p -o value used,referenced,available -r "$POOL")
	for i in $(seq 30); do
		zpool sync "$POOL" >/dev/null 2>&1 || true
		sleep 0.5
		b=$(zfs get -H -p -o value used,referenced,available -r "$POOL")
		if [ "$a" = "$b" ]; then
			same=$((same + 1))
			[ "$same" -ge 2 ] && return 0
		else
			same=0
			a=$b
		fi
	done
}

ws_state_once() {
	local cols
	# the space of the pool's root: the snapshot ws_state makes and
	# destroys to push zfs-fuse's writes out grows its list of snapshot
	# names a block now and then, which no command did
	cols=$(zfs list -o all -d 0 "$POOL" 2>/dev/null | head -n 1 | tr -s ' ' '\n' |
		awk '/^(USED|AVAIL|REFER|RATIO|USEDSNAP|USEDDS|USEDREFRESERV|USEDCHILD|REFRATIO|WRITTEN|LUSED|LREFER)$/ { printf "%s ", NR }')
	# the run's pools named: -o all has a column for every user property
	# of the pools it walks, and another run's would add columns here
	# shellcheck disable=SC2046
	zfs list -H -t all -o all -r $(zpool list -H -o name | grep "^wst_${WSTEST_ID}_") 2>&1 |
		awk -F '\t' -v OFS='\t' -v root="$POOL" -v cols="$cols" '
		BEGIN { n = split(cols, c, " ") }
		$1 == root { for (i = 1; i <= n; i++) $c[i] = "(space)" }
		{ print }' | sort
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

# The state that matters after a rollback: every dataset with its type,
# origin, mountpoint and mounted flag, every local property, the owner of
# every mounted mountpoint, the live table and the exports file.  (Not
# "used": zfs frees space a moment after a destroy.)
ws_state_logical() {
	local mp
	zfs list -H -t all -o name,type,origin,mountpoint,mounted -r "$POOL" 2>&1
	zfs get -H -s local -o name,property,value all -r "$POOL" 2>&1 | grep -v $'\tused' || true
	zfs list -H -t filesystem -o mountpoint -r "$POOL" | while read -r mp; do
		[ -d "$mp" ] && stat -c '%n %u:%g %a' "$mp"
	done
	echo "--- exportfs -v"
	ws_live
	echo "--- exports file"
	cat /etc/exports.d/*.exports 2>/dev/null || true
	return 0
}

# The live table, one "PATH CLIENT(OPTIONS)" line per export, sorted
# (exportfs -v lists in the order of its table, which a re-export changes).
ws_live() {
	exportfs -v | awk '
		/^\// { path = $1; if (NF > 1) print path, $2; next }
		NF > 0 { print path, $1 }' | sed 's/ <world>(/ *(/' | LC_ALL=C sort
}

# A pass-through zfs (or exportfs, with $2) that fails its Nth call ($1)
# with exit 1, and the calls right after it with the very same argv (so
# that a retry cannot hide the fault; the first other call ends the
# streak, and an undo later with the same argv passes).  Counts in a
# file; prints its path.
ws_failing() {
	local n=$1 tool=${2:-zfs} real w state
	real=$(command -v "$tool")
	w="$BATS_TEST_TMPDIR/$tool-fail-$n"
	state="$BATS_TEST_TMPDIR/$tool-fail-$n.state"
	echo 0 > "$state.count"
	: > "$state.argv"
	cat > "$w" <<-WRAP
	#!/bin/sh
	n=\$((\$(cat '$state.count') + 1))
	echo \$n > '$state.count'
	if [ \$n -eq $n ]; then
		printf '%s\\n' "\$*" > '$state.argv'
	elif [ -s '$state.argv' ] && [ "\$*" != "\$(cat '$state.argv')" ]; then
		: > '$state.argv'
	fi
	if [ -s '$state.argv' ]; then
		echo "injected failure of call $n: \$*" >&2
		exit 1
	fi
	exec '$real' "\$@"
	WRAP
	chmod +x "$w"
	echo "$w"
}

# A pass-through zfs whose destroys say "dataset is busy" (as zfs does a
# moment after an unmount, or while the NFS server holds a dataset) for
# as long as the file $1 exists.  Prints its path.
ws_busy_destroys() {
	local flag=$1 real w="$BATS_TEST_TMPDIR/zfs-busy"
	real=$(command -v zfs)
	cat > "$w" <<-WRAP
	#!/bin/sh
	if [ "\$1" = destroy ] && [ -e '$flag' ]; then
		for a; do n=\$a; done
		echo "cannot destroy '\$n': dataset is busy" >&2
		exit 1
	fi
	exec '$real' "\$@"
	WRAP
	chmod +x "$w"
	echo "$w"
}

# ws_sshd PORT: a private sshd on 127.0.0.1:PORT, root by key only, its
# keys, pid file and log (sshd.log) in the file's temp dir; prints the
# ssh command that reaches it.  Fails where there is no sshd.
ws_sshd() {
	local port=$1 d=$BATS_FILE_TMPDIR
	[ -x /usr/sbin/sshd ] && command -v ssh >/dev/null || return 1
	[ -e "$d/key" ] || ssh-keygen -q -t ed25519 -N '' -f "$d/key"
	[ -e "$d/hostkey" ] || ssh-keygen -q -t ed25519 -N '' -f "$d/hostkey"
	cp "$d/key.pub" "$d/authorized_keys"
	mkdir -p /run/sshd "$d/bin"
	# the other node's warpstor (receive-replica, unexport) is this one,
	# found as "warpstor" on the session's PATH, with the file's config
	# but a lock and journal of its own, as another node has
	cat > "$d/bin/warpstor" <<SH
#!/bin/sh
sed -e "s|^lock_file = .*|lock_file = $d/remote.lock|" \\
    -e "s|^journal_file = .*|journal_file = $d/remote.journal|" \\
    "\$WARPSTOR_CONFIG" > "$d/remote.conf.\$\$"
mv "$d/remote.conf.\$\$" "$d/remote.conf"
exec "$WS" -c "$d/remote.conf" "\$@"
SH
	chmod 0755 "$d/bin/warpstor"
	/usr/sbin/sshd -p "$port" -h "$d/hostkey" -o PidFile="$d/sshd.pid" \
		-o SetEnv="PATH=$d/bin:/usr/sbin:/usr/bin:/sbin:/bin WARPSTOR_CONFIG=$WARPSTOR_CONFIG ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS}" \
		-o StrictModes=no -o AuthorizedKeysFile="$d/authorized_keys" \
		-o PasswordAuthentication=no -o PermitRootLogin=prohibit-password \
		-o ListenAddress=127.0.0.1 -o LogLevel=INFO -E "$d/sshd.log" || return 1
	echo "ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -i $d/key -p $port"
}

# How many calls a command makes: run it with counting wrappers around
# zfs and exportfs.  Sets ZFS_CALLS, EXPORTFS_CALLS and the logs.
ws_count_calls() {
	local zl="$BATS_TEST_TMPDIR/zfs.calls" el="$BATS_TEST_TMPDIR/exportfs.calls"
	local zw ew real
	zw=$(ws_counting_zfs "$zl")
	real=$(command -v exportfs)
	ew="$BATS_TEST_TMPDIR/exportfs-counting"
	: > "$el"
	printf '#!/bin/sh\nprintf "%%s\\n" "$*" >> %s\nexec %s "$@"\n' "'$el'" "'$real'" > "$ew"
	chmod +x "$ew"
	WARPSTOR_ZFS=$zw WARPSTOR_EXPORTFS=$ew "$@"
	ZFS_CALLS=$(wc -l < "$zl")
	EXPORTFS_CALLS=$(wc -l < "$el")
}

# Whether this zfs get takes -t (OpenZFS does, zfs-fuse does not): what
# a query of every filesystem costs depends on it (1 call, or the try, a
# zfs list and a zfs get: 3).
ws_get_takes_t() {
	zfs get -H -t filesystem -o name type "$POOL" >/dev/null 2>&1
}
ws_fs_query_calls() {
	if ws_get_takes_t; then echo 1; else echo 3; fi
}
# ... and of one pool's: 1, or the try and a zfs get -r (2)
ws_pool_query_calls() {
	if ws_get_takes_t; then echo 1; else echo 2; fi
}

# The fsid a dataset carries (local only).
ws_fsid() {
	zfs get -H -s local -o value warpstor:fsid "$1"
}

# Destroy a dataset tree by hand (unmount first: zfs-fuse refuses busy).
ws_zap() {
	local ds i
	zfs list -H -o name -t filesystem -r "$1" 2>/dev/null | sort -r |
		while read -r ds; do zfs umount "$ds" 2>/dev/null || true; done
	for i in 1 2 3 4 5 6 7 8 9 10; do
		zfs destroy -R "$1" 2>/dev/null && return 0
		zfs list "$1" >/dev/null 2>&1 || return 0
		sleep 0.5
	done
	return 1
}

# The golden tree of the filter and replace tests: logs, two users' ssh
# keys, a symlinked folder pointing outside the dataset; @v1, then @v2
# with one more file.
ws_golden_tree() {
	local g="$POOLMNT/golden"

	zfs create "$POOL/golden"
	mkdir -p "$g/var/log/app" "$g/home/alice/.ssh" "$g/home/bob/.ssh" "$g/etc" "$g/data"
	echo log > "$g/var/log/syslog"
	echo log > "$g/var/log/.hidden"
	echo log > "$g/var/log/app/app.log"
	echo key > "$g/home/alice/.ssh/id"
	echo key > "$g/home/bob/.ssh/id"
	echo keep > "$g/home/alice/notes"
	echo conf > "$g/etc/motd"
	echo data > "$g/data/file"
	# a symlinked directory pointing outside the dataset
	mkdir -p "$BATS_FILE_TMPDIR/outside/.ssh"
	echo precious > "$BATS_FILE_TMPDIR/outside/.ssh/id"
	ln -s "$BATS_FILE_TMPDIR/outside" "$g/home/carol"
	zfs snapshot "$POOL/golden@v1"
	echo v2 > "$g/data/v2"
	zfs snapshot "$POOL/golden@v2"
}

# A failed test shows what its last `run` said (bats shows a failed
# test's own output, not that of the command it ran): most useful where
# the run cannot be watched, in CI and in the lab VM.  A file with a
# teardown of its own calls ws_show_last_run there.
ws_show_last_run() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] && return 0
	printf '# last run: status %s\n' "${status:-none}"
	printf '%s\n' "${output:-}" | sed -n '1,40s/^/#   /p'
	[ -z "${stderr:-}" ] || printf '%s\n' "$stderr" | sed -n '1,20s/^/#   stderr: /p'
}
teardown() {
	ws_show_last_run
}
