#!/usr/bin/env bats
# export, unexport, sync-exports and list-exports (src/cmd/export.c), and
# vfsid: the properties are the truth, the exports file and the live
# table follow them.

load helper

setup_file() {
	ws_setup_pool
	zfs create "$POOL/e"
}

teardown_file() {
	ws_teardown_pool
}

@test "export: an existing dataset gets a fsid, the file and the live table" {
	zfs create "$POOL/e/plain"
	ws_count_calls run -0 "$WS" export "$POOL/e/plain" --clients 10.2.0.0/16
	fsid=$(ws_fsid "$POOL/e/plain")
	[[ $fsid =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]
	[ "$(zfs get -H -s local -o value warpstor:clients "$POOL/e/plain")" = 10.2.0.0/16 ]
	grep -qx "$POOLMNT/e/plain 10.2.0.0/16(rw,sync,no_subtree_check,root_squash,mp,fsid=$fsid)" /etc/exports.d/warpstor.exports
	run -0 ws_live
	assert_line --regexp "^$POOLMNT/e/plain 10.2.0.0/16\(.*fsid=$fsid"
	[ "$EXPORTFS_CALLS" -eq 1 ]
	run -0 "$WS" vfsid "$POOL/e/plain"
	assert_output "$fsid"
}

@test "every export carries mp: an unmounted dataset never exports the folder underneath; sync-exports adds it to an old export" {
	"$WS" create-fs "$POOL/e/mpd" -u 1 -g 1 --clients 10.5.0.1 >/dev/null
	fsid=$(ws_fsid "$POOL/e/mpd")
	grep -qx "$POOLMNT/e/mpd 10.5.0.1(rw,sync,no_subtree_check,root_squash,mp,fsid=$fsid)" /etc/exports.d/warpstor.exports
	run -0 ws_live
	assert_line --regexp "^$POOLMNT/e/mpd 10.5.0.1\(.*mountpoint"
	# an export made before mp (by an older warpstor): sync-exports
	# makes it again with mp
	exportfs -u "10.5.0.1:$POOLMNT/e/mpd"
	exportfs -i -o "rw,sync,no_subtree_check,root_squash,fsid=$fsid" "10.5.0.1:$POOLMNT/e/mpd"
	run -0 ws_live
	refute_line --regexp "^$POOLMNT/e/mpd 10.5.0.1\(.*mountpoint"
	run -0 "$WS" sync-exports "$POOL"
	run -0 ws_live
	assert_line --regexp "^$POOLMNT/e/mpd 10.5.0.1\(.*mountpoint.*"
	assert_line --regexp "^$POOLMNT/e/mpd 10.5.0.1\(.*fsid=$fsid"
	# the file's line reads back with the options as given, mp once
	run -0 "$WS" list-exports "$POOLMNT/e/mpd"
	run -0 "$WS" -j info "$POOL/e/mpd"
	assert_output --partial '"options":"rw,sync,no_subtree_check,root_squash"'
	# options that say mp themselves get it once
	run -0 "$WS" export "$POOL/e/mpd" --export-options rw,sync,mp
	grep -qx "$POOLMNT/e/mpd 10.5.0.1(rw,sync,mp,fsid=$fsid)" /etc/exports.d/warpstor.exports
	"$WS" destroy "$POOL/e/mpd" >/dev/null
}

@test "unexport keeps the fsid; a later export reuses it" {
	fsid=$(ws_fsid "$POOL/e/plain")
	run -0 "$WS" unexport "$POOL/e/plain"
	[ "$(ws_fsid "$POOL/e/plain")" = "$fsid" ]
	[ -z "$(zfs get -H -s local -o value warpstor:clients "$POOL/e/plain")" ]
	run ! grep -q "$POOLMNT/e/plain " /etc/exports.d/warpstor.exports
	run -0 ws_live
	refute_output --partial "$POOLMNT/e/plain "
	run -66 "$WS" vfsid "$POOL/e/plain"
	run -66 --separate-stderr "$WS" unexport "$POOL/e/plain"
	[ "$stderr" = "warpstor: unexport: $POOL/e/plain: not exported" ]
	run -0 "$WS" export "$POOL/e/plain" --clients 10.3.0.1
	[ "$(ws_fsid "$POOL/e/plain")" = "$fsid" ]
	run -0 ws_live
	assert_line --regexp "^$POOLMNT/e/plain 10.3.0.1\(.*fsid=$fsid"
}

@test "export again with other clients: the old ones go, the fsid stays" {
	fsid=$(ws_fsid "$POOL/e/plain")
	run -0 "$WS" export "$POOL/e/plain" --clients 10.4.0.1,10.4.0.2 --export-options ro,sync,no_subtree_check
	run -0 ws_live
	refute_output --partial "10.3.0.1("
	assert_line --regexp "^$POOLMNT/e/plain 10.4.0.1\(.*fsid=$fsid"
	assert_line --regexp "^$POOLMNT/e/plain 10.4.0.2\(.*fsid=$fsid"
	grep -qx "$POOLMNT/e/plain 10.4.0.1(ro,sync,no_subtree_check,mp,fsid=$fsid) 10.4.0.2(ro,sync,no_subtree_check,mp,fsid=$fsid)" /etc/exports.d/warpstor.exports
}

@test "export: bad input, a missing dataset, no clients anywhere" {
	ws_state_logical > "$BATS_TEST_TMPDIR/before"
	run -66 "$WS" export "$POOL/e/none" --clients 10.0.0.1
	run -65 "$WS" export "$POOL/e/plain" --clients '10.0.0.1(rw'
	run -65 "$WS" export "$POOL/e/plain" --clients '10.0.0.1(bogus)'
	run -65 "$WS" export "$POOL/e/plain" --clients '*' --export-options 'rw,no_root_squash)'
	run -65 "$WS" export "$POOL/e/plain" --export-options 'fsid=1'
	run -64 "$WS" export "$POOL/e/plain" --clients
	zfs create "$POOL/e/noclients"
	ws_state_logical > "$BATS_TEST_TMPDIR/before"
	sed -i '/^export_clients/d' "$WARPSTOR_CONFIG"
	run -78 "$WS" export "$POOL/e/noclients"
	ws_config
	ws_state_logical > "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "sync-exports: rebuilds a lost file and live table from the properties" {
	"$WS" create-fs "$POOL/e/s1" -u 1 -g 1 >/dev/null
	"$WS" create-fs "$POOL/e/s2" -u 1 -g 1 --clients 10.5.0.1 >/dev/null
	cp /etc/exports.d/warpstor.exports "$BATS_TEST_TMPDIR/good"
	ws_live > "$BATS_TEST_TMPDIR/live.good"
	rm /etc/exports.d/warpstor.exports
	exportfs -ua
	# snapshots are never visited: a query of every filesystem, then
	# exportfs -v, one exportfs of every missing CLIENT:PATH (options
	# and fsid from the file just written), and exportfs -v to check
	for n in 1 2 3; do zfs snapshot "$POOL/e/s1@k$n"; done
	ws_count_calls run -0 "$WS" sync-exports
	assert_line "export 10.5.0.1:$POOLMNT/e/s2"
	[ "$ZFS_CALLS" -eq "$(ws_fs_query_calls)" ]
	[ "$EXPORTFS_CALLS" -eq 3 ]
	sed -n 's/^export //p' <<< "$output" | tr '\n' ' ' | sed 's/ $//' > "$BATS_TEST_TMPDIR/specs"
	[ "$(grep -c . "$BATS_TEST_TMPDIR/specs")" -eq 1 ]
	diff <(printf -- '-v\n%s\n-v\n' "$(cat "$BATS_TEST_TMPDIR/specs")") "$BATS_TEST_TMPDIR/exportfs.calls"
	run ! grep -q @ "$BATS_TEST_TMPDIR/zfs.calls"
	run -0 "$WS" sync-exports
	assert_output ""
	rm /etc/exports.d/warpstor.exports
	exportfs -ua
	run -0 "$WS" sync-exports
	assert_line "write /etc/exports.d/warpstor.exports"
	assert_line "export *:$POOLMNT/e/s1"
	assert_line "export 10.5.0.1:$POOLMNT/e/s2"
	diff "$BATS_TEST_TMPDIR/good" /etc/exports.d/warpstor.exports
	ws_live | diff "$BATS_TEST_TMPDIR/live.good" -
	# a second run has nothing to do
	run -0 "$WS" sync-exports
	assert_output ""
}

@test "sync-exports: withdraws what warpstor exported that no property names" {
	# the properties go behind warpstor's back
	zfs inherit warpstor:clients "$POOL/e/s1"
	run -0 "$WS" -j sync-exports
	assert_output "{\"changes\":[{\"action\":\"write\",\"client\":null,\"path\":\"/etc/exports.d/warpstor.exports\"},{\"action\":\"unexport\",\"client\":\"*\",\"path\":\"$POOLMNT/e/s1\"}]}"
	run ! grep -q "$POOLMNT/e/s1 " /etc/exports.d/warpstor.exports
	run -0 ws_live
	refute_output --partial "$POOLMNT/e/s1 "
	assert_output --partial "$POOLMNT/e/s2 "
}

@test "sync-exports: leaves exports it did not make alone" {
	mkdir -p "$BATS_TEST_TMPDIR/other"
	exportfs -o ro,no_subtree_check "10.7.7.7:$BATS_TEST_TMPDIR/other"
	run -0 "$WS" sync-exports
	run -0 ws_live
	assert_output --partial "$BATS_TEST_TMPDIR/other 10.7.7.7("
	exportfs -u "10.7.7.7:$BATS_TEST_TMPDIR/other"
}

@test "sync-exports: a hand-set property exportfs would refuse leaves that dataset out, the rest goes on" {
	zfs create -o warpstor:fsid= -o warpstor:clients=10.0.0.1 "$POOL/e/badfsid"
	zfs create -o warpstor:fsid="$(cat /proc/sys/kernel/random/uuid)" \
		-o warpstor:clients='10.0.0.1(rw' "$POOL/e/badclients"
	"$WS" create-fs "$POOL/e/good" -u 1 -g 1 >/dev/null
	exportfs -ua
	run -0 --separate-stderr "$WS" sync-exports
	[[ $stderr == *"warpstor: sync-exports: $POOL/e/badfsid: bad warpstor:fsid '' (not a UUID); left out: not exported"* ]]
	[[ $stderr == *"warpstor: sync-exports: $POOL/e/badclients: "*"; left out: not exported"* ]]
	[ "$(grep -c 'not exported' <<< "$stderr")" -eq 2 ]
	run -0 ws_live
	assert_output --partial "$POOLMNT/e/good "
	refute_output --partial "$POOLMNT/e/bad"
	run ! grep -q "$POOLMNT/e/bad" /etc/exports.d/warpstor.exports
	"$WS" destroy "$POOL/e/good" >/dev/null
	ws_zap "$POOL/e/badfsid"
	ws_zap "$POOL/e/badclients"
}

@test "sync-exports -n: prints the plan and changes nothing" {
	exportfs -ua
	ws_state > "$BATS_TEST_TMPDIR/before"
	run -0 "$WS" -n sync-exports
	assert_line --regexp "^exportfs (.* )?10.5.0.1:$POOLMNT/e/s2( |\$)"
	refute_line --partial "exportfs -i -o"
	ws_state > "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	run -0 "$WS" sync-exports
}

@test "a child inherits warpstor:* but is not exported by it" {
	"$WS" create-fs "$POOL/e/parent" -u 1 -g 1 >/dev/null
	zfs create "$POOL/e/parent/child"
	[ "$(zfs get -H -o source warpstor:fsid "$POOL/e/parent/child")" = "inherited from $POOL/e/parent" ]
	run -66 "$WS" vfsid "$POOL/e/parent/child"
	run -0 "$WS" sync-exports
	run ! grep -q "$POOLMNT/e/parent/child" /etc/exports.d/warpstor.exports
	run -0 "$WS" export "$POOL/e/parent/child" --clients 10.8.0.1
	[ "$(zfs get -H -o source warpstor:fsid "$POOL/e/parent/child")" = local ]
	[ "$(ws_fsid "$POOL/e/parent/child")" != "$(ws_fsid "$POOL/e/parent")" ]
}

@test "list-exports: path, dataset, clients, options, fsid, and where the export is" {
	zfs create "$POOL/le"
	"$WS" create-fs "$POOL/le/e1" -u 1 -g 1 --clients 10.0.0.1,10.0.0.2 >/dev/null
	fsid=$(zfs get -H -o value warpstor:fsid "$POOL/le/e1")
	run -0 "$WS" list-exports "$POOL/le/*"
	assert_output "$POOLMNT/le/e1	$POOL/le/e1	10.0.0.1,10.0.0.2	rw,sync,no_subtree_check,root_squash	$fsid	live+file"
	# withdrawn from the live table behind warpstor's back: file only
	exportfs -u "10.0.0.2:$POOLMNT/le/e1"
	run -0 "$WS" list-exports "$POOL/le/*"
	assert_output --regexp "	file\$"
	# and out of the file too: missing
	: > /etc/exports.d/warpstor.exports
	run -0 "$WS" list-exports "$POOL/le/*"
	assert_output --regexp "	missing\$"
	exportfs -o "rw,sync,no_subtree_check,root_squash,fsid=$fsid" "10.0.0.2:$POOLMNT/le/e1"
	run -0 "$WS" list-exports "$POOL/le/*"
	assert_output --regexp "	live\$"
	run -0 "$WS" -j list-exports "$POOL/le/*"
	assert_output "[{\"name\":\"$POOL/le/e1\",\"fsid\":\"$fsid\",\"path\":\"$POOLMNT/le/e1\",\"clients\":\"10.0.0.1,10.0.0.2\",\"options\":\"rw,sync,no_subtree_check,root_squash\",\"where\":\"live\"}]"
	run -0 "$WS" list-exports 'nomatch*'
	assert_output ""
	run -0 "$WS" sync-exports
	run -0 "$WS" list-exports "$POOL/le/*"
	assert_output --regexp "	live\\+file\$"
	"$WS" destroy "$POOL/le/e1"
	run -0 "$WS" list-exports "$POOL/le/*"
	assert_output ""
}

# live_has PATH CLIENT OPTION...: the live table exports PATH to CLIENT
# with every OPTION, in whatever order exportfs -v prints them.
live_has() {
	local path=$1 client=$2 opts o
	shift 2
	opts=$(ws_live | awk -v p="$path" -v c="$client(" '$1 == p &&
		index($2, c) == 1 { o = substr($2, length(c) + 1); sub(/\)$/, "", o); print o }')
	[ -n "$opts" ] || { echo "no live export of $path to $client"; return 1; }
	for o in "$@"; do
		tr , '\n' <<< "$opts" | grep -qx -- "$o" ||
			{ echo "$path $client($opts): no $o"; return 1; }
	done
}

@test "per-client options: one line, each client its own (or the dataset's); carried by rename, replace, sync-exports; shown as given" {
	zfs create "$POOL/pc"
	zfs snapshot "$POOL/pc@empty"
	cl='10.9.0.0/24(ro,root_squash),10.9.1.5(rw,no_root_squash),10.9.2.1'
	run -0 "$WS" create-fs "$POOL/pc/a" -u 1 -g 1 --clients "$cl" --export-options rw,sync,no_subtree_check
	fsid=$(ws_fsid "$POOL/pc/a")
	[ "$(zfs get -H -s local -o value warpstor:clients "$POOL/pc/a")" = "$cl" ]
	[ "$(zfs get -H -s local -o value warpstor:options "$POOL/pc/a")" = rw,sync,no_subtree_check ]
	m="$POOLMNT/pc/a"
	grep -qx "$m 10.9.0.0/24(ro,root_squash,mp,fsid=$fsid) 10.9.1.5(rw,no_root_squash,mp,fsid=$fsid) 10.9.2.1(rw,sync,no_subtree_check,mp,fsid=$fsid)" /etc/exports.d/warpstor.exports
	run -0 ws_live
	# exportfs -v orders the options its own way, and adds its defaults
	live_has "$m" 10.9.0.0/24 ro root_squash "fsid=$fsid"
	live_has "$m" 10.9.1.5 rw no_root_squash "fsid=$fsid"
	live_has "$m" 10.9.2.1 rw root_squash "fsid=$fsid"
	run -0 "$WS" list-exports "$POOL/pc/*"
	assert_output "$m	$POOL/pc/a	$cl	rw,sync,no_subtree_check	$fsid	live+file"
	run -0 "$WS" -j info "$POOL/pc/a"
	assert_output --partial "\"clients\":\"$cl\""
	# from scratch: sync-exports makes the same table
	exportfs -ua
	: > /etc/exports.d/warpstor.exports
	run -0 "$WS" sync-exports
	grep -qx "$m 10.9.0.0/24(ro,root_squash,mp,fsid=$fsid) 10.9.1.5(rw,no_root_squash,mp,fsid=$fsid) 10.9.2.1(rw,sync,no_subtree_check,mp,fsid=$fsid)" /etc/exports.d/warpstor.exports
	run -0 ws_live
	live_has "$m" 10.9.0.0/24 ro root_squash
	live_has "$m" 10.9.1.5 rw no_root_squash
	# and again: nothing to do
	run -0 "$WS" sync-exports
	assert_output ""
	# rename and replace carry them
	run -0 "$WS" rename "$POOL/pc/a" "$POOL/pc/b"
	[ "$(zfs get -H -s local -o value warpstor:clients "$POOL/pc/b")" = "$cl" ]
	grep -qx "$POOLMNT/pc/b 10.9.0.0/24(ro,root_squash,mp,fsid=$fsid) 10.9.1.5(rw,no_root_squash,mp,fsid=$fsid) 10.9.2.1(rw,sync,no_subtree_check,mp,fsid=$fsid)" /etc/exports.d/warpstor.exports
	run -0 "$WS" replace "$POOL/pc/b" "$POOL/pc@empty" -u 1 -g 1
	[ "$(zfs get -H -s local -o value warpstor:clients "$POOL/pc/b")" = "$cl" ]
	run -0 ws_live
	live_has "$POOLMNT/pc/b" 10.9.0.0/24 ro root_squash "fsid=$fsid"
	refute_output --partial "$m "
	# export anew with other per-client options: the old client's spec goes
	run -0 "$WS" export "$POOL/pc/b" --clients '10.9.3.3(ro)'
	run -0 ws_live
	live_has "$POOLMNT/pc/b" 10.9.3.3 ro
	refute_output --partial "10.9.1.5"
	run -0 "$WS" unexport "$POOL/pc/b"
	run ! grep -q "$POOLMNT/pc/b" /etc/exports.d/warpstor.exports
}

@test "per-client options are checked as --export-options are: 65, nothing changed" {
	ws_state_logical > "$BATS_TEST_TMPDIR/before"
	run -65 --separate-stderr "$WS" create-fs "$POOL/pcbad" -u 1 -g 1 --clients '10.0.0.1(rw,fsid=7)'
	[[ $stderr == *"fsid is chosen and kept by warpstor"* ]]
	run -65 "$WS" create-fs "$POOL/pcbad" -u 1 -g 1 --clients '10.0.0.1(bogus)'
	run -65 "$WS" create-fs "$POOL/pcbad" -u 1 -g 1 --clients '10.0.0.1(ro'
	run -65 "$WS" create-fs "$POOL/pcbad" -u 1 -g 1 --clients '10.0.0.1(ro)x'
	run -65 "$WS" create-fs "$POOL/pcbad" -u 1 -g 1 --clients '10.0.0.1(ro rw)'
	ws_state_logical > "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# a hand-set warpstor:clients with a bad entry fails only that dataset
	zfs create "$POOL/pch"
	zfs set warpstor:fsid=0b4d6a2e-1c3f-4e5a-9b7c-123456789abc "$POOL/pch"
	zfs set 'warpstor:clients=10.0.0.1(rw,fsid=1)' "$POOL/pch"
	run -0 --separate-stderr "$WS" sync-exports
	[[ $stderr == *"$POOL/pch"*"left out"* ]]
	run ! grep -q "$POOLMNT/pch " /etc/exports.d/warpstor.exports
	ws_zap "$POOL/pch"
}
