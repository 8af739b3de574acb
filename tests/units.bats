#!/usr/bin/env bats
# The systemd units: sandboxed as far as the job allows, and still doing
# it (a mount, an unmount, the exports) where systemd runs (the lab VM).

load helper

setup_file() {
	ws_setup_pool
	zfs create "$POOL/u"
}

teardown_file() {
	ws_teardown_pool
}

UNITS="warpstor-exports.service warpstor-recover.service warpstor-metrics.service"

# The packaged unit $1 with its ExecStart= made $2 (every sandboxing line
# kept), as NAME in /run/systemd/system.
ws_unit_as() {
	local unit=$1 cmd=$2 name=$3
	sed "s|^ExecStart=.*|ExecStart=$cmd|" "$WS_TOP/packaging/$unit" |
		grep -v '^WantedBy=' > "/run/systemd/system/$name"
}

@test "units: sandboxed (no new privileges, a bounded capability set, address families), never a mount namespace" {
	for u in $UNITS; do
		f="$WS_TOP/packaging/$u"
		for want in NoNewPrivileges=yes CapabilityBoundingSet=CAP_SYS_ADMIN \
			RestrictAddressFamilies=AF_UNIX LockPersonality=yes \
			SystemCallArchitectures=native; do
			grep -q "^$want" "$f" || { echo "$u: no $want"; false; }
		done
		# a zfs mount made in a private namespace never reaches the host
		run ! grep -E '^(PrivateTmp|ProtectHome|ProtectSystem|ProtectKernelModules|ProtectKernelTunables|ProtectControlGroups|ProtectProc|PrivateDevices|PrivateMounts|ReadOnlyPaths|InaccessiblePaths|TemporaryFileSystem|BindPaths|ProtectClock|DeviceAllow)=' "$f"
		if command -v systemd-analyze >/dev/null; then
			sed "s|^ExecStart=/usr/sbin/warpstor|ExecStart=$WS|" "$f" > "$BATS_TEST_TMPDIR/$u"
			run systemd-analyze verify "$BATS_TEST_TMPDIR/$u"
			[[ $output != *"Unknown key"* && $output != *"Failed to parse"* ]] || { echo "$output"; false; }
		fi
	done
}

@test "units: under their sandbox, a create-fs mounts, a destroy unmounts, sync-exports exports (systemd as PID 1)" {
	[ "$(ps -o comm= -p 1)" = systemd ] || skip "systemd is not PID 1 here (the lab VM has it)"
	[ -d /run/systemd/system ] || skip "no systemd"
	ws_unit_as warpstor-exports.service "$WS -c $WARPSTOR_CONFIG create-fs $POOL/u/sd -u 7 -g 7 --clients 10.1.1.1" wstest-create.service
	ws_unit_as warpstor-recover.service "$WS -c $WARPSTOR_CONFIG destroy $POOL/u/sd" wstest-destroy.service
	ws_unit_as warpstor-exports.service "$WS -c $WARPSTOR_CONFIG sync-exports $POOL" wstest-sync.service
	systemctl daemon-reload
	run -0 systemctl start wstest-create.service
	# mounted on the host, owned, exported
	[ "$(zfs get -H -o value mounted "$POOL/u/sd")" = yes ]
	grep -q " $POOLMNT/u/sd " /proc/1/mountinfo
	[ "$(stat -c %u:%g "$POOLMNT/u/sd")" = 7:7 ]
	run -0 exportfs -v
	assert_output --partial "$POOLMNT/u/sd"
	# withdrawn by hand: the sync unit puts it back
	exportfs -u "10.1.1.1:$POOLMNT/u/sd"
	run -0 systemctl start wstest-sync.service
	run -0 exportfs -v
	assert_output --partial "$POOLMNT/u/sd"
	# the metrics unit, under its sandbox, writes its file
	mkdir -m 0755 "$BATS_TEST_TMPDIR/prom"
	ws_unit_as warpstor-metrics.service "$WS -c $WARPSTOR_CONFIG metrics --textfile $BATS_TEST_TMPDIR/prom" wstest-metrics.service
	sed -i '/^ExecStartPre=/d' /run/systemd/system/wstest-metrics.service
	systemctl daemon-reload
	run -0 systemctl start wstest-metrics.service
	grep -q "^warpstor_dataset_used_bytes{dataset=\"$POOL/u/sd\"} " "$BATS_TEST_TMPDIR/prom/warpstor.prom"
	run -0 systemctl start wstest-destroy.service
	run -1 "$WS" exists "$POOL/u/sd"
	run ! grep -q " $POOLMNT/u/sd " /proc/1/mountinfo
	rm -f /run/systemd/system/wstest-*.service
	systemctl daemon-reload
}
