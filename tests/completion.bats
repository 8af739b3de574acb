#!/usr/bin/env bats
# The bash completion, called the way bash calls it, against the real pool.

load helper

setup_file() {
	ws_setup_pool
	zfs create "$POOL/alpha"
	zfs create "$POOL/beta"
	zfs snapshot "$POOL/alpha@s1"
	zfs snapshot "$POOL/alpha@s2"
	ws_config "type.scratch = compression=on" "type.home = atime=off"
}

teardown_file() {
	ws_teardown_pool
}

# complete WORD...: the completions bash would offer for the last word.
complete_words() {
	# shellcheck disable=SC1091
	source /usr/share/bash-completion/bash_completion
	# shellcheck source=../completions/warpstor.bash
	source "$WS_TOP/completions/warpstor.bash"
	PATH="$WS_TOP:$PATH"
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_warpstor
	printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort
}

@test "completion: command names come from list-methods" {
	run -0 complete_words warpstor ""
	[ "$output" = "$("$WS" list-methods | tr , '\n' | LC_ALL=C sort)" ]
	run -0 complete_words warpstor list-s
	assert_output "list-snapshots"
	run -0 complete_words warpstor -j cre
	assert_output "$(printf '%s\n' create-fs create-fs-no-export create-fs-only)"
}

@test "completion: datasets, snapshots as DATASET@ then the snapshot part" {
	run -0 complete_words warpstor info "$POOL/a"
	assert_output "$POOL/alpha"
	run -0 complete_words warpstor clone "$POOL/al"
	assert_output "$POOL/alpha@"
	run -0 complete_words warpstor clone "$POOL/alpha@"
	assert_output "$(printf '%s\n' "$POOL/alpha@s1" "$POOL/alpha@s2")"
	run -0 complete_words warpstor used-space "$POOL"
	assert_output "$POOL"
}

@test "completion: options, users and groups, types from the config" {
	run -0 complete_words warpstor destroy -
	assert_output "$(printf '%s\n' -R -f -h -r)"
	run -0 complete_words warpstor create-fs "$POOL/x" -u roo
	assert_output root
	run -0 complete_words warpstor create-fs "$POOL/x" -g dae
	assert_output daemon
	run -0 complete_words warpstor create-fs "$POOL/x" -t ""
	assert_output "$(printf '%s\n' home scratch)"
}
