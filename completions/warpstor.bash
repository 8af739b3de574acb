# bash completion for warpstor(8)
# shellcheck shell=bash
#
# Live lookups ask warpstor itself (one call, quiet on error), never zfs.

_warpstor_words() {
	mapfile -t COMPREPLY < <(compgen -W "$1" -- "$cur")
}

_warpstor_datasets() {
	_warpstor_words "$(warpstor list-filesystems 2>/dev/null)"
}

_warpstor_snapshots() {
	if [[ $cur == *@* ]]; then
		_warpstor_words "$(warpstor list-snapshots "${cur%%@*}@*" 2>/dev/null)"
	else
		_warpstor_words "$(warpstor list-filesystems 2>/dev/null | sed 's/$/@/')"
		compopt -o nospace 2>/dev/null
	fi
}

_warpstor() {
	local cur prev words cword
	_init_completion || return

	local i cmd="" nops=0
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-c | --config | -w | --wait) ((i++)) ;;
		-*) ;;
		*) cmd=${words[i]}; break ;;
		esac
	done

	if [[ -z $cmd ]]; then
		case $prev in
		-c | --config) _filedir; return ;;
		-w | --wait) return ;;
		esac
		if [[ $cur == -* ]]; then
			_warpstor_words '-c --config -h --help -j --json -n --dry-run -V --version -v --verbose -w --wait -y --yes'
		else
			_warpstor_words "$(warpstor list-methods 2>/dev/null | tr , '\n')"
		fi
		return
	fi

	# how many operands come before the word being completed
	for ((i = i + 1; i < cword; i++)); do
		case ${words[i]} in
		-u | -g | -t | -o | -x | -X | --keep | --clients | --export-options) ((i++)) ;;
		-*) ;;
		*) ((nops++)) ;;
		esac
	done

	case $prev in
	-u) mapfile -t COMPREPLY < <(compgen -u -- "$cur"); return ;;
	-g) mapfile -t COMPREPLY < <(compgen -g -- "$cur"); return ;;
	-t)
		local conf=${WARPSTOR_CONFIG:-/etc/warpstor.conf}
		_warpstor_words "$(sed -n 's/^[[:space:]]*type\.\([A-Za-z0-9_-]*\)[[:space:]]*=.*/\1/p' "$conf" 2>/dev/null)"
		return ;;
	-X) _filedir; return ;;
	--keep) _warpstor_datasets; return ;;
	-o | -x | --clients | --export-options) return ;;
	esac

	local opts=""
	case $cmd in
	create-fs | create_fs) opts='-u -g -t -o --clients --export-options -h' ;;
	create-fs-no-export | create_fs_no_export) opts='-u -g -t -o -h' ;;
	create-fs-only | create_fs_only | clone-only | clone_only) opts='-o -h' ;;
	clone) opts='-u -g -o --clients --export-options -h' ;;
	filtered-clone | filtered_clone) opts='-u -g -x -X -o --clients --export-options -h' ;;
	replace) opts='-u -g -o -x -X --keep --force -h' ;;
	snapshot) opts='-r -h' ;;
	destroy) opts='-r -R -f -h' ;;
	export) opts='--clients --export-options -h' ;;
	used-space | available-space | get_used_space_for_vol | get_available_space_for_vol) opts='--human -h' ;;
	*) opts='-h' ;;
	esac
	if [[ $cur == -* ]]; then
		_warpstor_words "$opts"
		return
	fi

	case $cmd in
	snapshot-exists | snapshot_exists_not | list-snapshots | list_snapshots)
		_warpstor_snapshots ;;
	clone | clone-only | clone_only | filtered-clone | filtered_clone)
		((nops == 0)) && _warpstor_snapshots ;;
	replace)
		if ((nops == 0)); then _warpstor_datasets
		elif [[ $cur == *@* ]]; then _warpstor_snapshots
		else _warpstor_datasets; fi ;;
	rebuild-vol | rebuild_vol)
		((nops == 0)) && _warpstor_words "$(warpstor list-vols 2>/dev/null)" ;;
	destroy | rename)
		if [[ $cur == *@* ]]; then _warpstor_snapshots; else _warpstor_datasets; fi ;;
	used-space | available-space | get_used_space_for_vol | get_available_space_for_vol)
		((nops == 0)) && _warpstor_words "$(warpstor list-vols 2>/dev/null)" ;;
	snapshot)
		((nops == 0)) && _warpstor_datasets ;;
	exists | dataset_exists_not | info | vfsid | get_vfsid_for_export | \
	list-filesystems | list_filesystems | promote | export | unexport | \
	create-fs | create_fs | create-fs-no-export | create_fs_no_export | \
	create-fs-only | create_fs_only)
		((nops == 0)) && _warpstor_datasets ;;
	esac
} && complete -F _warpstor warpstor
