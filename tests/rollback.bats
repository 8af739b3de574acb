#!/usr/bin/env bats
# All-or-nothing: make the Nth zfs or exportfs call of each composite
# command fail, for every N, and check that afterwards the node is exactly
# as it was.  Also: a failing exports-file write, SIGTERM in the middle,
# and the lock.

load helper

setup_file() {
	ws_setup_pool
	zfs create "$POOL/golden"
	mkdir -p "$POOLMNT/golden/d"
	echo gold > "$POOLMNT/golden/d/f"
	zfs snapshot "$POOL/golden@v1"
	zfs create "$POOL/u"
}

teardown_file() {
	ws_teardown_pool
}

# sweep TOOL CMD...: for N = 1, 2, ...: fail the Nth TOOL call of
# warpstor CMD...; it must exit 69 and change nothing.  Stops at the
# first N that the command no longer reaches (it then succeeds), and
# reports how many failure points there were in $points.
sweep() {
	local tool=$1 n=1 w var
	shift
	var=WARPSTOR_ZFS
	[ "$tool" = exportfs ] && var=WARPSTOR_EXPORTFS
	while :; do
		w=$(ws_failing "$n" "$tool")
		ws_state_logical > "$BATS_TEST_TMPDIR/before"
		run env "$var=$w" "$WS" "$@"
		if [ "$status" -eq 0 ]; then
			points=$((n - 1))
			echo "# $* : $points $tool failure points" >&3
			return 0
		fi
		if [ "$status" -ne 69 ]; then
			echo "call $n of $tool: exit $status: $output"
			return 1
		fi
		ws_state_logical > "$BATS_TEST_TMPDIR/after"
		if ! diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"; then
			echo "call $n of $tool failing left this behind: $output"
			return 1
		fi
		n=$((n + 1))
		[ "$n" -le 30 ] || { echo "more than 30 calls?"; return 1; }
	done
}

@test "create-fs: every zfs and exportfs call failing rolls back" {
	# zfs create alone: the mountpoint comes from the mount table
	sweep zfs create-fs "$POOL/u/c1" -u 1 -g 1 --clients 10.0.0.1,10.0.0.2
	[ "$points" -eq 1 ]
	ws_zap "$POOL/u/c1"
	"$WS" sync-exports >/dev/null
	sweep exportfs create-fs "$POOL/u/c1" -u 1 -g 1 --clients 10.0.0.1,10.0.0.2
	[ "$points" -eq 2 ]
}

@test "clone: every zfs and exportfs call failing rolls back" {
	sweep zfs clone "$POOL/golden@v1" "$POOL/u/k1" -u 2 -g 2 --clients 10.0.0.1,10.0.0.2
	[ "$points" -eq 1 ]
	ws_zap "$POOL/u/k1"
	"$WS" sync-exports >/dev/null
	sweep exportfs clone "$POOL/golden@v1" "$POOL/u/k1" -u 2 -g 2 --clients 10.0.0.1,10.0.0.2
	[ "$points" -eq 2 ]
}

@test "rename: every zfs and exportfs call failing rolls back" {
	"$WS" clone "$POOL/golden@v1" "$POOL/u/r1" -u 3 -g 3 --clients 10.0.0.1,10.0.0.2 >/dev/null
	fsid=$(ws_fsid "$POOL/u/r1")
	sweep zfs rename "$POOL/u/r1" "$POOL/u/r2"
	[ "$points" -ge 5 ]
	[ "$(ws_fsid "$POOL/u/r2")" = "$fsid" ]
	# -u and -o for each of the two clients, then -f (handles carry the
	# fsid: the server's cache must forget the old path)
	sweep exportfs rename "$POOL/u/r2" "$POOL/u/r1"
	[ "$points" -eq 5 ]
	[ "$(ws_fsid "$POOL/u/r1")" = "$fsid" ]
}

@test "export and unexport: every call failing rolls back" {
	zfs create "$POOL/u/x1"
	sweep zfs export "$POOL/u/x1" --clients 10.0.0.1,10.0.0.2
	[ "$points" -eq 4 ]
	sweep zfs unexport "$POOL/u/x1"
	[ "$points" -eq 3 ]
	# the fsid it kept is checked against the live table (exportfs -v)
	sweep exportfs export "$POOL/u/x1" --clients 10.0.0.1,10.0.0.2
	[ "$points" -eq 3 ]
	sweep exportfs unexport "$POOL/u/x1"
	[ "$points" -eq 2 ]
}

