#!/usr/bin/env bats
# The Pacemaker resource agent packaging/ocf/warpstor-exports, on a real
# pool: ocf-tester (Debian resource-agents) runs it through its actions,
# and start, stop and monitor do what a failover needs.

load helper

setup_file() {
	ws_setup_pool
	"$WS" create-fs "$POOL/a" -u 1 -g 1 --clients 10.0.0.1,10.0.0.2 >/dev/null
	"$WS" create-fs "$POOL/b" -u 1 -g 1 --clients 10.0.0.3 >/dev/null
	export AGENT="$WS_TOP/packaging/ocf/warpstor-exports"
	export OCF_ROOT=/usr/lib/ocf
	export HA_RSCTMP="$BATS_FILE_TMPDIR/rsctmp"
}

teardown_file() {
	ws_teardown_pool
}

agent() {
	env OCF_RESKEY_pool="$POOL" OCF_RESKEY_binary="$WS" \
		OCF_RESKEY_config="$WARPSTOR_CONFIG" "$AGENT" "$1"
}

@test "ocf-tester: meta-data, validate-all, start, monitor, stop, each twice where it must be idempotent" {
	command -v ocf-tester >/dev/null || skip "no ocf-tester (resource-agents)"
	command -v xmllint >/dev/null || skip "no xmllint (libxml2-utils): ocf-tester checks meta-data with it"
	"$WS" sync-exports --withdraw "$POOL" >/dev/null
	run ocf-tester -n wsx -o pool="$POOL" -o binary="$WS" -o config="$WARPSTOR_CONFIG" "$AGENT"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_output --partial "passed all tests"
}

@test "agent: stop withdraws the pool's exports and keeps the properties; start brings them back; monitor tells" {
	[ -e /usr/lib/ocf/lib/heartbeat/ocf-shellfuncs ] || skip "no resource-agents"
	fsid=$(zfs get -H -o value warpstor:fsid "$POOL/a")
	run -0 agent start
	run -0 agent monitor
	run -0 "$WS" list-exports
	assert_line --regexp "^$POOLMNT/a	$POOL/a	10.0.0.1,10.0.0.2	.*	$fsid	live\\+file\$"
	run -0 agent stop
	run -7 agent monitor
	run -0 ws_live
	refute_output --partial "$POOLMNT/a"
	refute_output --partial "$POOLMNT/b"
	run ! grep -q "$POOLMNT" /etc/exports.d/warpstor.exports
	[ "$(zfs get -H -o value warpstor:fsid "$POOL/a")" = "$fsid" ]
	[ "$(zfs get -H -o value warpstor:clients "$POOL/b")" = 10.0.0.3 ]
	# the pool's filesystems are unmounted: zpool export can follow
	[ "$(zfs get -H -o value mounted "$POOL/a")" = no ]
	[ "$(zfs get -H -o value mounted "$POOL")" = no ]
	# start with the pool still here (a restart of this resource alone)
	# mounts them again
	run -0 agent start
	[ "$(zfs get -H -o value mounted "$POOL/a")" = yes ]
	run -0 ws_live
	assert_output --partial "$POOLMNT/a 10.0.0.1("
	assert_output --partial "fsid=$fsid"
	# an export lost behind its back: monitor says so
	exportfs -u "10.0.0.3:$POOLMNT/b"
	run -1 agent monitor
	run -0 agent start
	run -0 agent monitor
	run -0 agent meta-data
	assert_output --partial '<resource-agent name="warpstor-exports"'
	OCF_RESKEY_pool="bad/name" run -6 "$AGENT" validate-all
}
