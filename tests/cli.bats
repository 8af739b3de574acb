#!/usr/bin/env bats
# Global options, help and usage, configuration, and how failures of zfs
# itself are reported.

load helper

setup_file() {
	ws_setup_pool
	zfs create "$POOL/a"
}

teardown_file() {
	ws_teardown_pool
}

@test "warpstor -h and help: the synopsis and every command, on stdout" {
	run -0 --separate-stderr "$WS" -h
	assert_line --index 0 --regexp '^usage: warpstor '
	for c in $("$WS" list-methods | tr , ' '); do
		assert_line --regexp "^  $c( |$)"
	done
	[ -z "$stderr" ]
	run -0 "$WS" help
	assert_line --index 0 --regexp '^usage: warpstor '
}

@test "COMMAND -h: that command's synopsis on stdout, exit 0, for every command" {
	for c in $("$WS" list-methods | tr , ' '); do
		run -0 --separate-stderr "$WS" "$c" -h
		assert_line --index 0 --regexp "^usage: warpstor $c( |$)"
		[ -z "$stderr" ]
		run -0 "$WS" "$c" --help
		run -0 "$WS" help "$c"
		assert_line --index 0 --regexp "^usage: warpstor $c( |$)"
	done
}

@test "a usage error: one reason, then the synopsis, on stderr; exit 64" {
	run -64 --separate-stderr "$WS" exists
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "warpstor: exists: missing operand" ]
	[ "${stderr_lines[1]}" = "usage: warpstor exists DATASET" ]
	run -64 --separate-stderr "$WS" list-vols extra
	[ "${stderr_lines[0]}" = "warpstor: list-vols: too many operands" ]
	run -64 --separate-stderr "$WS" frobnicate
	[ "${stderr_lines[0]}" = "warpstor: unknown command 'frobnicate'" ]
	run -64 "$WS"
}

@test "commands match exactly: no prefixes, no case folding" {
	run -64 "$WS" list-vol
	run -64 "$WS" LIST-VOLS
	run -64 "$WS" exist "$POOL/a"
}

@test "a missing zfs: 69 naming it" {
	WARPSTOR_ZFS=/nonexistent/zfs run -69 --separate-stderr "$WS" list-vols
	[[ $stderr == "warpstor: list-vols: /nonexistent/zfs: not found"* ]]
	ws_config "zfs = no-such-zfs-$$"
	run -69 --separate-stderr "$WS" exists "$POOL/a"
	[[ $stderr == "warpstor: exists: no-such-zfs-$$: not found in /usr/sbin:/usr/bin:/sbin:/bin" ]]
	ws_config
}

@test "zfs failing: 69 with the exact argv and zfs's stderr" {
	w="$BATS_TEST_TMPDIR/zfs-fail"
	printf '#!/bin/sh\necho "boom: pool is sad" >&2\nexit 2\n' > "$w"
	chmod +x "$w"
	WARPSTOR_ZFS="$w" run -69 --separate-stderr "$WS" list-snapshots
	[ -z "$output" ]
	[ "$stderr" = "warpstor: list-snapshots: \`$w list -H -o name -t snapshot -s creation -s createtxg\` failed (exit 2): boom: pool is sad" ]
	# killed by a signal
	printf '#!/bin/sh\nkill -9 $$\n' > "$w"
	WARPSTOR_ZFS="$w" run -69 --separate-stderr "$WS" used-space
	[[ $stderr == *"failed (killed by signal 9)" ]]
	# garbage instead of -H output
	printf '#!/bin/sh\necho "not tab separated"\n' > "$w"
	WARPSTOR_ZFS="$w" run -69 --separate-stderr "$WS" used-space
	[[ $stderr == "warpstor: used-space: unexpected zfs output: 'not tab separated'" ]]
}

@test "exists: a zfs error is >= 64, never 'does not exist'" {
	w="$BATS_TEST_TMPDIR/zfs-fail"
	printf '#!/bin/sh\necho "permission denied" >&2\nexit 1\n' > "$w"
	chmod +x "$w"
	WARPSTOR_ZFS="$w" run -69 "$WS" exists "$POOL/a"
}