@test "destroy: every zfs and exportfs call failing rolls back" {
	"$WS" clone "$POOL/golden@v1" "$POOL/u/d1" -u 4 -g 4 --clients 10.0.0.1,10.0.0.2 >/dev/null
	"$WS" clone "$POOL/golden@v1" "$POOL/u/d2" -u 4 -g 4 --clients 10.0.0.1,10.0.0.2 >/dev/null
	sweep exportfs destroy "$POOL/u/d1"
	[ "$points" -eq 2 ]
	sweep zfs destroy "$POOL/u/d2"
	[ "$points" -eq 3 ]
	run -1 "$WS" exists "$POOL/u/d2"
}

@test "a failing write of the exports file rolls back (read-only folder)" {
	ws_state_logical > "$BATS_TEST_TMPDIR/before"
	mount -o remount,ro /etc/exports.d
	run -69 --separate-stderr "$WS" create-fs "$POOL/u/ro" -u 1 -g 1
	mount -o remount,rw /etc/exports.d
	[[ ${stderr_lines[0]} == "warpstor: create-fs: "*" /etc/exports.d/"*": Read-only file system" ]]
	ws_state_logical > "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "SIGTERM and SIGINT in the middle roll back, then exit 143 and 130" {
	real=$(command -v exportfs)
	w="$BATS_TEST_TMPDIR/exportfs-slow"
	cat > "$w" <<-WRAP
	#!/bin/sh
	touch '$BATS_TEST_TMPDIR/in-exportfs'
	sleep 2
	exec '$real' "\$@"
	WRAP
	chmod +x "$w"
	ws_state_logical > "$BATS_TEST_TMPDIR/before"
	for sig in TERM:15:143 INT:2:130; do
		rm -f "$BATS_TEST_TMPDIR/in-exportfs"
		WARPSTOR_EXPORTFS=$w "$WS" clone "$POOL/golden@v1" "$POOL/u/sig" -u 1 -g 1 \
			--clients 10.0.0.1,10.0.0.2 2> "$BATS_TEST_TMPDIR/err" &
		pid=$!
		for _ in $(seq 100); do [ -e "$BATS_TEST_TMPDIR/in-exportfs" ] && break; sleep 0.1; done
		kill -"${sig%%:*}" $pid
		status=0
		wait $pid || status=$?
		[ "$status" -eq "${sig##*:}" ]
		n=${sig#*:}
		grep -q "interrupted by signal ${n%%:*}" "$BATS_TEST_TMPDIR/err"
		grep -q "rolled back" "$BATS_TEST_TMPDIR/err"
		ws_state_logical > "$BATS_TEST_TMPDIR/after"
		diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	done
}

@test "the lock: a second mutating command waits -w seconds, then 75 naming the holder; queries go on" {
	real=$(command -v zfs)
	w="$BATS_TEST_TMPDIR/zfs-slow"
	cat > "$w" <<-WRAP
	#!/bin/sh
	if [ "\$1" = create ]; then touch '$BATS_TEST_TMPDIR/in-create'; sleep 4; fi
	exec '$real' "\$@"
	WRAP
	chmod +x "$w"
	WARPSTOR_ZFS=$w "$WS" create-fs "$POOL/u/slow" -u 1 -g 1 > /dev/null &
	holder=$!
	for _ in $(seq 100); do [ -e "$BATS_TEST_TMPDIR/in-create" ] && break; sleep 0.1; done
	run -75 --separate-stderr "$WS" -w 1 create-fs "$POOL/u/other" -u 1 -g 1
	[[ $stderr == "warpstor: create-fs: lock $BATS_FILE_TMPDIR/warpstor.lock is held by another warpstor (pid $holder); waited 1 s" ]]
	run -0 "$WS" list-filesystems "$POOL/u"
	run -1 "$WS" exists "$POOL/u/other"
	wait $holder
	run -0 "$WS" exists "$POOL/u/slow"
	# now free: it goes through
	run -0 "$WS" -w 1 create-fs "$POOL/u/other" -u 1 -g 1
}

@test "mutating commands need root (77); queries do not" {
	run -77 --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "$WS" create-fs "$POOL/u/nr" -u 1 -g 1
	[ "$stderr" = "warpstor: create-fs: must be run as root" ]
	run -1 "$WS" exists "$POOL/u/nr"
}

@test "a chown that fails (the clone made read-only under us) rolls back" {
	real=$(command -v zfs)
	w="$BATS_TEST_TMPDIR/zfs-ro"
	cat > "$w" <<-WRAP
	#!/bin/sh
	'$real' "\$@" || exit \$?
	if [ "\$1" = clone ]; then
		eval last=\\\${\$#}
		'$real' set readonly=on "\$last"
	fi
	WRAP
	chmod +x "$w"
	ws_state_logical > "$BATS_TEST_TMPDIR/before"
	WARPSTOR_ZFS=$w run -69 --separate-stderr "$WS" clone "$POOL/golden@v1" "$POOL/u/rofs" -u 9 -g 9
	[[ ${stderr_lines[0]} == *"chown "*"Read-only file system"* ]]
	ws_state_logical > "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "a full disk under the exports file rolls back" {
	"$WS" create-fs "$POOL/u/full1" -u 1 -g 1 >/dev/null
	cp /etc/exports.d/warpstor.exports "$BATS_TEST_TMPDIR/saved"
	mount -t tmpfs -o size=8k wstest-full /etc/exports.d
	cp "$BATS_TEST_TMPDIR/saved" /etc/exports.d/warpstor.exports
	head -c 8192 /dev/zero > /etc/exports.d/filler 2>/dev/null || true
	ws_state_logical > "$BATS_TEST_TMPDIR/before"
	run -69 --separate-stderr "$WS" create-fs "$POOL/u/full2" -u 1 -g 1
	[[ ${stderr_lines[0]} == *"No space left on device"* ]]
	ws_state_logical > "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# the file is whole, never torn
	cmp "$BATS_TEST_TMPDIR/saved" /etc/exports.d/warpstor.exports
	umount /etc/exports.d
}

@test "a rename of the exports file that fails rolls back and leaves no temp file" {
	"$WS" create-fs "$POOL/u/ren1" -u 1 -g 1 >/dev/null
	# a mount point cannot be renamed over: rename(2) fails with EBUSY
	mount --bind /etc/exports.d/warpstor.exports /etc/exports.d/warpstor.exports
	ws_state_logical > "$BATS_TEST_TMPDIR/before"
	run -69 --separate-stderr "$WS" create-fs "$POOL/u/ren2" -u 1 -g 1
	[[ ${stderr_lines[0]} == *"busy"* ]]
	ws_state_logical > "$BATS_TEST_TMPDIR/after"
	umount /etc/exports.d/warpstor.exports
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	[ -z "$(find /etc/exports.d -name '.warpstor.exports.*')" ]
}

@test "32 mutating commands at once: each succeeds or fails cleanly, the file is never torn" {
	for i in $(seq 8); do
		"$WS" create-fs "$POOL/u/pre$i" -u 1 -g 1 >/dev/null
		"$WS" create-fs "$POOL/u/src$i" -u 1 -g 1 >/dev/null
	done
	"$WS" snapshot "$POOL/u/pre1@s" >/dev/null
	pids=()
	for i in $(seq 32); do
		case $((i % 4)) in
		0) set -- create-fs "$POOL/u/new$i" -u "$i" -g "$i" ;;
		1) set -- clone "$POOL/golden@v1" "$POOL/u/cl$i" -u "$i" -g "$i" ;;
		2) set -- export "$POOL/u/pre$((i / 4 + 1))" --clients "10.1.$i.0/24" ;;
		3) set -- rename "$POOL/u/src$((i / 4 + 1))" "$POOL/u/mv$i" ;;
		esac
		"$WS" -w 2 "$@" > "$BATS_TEST_TMPDIR/c$i.out" 2>&1 &
		pids+=($!)
		echo "$*" > "$BATS_TEST_TMPDIR/c$i.cmd"
	done
	# queries keep answering while mutations hold the lock
	for _ in 1 2 3; do run -0 "$WS" list-filesystems "$POOL/u/*"; done
	ok=0 busy=0
	for i in $(seq 32); do
		rc=0
		wait "${pids[$((i - 1))]}" || rc=$?
		case $rc in
		0) ok=$((ok + 1)) ;;
		75) busy=$((busy + 1)) ;;
		*) echo "command $i ($(cat "$BATS_TEST_TMPDIR/c$i.cmd")): exit $rc"; cat "$BATS_TEST_TMPDIR/c$i.out"; false ;;
		esac
	done
	echo "# 32 concurrent: $ok succeeded, $busy gave up on the lock (75)" >&3
	[ $((ok + busy)) -eq 32 ]
	[ "$ok" -ge 1 ]
	# the final state is the sum of the commands that succeeded (the
	# loop variable is not i: bats' run uses that name)
	for c in $(seq 32); do
		out=$(cat "$BATS_TEST_TMPDIR/c$c.out")
		won=no
		grep -q 'lock .* is held' "$BATS_TEST_TMPDIR/c$c.out" || won=yes
		k=$((c / 4 + 1))
		case $((c % 4)) in
		0|1)
			name=$POOL/u/new$c
			[ $((c % 4)) -eq 1 ] && name=$POOL/u/cl$c
			if [ $won = yes ]; then
				[ "$out" = "$name" ]
				grep -q "^$WSTEST_BASE/$name \*(" /etc/exports.d/warpstor.exports
			else
				run -1 "$WS" exists "$name"
			fi ;;
		2)
			if [ $won = yes ]; then
				[ "$(zfs get -H -s local -o value warpstor:clients "$POOL/u/pre$k")" = "10.1.$c.0/24" ]
			fi ;;
		3)
			if [ $won = yes ]; then
				run -1 "$WS" exists "$POOL/u/src$k"
				grep -q "^$POOLMNT/u/mv$c \*(" /etc/exports.d/warpstor.exports
			else
				run -0 "$WS" exists "$POOL/u/src$k"
			fi ;;
		esac
	done
	run ! grep -v -E '^(#.*|/[^ ]+( [^ ()]+\([a-z_=0-9,:-]+,fsid=[0-9a-f-]{36}\))+)$' /etc/exports.d/warpstor.exports
	run -0 "$WS" -n sync-exports
	assert_output ""
}

