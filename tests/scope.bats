#!/usr/bin/env bats
# A command reads only the pool it is about: another pool's datasets,
# however many and however busy, never cost it a call or fail it.

load helper

setup_file() {
	ws_setup_pool
	export OTHER="${POOL}_o" OTHER_MNT="$WSTEST_BASE/${POOL}_o"
	ws_second_pool "$OTHER" 128M
	zfs create "$POOL/golden"
	echo gold > "$POOLMNT/golden/file"
	zfs snapshot "$POOL/golden@v1"
	zfs create "$POOL/u"
	zfs create "$OTHER/x"
	zfs snapshot "$OTHER/x@s"
}

teardown_file() {
	ws_teardown_pool "$OTHER"
	ws_teardown_pool
}

# Every zfs get and zfs list in the call log names datasets, and each
# one is in $POOL: none reads every pool, none names another.
ws_calls_in_pool() {
	local line w verb pos n bad=0
	while read -r line; do
		# shellcheck disable=SC2086
		set -- $line
		verb=$1
		shift
		case $verb in get|list) ;; *) continue ;; esac
		pos=0 n=0
		while [ $# -gt 0 ]; do
			w=$1
			shift
			case $w in
			-o|-t|-d|-s|-S) shift; continue ;;
			-*) continue ;;
			esac
			pos=$((pos + 1))
			# zfs get's first operand is its property list
			[ "$verb" = get ] && [ "$pos" -eq 1 ] && continue
			n=$((n + 1))
			case $w in
			"$POOL"|"$POOL"/*|"$POOL"@*) ;;
			*) echo "names another pool: $line" >&2; bad=1 ;;
			esac
		done
		if [ "$n" -eq 0 ]; then
			echo "reads every pool: $line" >&2
			bad=1
		fi
	done < "$1"
	return "$bad"
}

@test "replace, export, rename and destroy name only their own pool in every zfs get and list" {
	"$WS" clone "$POOL/golden@v1" "$POOL/u/a" -u 1 -g 1 >/dev/null
	"$WS" snapshot "$POOL/u/a@one" >/dev/null
	log="$BATS_TEST_TMPDIR/zfs.calls"
	ws_count_calls run -0 "$WS" replace "$POOL/u/a" "$POOL/golden@v1"
	ws_calls_in_pool "$log"
	ws_count_calls run -0 "$WS" unexport "$POOL/u/a"
	ws_count_calls run -0 "$WS" export "$POOL/u/a"
	ws_calls_in_pool "$log"
	ws_count_calls run -0 "$WS" rename "$POOL/u/a" "$POOL/u/b"
	ws_calls_in_pool "$log"
	ws_count_calls run -0 "$WS" -n destroy -R "$POOL/golden"
	ws_calls_in_pool "$log"
	ws_count_calls run -0 "$WS" destroy -r "$POOL/u/b"
	ws_calls_in_pool "$log"
	run -1 "$WS" exists "$POOL/u/b"
	# the other pool's export is still the other pool's business
	run -0 zfs list -H -o name "$OTHER/x@s"
}

@test "export keeps its fsid unique against the exports file and the live table, without reading pools" {
	"$WS" create-fs "$POOL/u/f1" -u 1 -g 1 >/dev/null
	fsid=$(ws_fsid "$POOL/u/f1")
	zfs create "$POOL/u/f2"
	zfs set "warpstor:fsid=$fsid" "$POOL/u/f2"
	ws_state_logical > "$BATS_TEST_TMPDIR/before"
	run -65 --separate-stderr "$WS" export "$POOL/u/f2"
	[[ $stderr == *"$fsid is $POOL/u/f1's too"* ]]
	ws_state_logical > "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# its own fsid again, at its own path: kept
	run -0 "$WS" unexport "$POOL/u/f1"
	run -0 "$WS" export "$POOL/u/f1"
	[ "$(ws_fsid "$POOL/u/f1")" = "$fsid" ]
	"$WS" destroy "$POOL/u/f1" >/dev/null
	ws_zap "$POOL/u/f2"
}

@test "rename across pools is 65 before any step, -n too; a permanent zfs error is never retried" {
	"$WS" create-fs "$POOL/u/xp" -u 1 -g 1 >/dev/null
	ws_state_logical > "$BATS_TEST_TMPDIR/before"
	ws_count_calls run -65 --separate-stderr "$WS" -n rename "$POOL/u/xp" "$OTHER/xp"
	[[ $stderr == *"different pools"* ]]
	ws_count_calls run -65 --separate-stderr "$WS" rename "$POOL/u/xp" "$OTHER/xp"
	[[ $stderr == *"different pools"* ]]
	[ "$ZFS_CALLS" -eq 0 ]
	[ "$EXPORTFS_CALLS" -eq 0 ]
	ws_state_logical > "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# a zfs refusal that is not "busy" is tried once: the rename of a
	# snapshot (zfs list, zfs list, zfs rename) refused at its third call
	"$WS" snapshot "$POOL/u/xp@a" >/dev/null
	w=$(ws_failing 3)
	run -69 env WARPSTOR_ZFS="$w" "$WS" rename "$POOL/u/xp@a" "$POOL/u/xp@b"
	[ "$(cat "$BATS_TEST_TMPDIR/zfs-fail-3.state.count")" -eq 3 ]
	run -0 "$WS" snapshot-exists "$POOL/u/xp@a"
	"$WS" destroy -r "$POOL/u/xp" >/dev/null
}

@test "churn in another pool never fails clone, replace, -n destroy or destroy here (50 rounds)" {
	stop="$BATS_TEST_TMPDIR/stop"
	# Datasets come and go, never mounted: zfs-fuse's daemon can hang
	# for good on two mounts at once (one of them warpstor's), which
	# OpenZFS does not; what is tested is the listing, not the mounts.
	(
		i=0
		while [ ! -e "$stop" ]; do
			i=$((i + 1))
			zfs create -o canmount=off "$OTHER/c$i" 2>/dev/null
			zfs create -o canmount=off "$OTHER/c$i/k" 2>/dev/null
			zfs destroy -r "$OTHER/c$i" 2>/dev/null
		done
	) &
	churn=$!
	fails=0
	for r in $(seq 50); do
		out=$( {
			"$WS" clone "$POOL/golden@v1" "$POOL/u/ch" -u 1 -g 1 &&
			"$WS" replace "$POOL/u/ch" "$POOL/golden@v1" &&
			"$WS" -n destroy -r "$POOL/u" >/dev/null &&
			"$WS" -n destroy -R "$POOL/golden" >/dev/null &&
			"$WS" destroy "$POOL/u/ch"
		} 2>&1 >/dev/null) || { fails=$((fails + 1)); echo "round $r: $out" >&3; ws_zap "$POOL/u/ch"; }
	done
	touch "$stop"
	wait "$churn" || true
	echo "failures: $fails" >&3
	[ "$fails" -eq 0 ]
}

@test "status POOL and sync-exports POOL read only POOL; the other pool's lines, live exports and fsids stay its own" {
	"$WS" create-fs "$POOL/u/s1" -u 1 -g 1 --clients 10.6.0.1 >/dev/null
	"$WS" create-fs "$OTHER/s2" -u 1 -g 1 --clients 10.6.0.2 >/dev/null
	log="$BATS_TEST_TMPDIR/zfs.calls"
	ws_count_calls run -0 "$WS" status "$POOL"
	ws_calls_in_pool "$log"
	# both lines gone from the file and the live table: sync-exports
	# POOL puts back POOL's alone, in one read of POOL
	rm /etc/exports.d/warpstor.exports
	exportfs -ua
	ws_count_calls run -0 "$WS" sync-exports "$POOL"
	ws_calls_in_pool "$log"
	assert_line "export 10.6.0.1:$POOLMNT/u/s1"
	refute_line --partial "$OTHER"
	run -0 grep -vc '^#' /etc/exports.d/warpstor.exports
	[ "$output" -eq 1 ]	# s1's line
	run -1 grep -F "/$OTHER/" /etc/exports.d/warpstor.exports
	[ -z "$(ws_live | grep -F "/$OTHER/")" ]
	run -0 "$WS" sync-exports
	assert_line "export 10.6.0.2:$OTHER_MNT/s2"
	cp /etc/exports.d/warpstor.exports "$BATS_TEST_TMPDIR/both"
	# then POOL's again leaves the other pool's line and export as they are
	run -0 "$WS" sync-exports "$POOL"
	assert_output ""
	diff "$BATS_TEST_TMPDIR/both" /etc/exports.d/warpstor.exports
	# an fsid the other pool's export holds is not taken by POOL's
	"$WS" create-fs "$POOL/u/s3" -u 1 -g 1 --clients 10.6.0.3 >/dev/null
	zfs set "warpstor:fsid=$(ws_fsid "$OTHER/s2")" "$POOL/u/s3"
	run -0 --separate-stderr "$WS" sync-exports "$POOL"
	[[ $stderr == *"$POOL/u/s3: warpstor:fsid $(ws_fsid "$OTHER/s2") is $OTHER/s2's already; not exported"* ]]
	run -1 grep -F "$POOLMNT/u/s3 " /etc/exports.d/warpstor.exports
	grep -qF "$OTHER_MNT/s2 " /etc/exports.d/warpstor.exports
	[ -z "$(ws_live | grep -F "$POOLMNT/u/s3")" ]
	"$WS" destroy "$POOL/u/s3" >/dev/null
	# a rename by hand: what POOL's dataset left at its old path (file
	# and live table) goes, the other pool's stays
	fsid=$(ws_fsid "$POOL/u/s1")
	# (zfs-fuse renames nothing mounted, and says busy for seconds after
	# an unmount)
	for _ in $(seq 40); do
		zfs umount "$POOL/u/s1" 2>/dev/null || true
		zfs rename "$POOL/u/s1" "$POOL/u/s5" 2>/dev/null && break
		sleep 0.5
	done
	run -0 zfs list -H -o name "$POOL/u/s5"
	[ "$(zfs get -H -o value mounted "$POOL/u/s5")" = yes ] || zfs mount "$POOL/u/s5"
	# zfs-fuse's rename withdraws the old path's live export; OpenZFS's
	# leaves it: as there
	if [ -z "$(ws_live | grep -F "$POOLMNT/u/s1 ")" ]; then
		mkdir -p "$POOLMNT/u/s1"
		exportfs -i -o "rw,mp,fsid=$fsid" "10.6.0.1:$POOLMNT/u/s1"
	fi
	run -0 "$WS" sync-exports "$POOL"
	assert_line "unexport 10.6.0.1:$POOLMNT/u/s1"
	assert_line "export 10.6.0.1:$POOLMNT/u/s5"
	run -1 grep -F "$POOLMNT/u/s1 " /etc/exports.d/warpstor.exports
	grep -F "$POOLMNT/u/s5 " /etc/exports.d/warpstor.exports | grep -qF "fsid=$fsid"
	[ -z "$(ws_live | grep -F "$POOLMNT/u/s1")" ]
	[ -n "$(ws_live | grep -F "$POOLMNT/u/s5")" ]
	grep -qF "$OTHER_MNT/s2 " /etc/exports.d/warpstor.exports
	[ -n "$(ws_live | grep -F "$OTHER_MNT/s2")" ]
	# a pool that is not: 66, but nothing to withdraw (a resource
	# agent's stop after the pool went); nothing changed either way
	cp /etc/exports.d/warpstor.exports "$BATS_TEST_TMPDIR/before"
	run -66 "$WS" sync-exports "${POOL}_none"
	assert_output "warpstor: sync-exports: ${POOL}_none: does not exist"
	run -0 "$WS" sync-exports --withdraw "${POOL}_none"
	assert_output ""
	diff "$BATS_TEST_TMPDIR/before" /etc/exports.d/warpstor.exports
	"$WS" destroy "$POOL/u/s5" >/dev/null
	"$WS" destroy "$OTHER/s2" >/dev/null
}
