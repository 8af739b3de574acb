#!/usr/bin/env bats
# filtered-clone (src/cmd/create.c, src/fs/filter.c): a clone with what
# the filter matches removed, the rest owned by UID:GID, exported.

load helper

setup_file() {
	ws_setup_pool
	ws_golden_tree
	zfs create "$POOL/u"
}

teardown_file() {
	ws_teardown_pool
}

@test "filtered-clone: matches removed (directories whole), the rest kept and owned" {
	run -0 --separate-stderr "$WS" -v filtered-clone "$POOL/golden@v1" "$POOL/u/f1" -u 10 -g 20 \
		-x 'var/log/*' -x 'home/*/.ssh'
	assert_output "$POOL/u/f1"
	[[ $stderr == *"filter $POOLMNT/u/f1: 5 entries removed"* ]]
	m="$POOLMNT/u/f1"
	[ -d "$m/var/log" ]
	[ -z "$(ls -A "$m/var/log")" ]
	[ ! -e "$m/home/alice/.ssh" ]
	[ ! -e "$m/home/bob/.ssh" ]
	[ "$(cat "$m/home/alice/notes")" = keep ]
	[ "$(cat "$m/etc/motd")" = conf ]
	[ -L "$m/home/carol" ]
	# the symlinked directory was not followed: outside is intact
	[ "$(cat "$BATS_FILE_TMPDIR/outside/.ssh/id")" = precious ]
	[ -z "$(find "$m" \( ! -uid 10 -o ! -gid 20 \) -print)" ]
	# the snapshot is untouched
	[ -e "$POOLMNT/golden/var/log/syslog" ]
	fsid=$(ws_fsid "$POOL/u/f1")
	grep -q "^$m \*(.*fsid=$fsid)" /etc/exports.d/warpstor.exports
}

@test "filtered-clone: -X files with comments, and the configured filter_file by default" {
	printf '# logs\nvar/log/*\n\n  etc/motd  \n' > "$BATS_TEST_TMPDIR/f"
	run -0 "$WS" filtered-clone "$POOL/golden@v1" "$POOL/u/f2" -u 1 -g 1 -X "$BATS_TEST_TMPDIR/f"
	[ ! -e "$POOLMNT/u/f2/etc/motd" ]
	[ ! -e "$POOLMNT/u/f2/var/log/syslog" ]
	[ -e "$POOLMNT/u/f2/home/alice/.ssh/id" ]
	printf 'data\n' > "$BATS_TEST_TMPDIR/default"
	ws_config "filter_file = $BATS_TEST_TMPDIR/default"
	run -0 "$WS" filtered-clone "$POOL/golden@v1" "$POOL/u/f3" -u 1 -g 1
	[ ! -e "$POOLMNT/u/f3/data" ]
	[ -e "$POOLMNT/u/f3/etc/motd" ]
	# a missing default filter removes nothing
	ws_config "filter_file = $BATS_TEST_TMPDIR/none"
	run -0 "$WS" filtered-clone "$POOL/golden@v1" "$POOL/u/f4" -u 1 -g 1
	[ -e "$POOLMNT/u/f4/data/file" ]
	ws_config
}

@test "filtered-clone: bad globs and filter files are refused before anything runs" {
	ws_state_logical > "$BATS_TEST_TMPDIR/before"
	run -65 "$WS" filtered-clone "$POOL/golden@v1" "$POOL/u/bad" -u 1 -g 1 -x '/etc/*'
	run -65 "$WS" filtered-clone "$POOL/golden@v1" "$POOL/u/bad" -u 1 -g 1 -x '../x'
	run -65 "$WS" filtered-clone "$POOL/golden@v1" "$POOL/u/bad" -u 1 -g 1 -x 'home/../../etc'
	run -65 "$WS" filtered-clone "$POOL/golden@v1" "$POOL/u/bad" -u 1 -g 1 -x 'a//b'
	run -65 "$WS" filtered-clone "$POOL/golden@v1" "$POOL/u/bad" -u 1 -g 1 -x ''
	run -65 "$WS" filtered-clone "$POOL/golden@v1" "$POOL/u/bad" -u 1 -g 1 -x "a"$'\n'"b"
	printf 'ok/*\n/abs\n' > "$BATS_TEST_TMPDIR/badf"
	run -65 --separate-stderr "$WS" filtered-clone "$POOL/golden@v1" "$POOL/u/bad" -u 1 -g 1 -X "$BATS_TEST_TMPDIR/badf"
	[[ $stderr == *"($BATS_TEST_TMPDIR/badf:2)" ]]
	run -66 "$WS" filtered-clone "$POOL/golden@v1" "$POOL/u/bad" -u 1 -g 1 -X "$BATS_TEST_TMPDIR/missing"
	ws_state_logical > "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "filtered-clone -n: the plan, nothing changed" {
	ws_state > "$BATS_TEST_TMPDIR/before"
	run -0 "$WS" -n filtered-clone "$POOL/golden@v1" "$POOL/u/dry" -u 1 -g 1 -x 'var/log/*'
	assert_line --index 0 --regexp "^zfs clone .* $POOL/golden@v1 $POOL/u/dry\$"
	# the paths that would go, or (where zfs hides snapshots: zfs-fuse) the glob
	if [ -d "$POOLMNT/golden/.zfs/snapshot/v1" ]; then
		assert_line "remove $POOLMNT/u/dry/var/log/syslog"
		assert_line "remove $POOLMNT/u/dry/var/log/app"
	else
		assert_line "remove $POOLMNT/u/dry/var/log/*"
	fi
	ws_state > "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}
