# bash completion for warpstor(8)
# shellcheck shell=bash
#
# Live lookups ask warpstor itself (quiet on error), never zfs; the
# options of a command come from its own help (the command table), so
# they cannot drift; a -c FILE on the line is passed on.

_warpstor_words() {
	mapfile -t COMPREPLY < <(compgen -W "$1" -- "$cur")
}

# warpstor with the -c of the line being completed
_warpstor_ask() {
	warpstor ${_warpstor_conf:+-c "$_warpstor_conf"} "$@" 2>/dev/null
}

_warpstor_datasets() {
	_warpstor_words "$(_warpstor_ask list-filesystems)"
}

# Snapshots: DATASET@ first (only datasets that have snapshots), then
# the snapshots of that dataset.
_warpstor_snapshots() {
	if [[ $cur == *@* ]]; then
		_warpstor_words "$(_warpstor_ask list-snapshots "${cur%%@*}")"
	else
		_warpstor_words "$(_warpstor_ask list-snapshots | sed 's/@.*/@/' | uniq)"
		compopt -o nospace 2>/dev/null
	fi
}

# The datasets warpstor exports (unexport, vfsid).
_warpstor_exported() {
	_warpstor_words "$(_warpstor_ask list-exports | cut -f 2)"
}

# The options -h lists for the command; "takes" gets those with a value.
_warpstor_options() {
	local line
	_warpstor_opts="" _warpstor_takes=" "
	while IFS= read -r line; do
		[[ $line == "  -"* ]] || continue
		line=${line#  }
		line=${line%%  *}
		local w last=""
		for w in ${line//,/ }; do
			if [[ $w == -* ]]; then
				_warpstor_opts+=" $w"
				last=$w
			elif [[ -n $last ]]; then
				_warpstor_takes+="$last "
			fi
		done
	done < <(_warpstor_ask help "$1")
}

# exports(5) option words for the part of cur after its last '(' or ','
# (--export-options; --clients inside a client's parentheses).
_warpstor_expopts() {
	local pre="" word=$cur o
	if [[ $cur == *[\(,]* ]]; then
		word=${cur##*[\(,]}
		pre=${cur%"$word"}
	fi
	COMPREPLY=()
	for o in rw ro sync async no_subtree_check subtree_check root_squash \
		no_root_squash all_squash no_all_squash secure insecure crossmnt \
		nohide wdelay no_wdelay sec=; do
		[[ $o == "$word"* ]] && COMPREPLY+=("$pre$o")
	done
	compopt -o nospace 2>/dev/null
}

# --clients HOST[(OPTS)],...: options inside an open parenthesis.
_warpstor_clients() {
	local open=${cur//[^(]/} shut=${cur//[^)]/}
	# bash may have split cur at the '(' already (COMP_WORDBREAKS)
	if ((${#open} > ${#shut})) || [[ ${COMP_LINE:0:COMP_POINT} == *\( ]] ||
		[[ ${words[cword-1]:-} == *\( ]]; then
		_warpstor_expopts
	fi
}

_warpstor_types() {
	local conf=${_warpstor_conf:-${WARPSTOR_CONFIG:-/etc/warpstor.conf}}
	_warpstor_words "$(sed -n 's/^[[:space:]]*type\.\([A-Za-z0-9_-]*\)[[:space:]]*=.*/\1/p' "$conf" 2>/dev/null)"
}

_warpstor() {
	local cur prev words cword
	_init_completion || return

	local i cmd="" nops=0 first="" _warpstor_conf=""
	local _warpstor_opts _warpstor_takes
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-c | --config) _warpstor_conf=${words[i + 1]}; ((i++)) ;;
		--config=*) _warpstor_conf=${words[i]#--config=} ;;
		-w | --wait) ((i++)) ;;
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
			_warpstor_words "$(_warpstor_ask list-methods | tr , '\n')"
		fi
		return
	fi

	_warpstor_options "$cmd"
	# how many operands come before the word being completed
	for ((i = i + 1; i < cword; i++)); do
		case ${words[i]} in
		-*)
			[[ $_warpstor_takes == *" ${words[i]} "* ]] && ((i++)) ;;
		*)
			[[ -z $first ]] && first=${words[i]}
			((nops++)) ;;
		esac
	done

	case $prev in
	-u) mapfile -t COMPREPLY < <(compgen -u -- "$cur"); return ;;
	-g) mapfile -t COMPREPLY < <(compgen -g -- "$cur"); return ;;
	-t) _warpstor_types; return ;;
	-X) _filedir; return ;;
	--keep) _warpstor_datasets; return ;;
	--textfile) _filedir -d; return ;;
	--export-options) _warpstor_expopts; return ;;
	--clients) _warpstor_clients; return ;;
	esac
	[[ $_warpstor_takes == *" $prev "* ]] && return

	if [[ $cur == -* ]]; then
		_warpstor_words "$_warpstor_opts"
		return
	fi

	case $cmd in
	snapshot-exists | snapshot_exists_not)
		_warpstor_snapshots ;;
	list-snapshots | list_snapshots)
		((nops == 0)) && _warpstor_datasets ;;
	clone | clone-only | clone_only | filtered-clone | filtered_clone)
		((nops == 0)) && _warpstor_snapshots ;;
	replace)
		if ((nops == 0)); then _warpstor_datasets
		elif ((nops == 1)); then
			if [[ $cur == *@* ]]; then _warpstor_snapshots; else _warpstor_datasets; fi
		fi ;;
	rebuild-vol | rebuild_vol | used-space | available-space | sync-exports | status | \
	get_used_space_for_vol | get_available_space_for_vol)
		((nops == 0)) && _warpstor_words "$(_warpstor_ask list-vols)" ;;
	rename)
		if ((nops == 0)); then
			if [[ $cur == *@* ]]; then _warpstor_snapshots; else _warpstor_datasets; fi
		elif ((nops == 1)) && [[ $first == *@* ]]; then
			# a snapshot is renamed within its dataset
			[[ $cur == "${first%%@*}@"* ]] || cur="${first%%@*}@"
			COMPREPLY=("$cur")
			compopt -o nospace 2>/dev/null
		fi ;;
	destroy)
		((nops == 0)) || return
		if [[ $cur == *@* ]]; then _warpstor_snapshots; else _warpstor_datasets; fi ;;
	replicate | takeover | receive-replica)
		((nops == 0)) && _warpstor_datasets ;;
	unexport | vfsid | get_vfsid_for_export)
		((nops == 0)) && _warpstor_exported ;;
	snapshot)
		((nops == 0)) && _warpstor_datasets ;;
	metrics)
		;;	# no operand: only --textfile DIR
	exists | dataset_exists_not | info | list-filesystems | list_filesystems | \
	list-exports | promote | export | create-fs | create_fs | \
	create-fs-no-export | create_fs_no_export | create-fs-only | create_fs_only)
		((nops == 0)) && _warpstor_datasets ;;
	esac
} && complete -F _warpstor warpstor
