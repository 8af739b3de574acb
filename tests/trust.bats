#!/usr/bin/env bats
# Nothing read from outside is trusted: ZFS property values (anyone with
# zfs allow ... userprop sets them, a zfs receive brings them), the
# journal, the lock and the configuration are checked as strictly as
# the command line, and one bad dataset fails only itself.

load helper

setup_file() {
	ws_setup_pool
	zfs create "$POOL/t"
	zfs create "$POOL/golden"
	echo gold > "$POOLMNT/golden/file"
	zfs snapshot "$POOL/golden@v1"
}

teardown_file() {
	ws_teardown_pool
}

# No export of the root, or of anything the properties did not name.
no_root_export() {
	run ! grep -q '^/ ' /etc/exports.d/warpstor.exports
	run ! sh -c 'exportfs -v | grep -q "^/[[:space:]]"'
}

@test "a property value that forges zfs output exports nothing it names" {
	"$WS" create-fs "$POOL/t/alice" -u 1 -g 1 >/dev/null
	zfs create "$POOL/t/evil"
	fsid=$(ws_fsid "$POOL/t/alice")
	# forges a line "POOL/t/alice mountpoint /" after evil's fsid
	zfs set "warpstor:fsid=$fsid"$'\tlocal\n'"$POOL/t/alice"$'\tmountpoint\t/' "$POOL/t/evil"
	zfs set 'warpstor:clients=*' "$POOL/t/evil"
	zfs set 'warpstor:options=rw,no_root_squash,insecure' "$POOL/t/evil"
	rm -f /etc/exports.d/warpstor.exports
	exportfs -ua
	run -0 --separate-stderr "$WS" sync-exports
	echo "$stderr"
	no_root_export
	[[ $stderr == *"$POOL/t/evil"*control* ]]
	# alice is exported where she is, with her own fsid
	grep -q "^$POOLMNT/t/alice \*(.*fsid=$fsid)" /etc/exports.d/warpstor.exports
	run -0 ws_live
	assert_line --regexp "^$POOLMNT/t/alice \*\(.*fsid=$fsid"
	refute_output --partial "$POOLMNT/t/evil"
	ws_zap "$POOL/t/evil"
}

@test "a forged line for a dataset that does not exist is never taken for one" {
	zfs create "$POOL/t/liar"
	# a whole fake dataset "POOL/t/ghost", exported at /, after liar's fsid
	fake=""
	for p in warpstor:fsid warpstor:clients warpstor:options type mountpoint mounted origin guid; do
		case $p in
		warpstor:fsid) v=11111111-2222-4333-8444-555555555555 ;;
		warpstor:clients) v='*' ;;
		warpstor:options) v=rw,no_root_squash ;;
		type) v=filesystem ;;
		mountpoint) v=/ ;;
		mounted) v=yes ;;
		origin) v=- ;;
		guid) v=42 ;;
		esac
		fake="$fake"$'\n'"$POOL/t/ghost"$'\t'"$p"$'\t'"$v"$'\t'local
	done
	zfs set "warpstor:fsid=22222222-2222-4333-8444-555555555555"$'\tlocal'"$fake"$'\n'"$POOL/t/liar"$'\twarpstor:fsid\tx' "$POOL/t/liar"
	zfs set 'warpstor:clients=*' "$POOL/t/liar"
	run -0 --separate-stderr "$WS" sync-exports
	echo "$stderr"
	no_root_export
	run ! grep -q ghost /etc/exports.d/warpstor.exports
	run -0 "$WS" list-filesystems "$POOL/t/*"
	refute_output --partial ghost
	run -0 "$WS" -j list-filesystems
	refute_output --partial ghost
	ws_zap "$POOL/t/liar"
}

@test "one dataset with a stray tab fails only itself: destroy, replace, listings and sync go on" {
	"$WS" clone "$POOL/golden@v1" "$POOL/t/ok1" -u 1 -g 1 >/dev/null
	"$WS" clone "$POOL/golden@v1" "$POOL/t/ok2" -u 1 -g 1 >/dev/null
	zfs create "$POOL/t/tab"
	zfs set warpstor:clients=$'10.0.0.1\t10.0.0.2' "$POOL/t/tab"
	zfs set warpstor:fsid=33333333-2222-4333-8444-555555555555 "$POOL/t/tab"
	run -0 --separate-stderr "$WS" -j list-filesystems
	[[ $stderr == *"$POOL/t/tab"* ]]
	assert_output --partial "\"$POOL/t/ok1\""
	refute_output --partial "\"$POOL/t/tab\""
	run -0 "$WS" replace "$POOL/t/ok1" "$POOL/golden@v1" -u 2 -g 2
	[ "$(stat -c %u "$POOLMNT/t/ok1/file")" = 2 ]
	run -0 "$WS" destroy "$POOL/t/ok2"
	run -1 "$WS" exists "$POOL/t/ok2"
	run -0 "$WS" sync-exports
	grep -q "^$POOLMNT/t/ok1 " /etc/exports.d/warpstor.exports
	run ! grep -q "$POOLMNT/t/tab" /etc/exports.d/warpstor.exports
	# the bad one itself: named, with the documented code
	run -65 --separate-stderr "$WS" info "$POOL/t/tab"
	[[ $stderr == *"$POOL/t/tab"*control* ]]
	ws_zap "$POOL/t/tab"
}
