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
	"$WS" create-fs "$POOL/shared" -u 1 -g 1 --clients 10.0.0.1 >/dev/null
	# another configuration, named with -c on the line
	sed 's/^type\..*//' "$WARPSTOR_CONFIG" > "$BATS_FILE_TMPDIR/other.conf"
	echo "type.gpu = quota=1G" >> "$BATS_FILE_TMPDIR/other.conf"
}

teardown_file() {
	"$WS" unexport "$POOL/shared" >/dev/null || true
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

# zsh_complete WORD...: what the zsh completion offers for the last word
# (compadd stubbed to print what it is given), under zsh -f.
zsh_complete() {
	# shellcheck disable=SC2016 # expanded by zsh
	zsh -f -c '
		compadd() {
			while [[ $1 == -* && $1 != -- ]]; do
				case $1 in (-S) shift 2 ;; (*) shift ;; esac
			done
			[[ $1 == -- ]] && shift
			(( $# )) && print -l -- "$@"
		}
		_files() { print _files; }
		compset() { return 0; }
		words=("$@")
		CURRENT=$#
		source "$WS_TOP/completions/_warpstor"
	' zsh "$@" | LC_ALL=C sort
}

@test "completion: options, users and groups, types from the config" {
	run -0 complete_words warpstor destroy -
	assert_output "$(printf '%s\n' --help -R -f -h -j -n -r -v)"
	run -0 complete_words warpstor create-fs "$POOL/x" -u roo
	assert_output root
	run -0 complete_words warpstor create-fs "$POOL/x" -g dae
	assert_output daemon
	run -0 complete_words warpstor create-fs "$POOL/x" -t ""
	assert_output "$(printf '%s\n' home scratch)"
}

@test "completion: DATASET@ only for datasets with snapshots; rename of a snapshot stays in its dataset" {
	run -0 complete_words warpstor clone ""
	assert_output "$POOL/alpha@"
	run -0 complete_words warpstor clone "$POOL/b"
	assert_output ""
	run -0 complete_words warpstor rename "$POOL/alpha@s1" ""
	assert_output "$POOL/alpha@"
	run -0 complete_words warpstor list-snapshots "$POOL/al"
	assert_output "$POOL/alpha"
}

@test "completion: unexport and vfsid offer exported datasets only; -c on the line is used" {
	run -0 complete_words warpstor unexport ""
	assert_output "$POOL/shared"
	run -0 complete_words warpstor vfsid "$POOL/"
	assert_output "$POOL/shared"
	run -0 complete_words warpstor -c "$BATS_FILE_TMPDIR/other.conf" create-fs "$POOL/x" -t ""
	assert_output gpu
	# options the command takes, from its own -h: --keep takes a value
	run -0 complete_words warpstor replace --keep ""
	assert_output "$(printf '%s\n' "$POOL" "$POOL/alpha" "$POOL/beta" "$POOL/shared")"
	run -0 complete_words warpstor replace -o x=y "$POOL/al"
	assert_output "$POOL/alpha"
}

@test "zsh completion: commands, options, datasets, snapshots, exports, types (zsh -f)" {
	command -v zsh >/dev/null || skip "no zsh here"
	export WS_TOP
	PATH="$WS_TOP:$PATH"
	run -0 zsh_complete warpstor list-s
	assert_output "list-snapshots"
	run -0 zsh_complete warpstor destroy -
	assert_output "$(printf '%s\n' --help -R -f -h -j -n -r -v)"
	run -0 zsh_complete warpstor info "$POOL/a"
	assert_output "$POOL/alpha"
	run -0 zsh_complete warpstor clone ""
	assert_output "$POOL/alpha@"
	run -0 zsh_complete warpstor clone "$POOL/alpha@"
	assert_output "$(printf '%s\n' "$POOL/alpha@s1" "$POOL/alpha@s2")"
	run -0 zsh_complete warpstor unexport ""
	assert_output "$POOL/shared"
	run -0 zsh_complete warpstor rename "$POOL/alpha@s1" ""
	assert_output "$POOL/alpha@"
	run -0 zsh_complete warpstor create-fs "$POOL/x" -t ""
	assert_output "$(printf '%s\n' home scratch)"
	run -0 zsh_complete warpstor -c "$BATS_FILE_TMPDIR/other.conf" create-fs "$POOL/x" -t ""
	assert_output gpu
	run -0 zsh_complete warpstor create-fs "$POOL/x" -u roo
	assert_output root
}

@test "completion: --export-options and a client's own options in --clients offer exports(5) words after '(' or ','" {
	run -0 complete_words warpstor create-fs "$POOL/x" --export-options rw,no_r
	assert_output "rw,no_root_squash"
	run -0 complete_words warpstor create-fs "$POOL/x" --clients '10.0.0.1(r'
	assert_output "$(printf '%s\n' '10.0.0.1(ro' '10.0.0.1(root_squash' '10.0.0.1(rw')"
	run -0 complete_words warpstor export "$POOL/x" --clients '10.0.0.1(ro),10.0.0.2(rw,all'
	assert_output "10.0.0.1(ro),10.0.0.2(rw,all_squash"
	# outside the parentheses a client is anybody's: nothing offered
	run -0 complete_words warpstor create-fs "$POOL/x" --clients '10.0.0.1(ro),10.'
	assert_output ""
	if command -v zsh >/dev/null; then
		export WS_TOP
		PATH="$WS_TOP:$PATH"
		run -0 zsh_complete warpstor create-fs "$POOL/x" --clients '10.0.0.1(r'
		assert_output "$(printf '%s\n' ro root_squash rw)"
	fi
}