# An exportfs that passes every call through, but on the one that
# exports several CLIENT:PATH from the file (no option first) does $1:
# "drop" leaves the last argument out, "kill" kills warpstor (kill -9)
# once the call is done; with $2 = fail, an exportfs -i -o fails after that.
batch_wrapper() {
	local real w
	real=$(command -v exportfs)
	w="$BATS_TEST_TMPDIR/exportfs-batch-$1$2"
	: > "$BATS_TEST_TMPDIR/batch.calls"
	cat > "$w" <<-WRAP
	#!/bin/bash
	printf '%s\n' "\$*" >> '$BATS_TEST_TMPDIR/batch.calls'
	case "\$1" in
	-i) [ "$2" = fail ] && { echo "injected failure" >&2; exit 1; } ;;
	-*) ;;
	*)
		if [ "$1" = drop ]; then
			exec '$real' "\${@:1:\$((\$# - 1))}"
		fi
		'$real' "\$@"
		kill -9 \$PPID
		exit 0 ;;
	esac
	exec '$real' "\$@"
	WRAP
	chmod +x "$w"
	echo "$w"
}

@test "sync-exports: one exportfs for many; what it misses gets its own -o; a failure rolls all back" {
	for k in 1 2 3; do "$WS" create-fs "$POOL/u/b$k" -u 1 -g 1 --clients 10.0.0.1 >/dev/null; done
	ws_live > "$BATS_TEST_TMPDIR/live.good"
	cp /etc/exports.d/warpstor.exports "$BATS_TEST_TMPDIR/file.good"
	rm /etc/exports.d/warpstor.exports
	exportfs -ua
	ws_state_logical > "$BATS_TEST_TMPDIR/before"
	# the batch exports all but its last; the check finds it missing
	run -0 env WARPSTOR_EXPORTFS="$(batch_wrapper drop)" "$WS" sync-exports
	assert_line "export 10.0.0.1:$POOLMNT/u/b3"
	last=$(grep -v '^-' "$BATS_TEST_TMPDIR/batch.calls" | awk '{ print $NF }')
	fsid=$(ws_fsid "$POOL/${last#*:"$POOLMNT"/}")
	found=no
	while read -r l; do [[ $l == "-i -o "*",fsid=$fsid $last" ]] && found=yes; done < "$BATS_TEST_TMPDIR/batch.calls"
	[ "$found" = yes ]
	[ "$(wc -l < "$BATS_TEST_TMPDIR/batch.calls")" -eq 4 ]
	ws_live | diff "$BATS_TEST_TMPDIR/live.good" -
	diff "$BATS_TEST_TMPDIR/file.good" /etc/exports.d/warpstor.exports
	# the same with that exportfs -o failing: the batch is undone too
	rm /etc/exports.d/warpstor.exports
	exportfs -ua
	run -69 env WARPSTOR_EXPORTFS="$(batch_wrapper drop fail)" "$WS" sync-exports
	ws_state_logical > "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# killed right after the batch: recover withdraws all it exported
	run -137 env WARPSTOR_EXPORTFS="$(batch_wrapper kill)" "$WS" sync-exports
	run -0 "$WS" recover
	ws_state_logical > "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	run -0 "$WS" sync-exports
	ws_live | diff "$BATS_TEST_TMPDIR/live.good" -
}