@test "stdout that cannot be written: exit 74, not success" {
	run -74 bash -c "'$WS' list-filesystems > /dev/full"
	assert_output --partial "warpstor: list-filesystems: stdout:"
}

@test "configuration: every key accepted; -c over \$WARPSTOR_CONFIG" {
	conf="$BATS_TEST_TMPDIR/full.conf"
	cat > "$conf" <<-CONF
	# every key
	default_volume = $POOL
	export_clients = 192.168.0.0/24,host.example.com,@admins,*.lab,2001:db8::/32
	export_options = rw,sync,no_subtree_check,root_squash,sec=krb5:sys,anonuid=65534
	exports_file = /etc/exports.d/warpstor.exports
	lock_file = /run/warpstor/lock
	journal_file = /var/lib/warpstor/journal
	zfs = zfs
	exportfs = /usr/sbin/exportfs
	mode = 0750
	filter_file = /etc/warpstor/filter
	type.scratch = compression=on quota=10G
	type.home-2 = atime=off
	CONF
	run -0 "$WS" -c "$conf" used-space
	assert_output "$(zfs get -H -p -o value used "$POOL")"
	# -c wins over the environment
	printf 'default_volume = nopool\n' > "$BATS_TEST_TMPDIR/other.conf"
	WARPSTOR_CONFIG="$BATS_TEST_TMPDIR/other.conf" run -0 "$WS" -c "$conf" used-space
	WARPSTOR_CONFIG="$BATS_TEST_TMPDIR/other.conf" run -66 "$WS" used-space
}

@test "configuration: a named file that is missing is an error, not defaults" {
	WARPSTOR_CONFIG="$BATS_TEST_TMPDIR/nope.conf" run -78 --separate-stderr "$WS" list-vols
	[ "$stderr" = "warpstor: list-vols: $BATS_TEST_TMPDIR/nope.conf: No such file or directory" ]
}

@test "configuration: a relative -c or \$WARPSTOR_CONFIG is a usage error (64), whatever the folder holds" {
	cd "$BATS_TEST_TMPDIR"
	mkdir -p etc
	cp "$WARPSTOR_CONFIG" etc/warpstor.conf
	run -64 --separate-stderr "$WS" -c etc/warpstor.conf list-vols
	[[ $stderr == *"-c etc/warpstor.conf: the configuration file is named by its absolute path"* ]]
	WARPSTOR_CONFIG=etc/warpstor.conf run -64 --separate-stderr "$WS" list-vols
	[[ $stderr == *"WARPSTOR_CONFIG etc/warpstor.conf"* ]]
	run -64 "$WS" -c etc/warpstor.conf create-fs "$POOL/rel" -u 1 -g 1
	run -1 "$WS" exists "$POOL/rel"
}

@test "configuration: without one, defaults (default_volume wsvol)" {
	[ ! -e /etc/warpstor.conf ] || skip "this host has /etc/warpstor.conf"
	unset WARPSTOR_CONFIG
	run --separate-stderr "$WS" used-space
	# (the suite's zfs shows only the run's pools: a wsvol of the
	# machine's is one that does not exist here)
	if zfs list -H -o name wsvol >/dev/null 2>&1; then
		[ "$status" -eq 0 ]
	else
		[ "$status" -eq 66 ]
		[ "$stderr" = "warpstor: used-space: wsvol: does not exist" ]
	fi
}

@test "\$WARPSTOR_ZFS overrides the configured zfs" {
	log="$BATS_TEST_TMPDIR/calls"
	ws_config "zfs = /nonexistent/zfs"
	WARPSTOR_ZFS=$(ws_counting_zfs "$log") run -0 "$WS" exists "$POOL/a"
	[ "$(cat "$log")" = "list -H -o name $POOL/a" ]
	ws_config
}

@test "queries need no root and take no lock" {
	ws_config "lock_file = /nonexistent/dir/lock"
	run -0 "$WS" list-filesystems "$POOL"
	assert_output "$POOL"
	ws_config
}
