#!/usr/bin/env bats
# The man pages and the completion cover every command, config key and
# exit code; the man pages are mandoc -Tlint clean.

load helper

setup_file() {
	ws_setup_pool
}

teardown_file() {
	ws_teardown_pool
}

# mandoc -Tascii without its overstrikes (what col -b does, without
# needing col, which OpenZFS's lab image has not)
ws_plain() { sed 's/.\x08//g'; }

@test "man pages: mandoc -Tlint has no warning" {
	run -0 mandoc -Tlint -Wwarning "$WS_TOP/man/warpstor.8" "$WS_TOP/man/warpstor.conf.5"
	assert_output ""
}

@test "man page: every command of list-methods, every alias, every exit code" {
	page=$(mandoc -Tascii "$WS_TOP/man/warpstor.8" | ws_plain)
	for c in $("$WS" list-methods | tr , ' '); do
		grep -Eq "^     warpstor $c( |\$)" <<< "$page" || { echo "SYNOPSIS lacks $c"; false; }
		grep -Eq "^     $c( |\$)" <<< "$page" || { echo "DESCRIPTION lacks $c"; false; }
	done
	for a in create_fs create_fs_no_export create_fs_only filtered_clone clone_only \
		rebuild_vol dataset_exists_not snapshot_exists_not list_filesystems \
		list_snapshots list_vols get_used_space_for_vol get_available_space_for_vol \
		get_vfsid_for_export list_wst_methods; do
		grep -q "\\[$a\\]" <<< "$page" || { echo "no alias $a"; false; }
		"$WS" "$a" -h > /dev/null
	done
	exits=$(sed -n '/^EXIT STATUS/,/^EXAMPLES/p' <<< "$page")
	for code in 0 1 64 65 66 69 70 73 74 75 77 78 130 143; do
		grep -Eq "^     $code[[:space:]]" <<< "$exits" || { echo "EXIT STATUS lacks $code"; false; }
	done
	for s in NAME SYNOPSIS DESCRIPTION ENVIRONMENT FILES "EXIT STATUS" EXAMPLES "SEE ALSO"; do
		grep -q "^$s" <<< "$page"
	done
}

@test "warpstor.conf(5): every configuration key, each one the parser knows" {
	page=$(mandoc -Tascii "$WS_TOP/man/warpstor.conf.5" | ws_plain)
	# the keys as the parser lists them, so that the page cannot lag
	keys=$(sed -n '/static const char \*const once\[\]/,/NULL }/p' "$WS_TOP/src/lib/config.c" |
		grep -o '"[a-z_]*"' | tr -d '"')
	[[ $keys == *ssh* ]]
	for k in $keys type.name; do
		grep -q "^     $k\\|, $k\\| $k\$" <<< "$page" || { echo "no key $k"; false; }
	done
	# and the parser takes exactly those (an unknown one is refused)
	conf="$BATS_TEST_TMPDIR/c"
	for k in $keys; do
		printf '%s = x\n' "$k" > "$conf"
		run "$WS" -c "$conf" list-methods
		[[ $output != *"unknown key"* ]] || { echo "$k unknown to the parser"; false; }
	done
	printf 'nokey = x\n' > "$conf"
	run -78 "$WS" -c "$conf" list-methods
	# the README's word on replicate names its ssh key
	grep -q '`ssh = ssh -o BatchMode=yes' "$WS_TOP/README.md"
}

@test "completion: every command has a case or is completed by name" {
	comp=$(cat "$WS_TOP/completions/warpstor.bash")
	for c in $("$WS" list-methods | tr , ' '); do
		case $c in list-methods|version|sync-exports|recover|list-vols) continue ;; esac
		grep -q -- "$c" <<< "$comp" || { echo "no completion case for $c"; false; }
	done
}

# The commands of the man page's EXAMPLES, one a line: continuations
# joined, the prompt taken off, wsvol and the users made this pool's.
man_examples() {
	sed -n '/^\.Sh EXAMPLES/,/^\.Sh SEE ALSO/p' "$WS_TOP/man/warpstor.8" |
		awk '/^\.Bd -literal/ { b = 1; next } /^\.Ed/ { b = 0; next }
		b { if (sub(/ *\\e$/, "")) { acc = acc $0 " "; next }
		    print acc $0; acc = "" }' |
		sed -e 's/^# //' -e "s/wsvol/$POOL/g" \
		    -e 's/-u alice/-u daemon/g; s/-u bob/-u bin/g; s/-u carol/-u sys/g'
}

@test "man page: the EXAMPLES run as written, in order, on the real pool" {
	run -0 man_examples
	[ "${#lines[@]}" -ge 15 ]
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	ln -sf "$WS" "$BATS_TEST_TMPDIR/bin/warpstor"
	while IFS= read -r cmd; do
		[ -n "$cmd" ] || continue
		case $cmd in
		zfs\ create\ *) eval "$cmd"; echo data > "$POOLMNT/golden/file" ;;
		*) PATH="$BATS_TEST_TMPDIR/bin:$PATH" bash -c "$cmd" > "$BATS_TEST_TMPDIR/out" 2>&1 ||
			{ echo "failed: $cmd"; cat "$BATS_TEST_TMPDIR/out"; return 1; } ;;
		esac
	done < <(man_examples)
	# what they leave: alice on golden v2, bob filtered, carol made, old gone
	run -0 "$WS" exists "$POOL/alice"
	run -1 "$WS" exists "$POOL/alice-old"
	run -0 zfs get -H -o value origin "$POOL/alice"
	assert_output "$POOL/golden@v2"
	run -0 stat -c %U "$POOLMNT/alice/file"
	assert_output daemon
	run -0 "$WS" exists "$POOL/carol"
	run -0 "$WS" vfsid "$POOL/bob"
}
