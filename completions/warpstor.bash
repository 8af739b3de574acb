# bash completion for warpstor(8)
# shellcheck shell=bash

_warpstor() {
	local cur prev words cword
	_init_completion || return

	local i cmd=""
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-c | --config | -w | --wait) ((i++)) ;;
		-*) ;;
		*) cmd=${words[i]}; break ;;
		esac
	done

	case $prev in
	-c | --config) _filedir; return ;;
	-w | --wait) return ;;
	esac

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W '-c --config -h --help -j --json -n --dry-run -V --version -v --verbose -w --wait -y --yes' -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(warpstor list-methods 2>/dev/null | tr , ' ')" -- "$cur")
		fi
		return
	fi

	case $cmd in
	snapshot-exists | snapshot_exists_not | list-snapshots | list_snapshots)
		if [[ $cur == *@* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$(warpstor list-snapshots "${cur%%@*}@*" 2>/dev/null)" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -S @ -W "$(warpstor list-filesystems 2>/dev/null)" -- "$cur")
			compopt -o nospace
		fi
		;;
	used-space | available-space | get_used_space_for_vol | get_available_space_for_vol)
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W '--human -h' -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(warpstor list-vols 2>/dev/null)" -- "$cur")
		fi
		;;
	exists | dataset_exists_not | info | vfsid | get_vfsid_for_export | list-filesystems | list_filesystems)
		mapfile -t COMPREPLY < <(compgen -W "$(warpstor list-filesystems 2>/dev/null)" -- "$cur")
		;;
	esac
} && complete -F _warpstor warpstor
