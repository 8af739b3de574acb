#!/usr/bin/env bats
# The older client's Python API (bindings/python/lwarpstor): its pytest
# suite against the real CLI on this file's pool, locally and over ssh to
# an sshd on localhost (key authentication) where one can run; and the
# package installs the way Python people expect.

load helper

setup_file() {
	ws_setup_pool
	export RV_POOL="${POOL}_rv"
	ws_second_pool "$RV_POOL" 128M
	export WS_SSH
	WS_SSH=$(ws_sshd 2223) || WS_SSH=""
}

teardown_file() {
	[ -e "$BATS_FILE_TMPDIR/sshd.pid" ] && kill "$(cat "$BATS_FILE_TMPDIR/sshd.pid")" 2>/dev/null
	ws_teardown_pool "$RV_POOL"
	ws_teardown_pool
}

@test "python: lwarpstor's pytest suite, every method, locally and over ssh" {
	python3 -c 'import pytest' 2>/dev/null || skip "no python3-pytest"
	[ -n "$WS_SSH" ] || echo "# no sshd here: the ssh half is skipped" >&3
	run env WS_BIN="$WS" WS_POOL="$POOL" WS_POOLMNT="$POOLMNT" WS_RV_POOL="$RV_POOL" \
		WS_SSH="$WS_SSH" PYTHONPATH="$WS_TOP/bindings/python" PYTHONDONTWRITEBYTECODE=1 \
		python3 -m pytest -q -p no:cacheprovider -rs "$WS_TOP/bindings/python/tests"
	printf '%s\n' "$output" | tail -n 15 | sed 's/^/# pytest: /' >&3
	[ "$status" -eq 0 ]
	if [ -n "$WS_SSH" ]; then
		refute_output --partial "skipped"
	fi
}

@test "python: pip install bindings/python into a venv, then import it from elsewhere; pydoc reads it" {
	python3 -m venv --help >/dev/null 2>&1 || skip "no python3-venv"
	python3 -c 'import setuptools, wheel' 2>/dev/null ||
		skip "no python3-setuptools and python3-wheel to build with offline"
	# offline: the build uses Debian's setuptools and wheel (no index)
	python3 -m venv --system-site-packages "$BATS_TEST_TMPDIR/venv" ||
		skip "venv without ensurepip"
	cp -r "$WS_TOP/bindings/python" "$BATS_TEST_TMPDIR/src"
	run -0 "$BATS_TEST_TMPDIR/venv/bin/pip" install --no-index --no-build-isolation \
		--disable-pip-version-check -q "$BATS_TEST_TMPDIR/src"
	cd "$BATS_TEST_TMPDIR"
	run -0 "$BATS_TEST_TMPDIR/venv/bin/python" -c \
		'import lwarpstor, sys; print(lwarpstor.__file__); print(lwarpstor.WarpStor(binary=sys.argv[1], config=sys.argv[2]).version())' \
		"$WS" "$WARPSTOR_CONFIG"
	assert_line --index 0 --partial "$BATS_TEST_TMPDIR/venv/lib/"
	assert_line --index 1 --regexp '^[0-9]+\.[0-9]+\.[0-9]+,'
	run -0 env PYTHONPATH="$WS_TOP/bindings/python" python3 -m pydoc lwarpstor.WarpStor.clone
	assert_output --partial "fs_snapshot, dest_fs, userid, groupid"
}
