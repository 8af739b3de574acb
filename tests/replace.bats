#!/usr/bin/env bats
# replace and rebuild-vol (src/cmd/replace.c): what users see behind an
# export changes, the export (path, fsid, clients, options) stays.

load helper

setup_file() {
	ws_setup_pool
	ws_golden_tree
	zfs create "$POOL/u"
}

teardown_file() {
	ws_teardown_pool
}

@test "replace from a snapshot: content switched, path, fsid, clients and options kept" {
	"$WS" create-fs "$POOL/u/r1" -u 1 -g 1 --clients 10.0.0.1,10.0.0.2 --export-options rw,async,no_subtree_check >/dev/null
	echo old > "$POOLMNT/u/r1/old-file"
	fsid=$(ws_fsid "$POOL/u/r1")
	line=$(grep "^$POOLMNT/u/r1 " /etc/exports.d/warpstor.exports)
	run -0 --separate-stderr "$WS" -v replace "$POOL/u/r1" "$POOL/golden@v2" -u 30 -g 40
	assert_output "$POOL/u/r1"
	[[ $stderr == *"replace: $POOL/u/r1 was switched in "*" ms"* ]]
	[ ! -e "$POOLMNT/u/r1/old-file" ]
	[ "$(cat "$POOLMNT/u/r1/data/v2")" = v2 ]
	[ -z "$(find "$POOLMNT/u/r1" \( ! -uid 30 -o ! -gid 40 \) -print)" ]
	[ "$(ws_fsid "$POOL/u/r1")" = "$fsid" ]
	[ "$(zfs get -H -o value origin "$POOL/u/r1")" = "$POOL/golden@v2" ]
	[ "$(grep "^$POOLMNT/u/r1 " /etc/exports.d/warpstor.exports)" = "$line" ]
	run -0 ws_live
	assert_line --regexp "^$POOLMNT/u/r1 10.0.0.1\(.*async.*fsid=$fsid"
	assert_line --regexp "^$POOLMNT/u/r1 10.0.0.2\(.*fsid=$fsid"
	# nothing temporary left, the old content gone
	run -0 zfs list -H -o name -r "$POOL/u"
	refute_output --partial wsnew
	refute_output --partial wsold
}

@test "replace from a snapshot of itself (reset to golden): promoted, earlier snapshots survive" {
	"$WS" clone "$POOL/golden@v1" "$POOL/u/self" -u 1 -g 1 >/dev/null
	fsid=$(ws_fsid "$POOL/u/self")
	echo monday > "$POOLMNT/u/self/state"
	"$WS" snapshot "$POOL/u/self@monday" >/dev/null
	echo tuesday > "$POOLMNT/u/self/state"
	"$WS" snapshot "$POOL/u/self@tuesday" >/dev/null
	echo wednesday > "$POOLMNT/u/self/state"
	# tuesday is newer than monday: kept unless --force (tested below)
	run -0 "$WS" replace "$POOL/u/self" "$POOL/u/self@monday" -u 2 -g 2 --force
	[ "$(cat "$POOLMNT/u/self/state")" = monday ]
	[ "$(ws_fsid "$POOL/u/self")" = "$fsid" ]
	# promoted: monday (and what came before it) belongs to the new one
	run -0 "$WS" snapshot-exists "$POOL/u/self@monday"
	run -1 "$WS" snapshot-exists "$POOL/u/self@tuesday"
	[ "$(zfs get -H -o value origin "$POOL/u/self")" = "$POOL/golden@v1" ]
	run -0 zfs list -H -o name -r "$POOL/u"
	refute_output --partial wsold
	run -0 ws_live
	assert_line --regexp "^$POOLMNT/u/self \*\(.*fsid=$fsid"
}

@test "replace onto its own older snapshot: the newer ones are named and kept (77) unless --force; -n names them" {
	"$WS" clone "$POOL/golden@v1" "$POOL/u/gina" -u 1 -g 1 >/dev/null
	echo a > "$POOLMNT/u/gina/state"
	"$WS" snapshot "$POOL/u/gina@a" >/dev/null
	echo b > "$POOLMNT/u/gina/state"
	"$WS" snapshot "$POOL/u/gina@b" >/dev/null
	"$WS" snapshot "$POOL/u/gina@c" >/dev/null
	ws_state_logical > "$BATS_TEST_TMPDIR/before"
	run -77 --separate-stderr "$WS" replace "$POOL/u/gina" "$POOL/u/gina@a"
	[[ $stderr == *"newer than $POOL/u/gina@a"*"$POOL/u/gina@b, $POOL/u/gina@c"*"--force"* ]]
	run -77 --separate-stderr "$WS" -n replace "$POOL/u/gina" "$POOL/u/gina@a"
	[[ $stderr == *"$POOL/u/gina@b, $POOL/u/gina@c"* ]]
	ws_state_logical > "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	run -0 "$WS" snapshot-exists "$POOL/u/gina@b"
	# -n with --force: the plan names each one that goes
	run -0 "$WS" -n replace "$POOL/u/gina" "$POOL/u/gina@a" --force
	assert_output --partial "destroys $POOL/u/gina@b, newer than $POOL/u/gina@a"
	assert_output --partial "destroys $POOL/u/gina@c, newer than $POOL/u/gina@a"
	# the newest snapshot: nothing newer, nothing refused
	run -0 "$WS" replace "$POOL/u/gina" "$POOL/u/gina@c"
	[ "$(cat "$POOLMNT/u/gina/state")" = b ]
	run -0 "$WS" replace "$POOL/u/gina" "$POOL/u/gina@a" --force
	[ "$(cat "$POOLMNT/u/gina/state")" = a ]
	run -1 "$WS" snapshot-exists "$POOL/u/gina@b"
	"$WS" destroy -r "$POOL/u/gina" >/dev/null
}

@test "replace from a dataset: taken over; --keep keeps the old content unexported" {
	"$WS" create-fs "$POOL/u/k1" -u 1 -g 1 >/dev/null
	echo before > "$POOLMNT/u/k1/f"
	fsid=$(ws_fsid "$POOL/u/k1")
	"$WS" create-fs "$POOL/u/src" -u 1 -g 1 --clients 10.0.0.9 >/dev/null
	echo after > "$POOLMNT/u/src/f"
	sfsid=$(ws_fsid "$POOL/u/src")
	# src is exported: someone's content, taken only with --force
	run -77 --separate-stderr "$WS" replace "$POOL/u/k1" "$POOL/u/src" -u 3 -g 3 --keep "$POOL/u/k1-old"
	[[ $stderr == *"$POOL/u/src is exported"*--force* ]]
	[ "$(cat "$POOLMNT/u/k1/f")" = before ]
	run -0 "$WS" replace "$POOL/u/k1" "$POOL/u/src" -u 3 -g 3 --keep "$POOL/u/k1-old" --force
	[ "$(cat "$POOLMNT/u/k1/f")" = after ]
	[ "$(stat -c %u "$POOLMNT/u/k1/f")" = 3 ]
	[ "$(ws_fsid "$POOL/u/k1")" = "$fsid" ]
	[ "$(cat "$POOLMNT/u/k1-old/f")" = before ]
	[ -z "$(zfs get -H -s local -o value warpstor:clients "$POOL/u/k1-old")" ]
	[ -z "$(ws_fsid "$POOL/u/k1-old")" ]
	run -1 "$WS" exists "$POOL/u/src"
	run -0 ws_live
	refute_output --partial "$sfsid"
	refute_output --partial "$POOLMNT/u/src "
	refute_output --partial "$POOLMNT/u/k1-old "
	assert_line --regexp "^$POOLMNT/u/k1 \*\(.*fsid=$fsid"
	[ "$(grep -c "fsid=$fsid" /etc/exports.d/warpstor.exports)" -eq 1 ]
}

@test "replace keeps the dataset's policy: every local property, the owner of its root" {
	"$WS" create-fs "$POOL/u/gina" -u 2007 -g 2008 -o quota=100M -o compression=on >/dev/null
	# properties the code names nowhere, set by hand
	zfs set copies=2 "$POOL/u/gina"
	zfs set com.example:note=kept "$POOL/u/gina"
	fsid=$(ws_fsid "$POOL/u/gina")
	# no -u/-g: the owner of gina's root
	run -0 --separate-stderr "$WS" replace "$POOL/u/gina" "$POOL/golden@v1" -o atime=off
	echo "$stderr"
	[ "$(zfs get -H -p -o value,source quota "$POOL/u/gina")" = "$(printf '104857600	local')" ]
	[ "$(zfs get -H -o value,source compression "$POOL/u/gina")" = "$(printf 'on	local')" ]
	[ "$(zfs get -H -o value,source copies "$POOL/u/gina")" = "$(printf '2	local')" ]
	[ "$(zfs get -H -o value,source com.example:note "$POOL/u/gina")" = "$(printf 'kept	local')" ]
	[ "$(zfs get -H -o value,source atime "$POOL/u/gina")" = "$(printf 'off	local')" ]
	[ "$(zfs get -H -o value origin "$POOL/u/gina")" = "$POOL/golden@v1" ]
	[ "$(ws_fsid "$POOL/u/gina")" = "$fsid" ]
	[ -z "$(find "$POOLMNT/u/gina" \( ! -uid 2007 -o ! -gid 2008 \) -print)" ]
	# a dataset source gets them with zfs set
	"$WS" create-fs "$POOL/u/gsrc" -u 1 -g 1 >/dev/null
	"$WS" unexport "$POOL/u/gsrc" >/dev/null
	run -0 "$WS" replace "$POOL/u/gina" "$POOL/u/gsrc"
	[ "$(zfs get -H -p -o value,source quota "$POOL/u/gina")" = "$(printf '104857600	local')" ]
	[ "$(zfs get -H -o value,source copies "$POOL/u/gina")" = "$(printf '2	local')" ]
	[ "$(ws_fsid "$POOL/u/gina")" = "$fsid" ]
	[ "$(stat -c %u:%g "$POOLMNT/u/gina")" = 2007:2008 ]
}

@test "replace applies filtered-clone's filter again (warpstor:filter), and -x/-X on top" {
	run -0 "$WS" filtered-clone "$POOL/golden@v1" "$POOL/u/carol" -u 1 -g 1 \
		-x 'home/*/.ssh' -x 'var/log/*'
	[ "$(zfs get -H -o value,source warpstor:filter "$POOL/u/carol")" = "$(printf 'home/*/.ssh,var/log/*	local')" ]
	run -0 "$WS" replace "$POOL/u/carol" "$POOL/golden@v1"
	m="$POOLMNT/u/carol"
	[ ! -e "$m/home/alice/.ssh" ]
	[ -z "$(ls -A "$m/var/log")" ]
	[ "$(cat "$m/home/alice/notes")" = keep ]
	# more globs: applied, and kept for the next reset
	run -0 "$WS" replace "$POOL/u/carol" "$POOL/golden@v2" -x 'etc/motd'
	[ ! -e "$m/etc/motd" ]
	[ ! -e "$m/home/bob/.ssh" ]
	[ -e "$m/data/v2" ]
	[ "$(zfs get -H -o value warpstor:filter "$POOL/u/carol")" = 'home/*/.ssh,var/log/*,etc/motd' ]
	# a hand-set filter that escapes the dataset is refused, nothing done
	zfs set 'warpstor:filter=../../etc' "$POOL/u/carol"
	ws_state_logical > "$BATS_TEST_TMPDIR/before"
	run -65 --separate-stderr "$WS" replace "$POOL/u/carol" "$POOL/golden@v1"
	[[ $stderr == *warpstor:filter* ]]
	ws_state_logical > "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "replace: a dataset source in use (exported, cloned, held) is refused (77) unless --force" {
	"$WS" clone "$POOL/golden@v1" "$POOL/u/eve" -u 2005 -g 2005 >/dev/null
	"$WS" clone "$POOL/golden@v2" "$POOL/u/frank" -u 2006 -g 2006 >/dev/null
	echo franks > "$POOLMNT/u/frank/mine"
	ws_state_logical > "$BATS_TEST_TMPDIR/before"
	run -77 --separate-stderr "$WS" replace "$POOL/u/eve" "$POOL/u/frank" -u 2005 -g 2005
	[[ $stderr == *"$POOL/u/frank is exported"* ]]
	"$WS" unexport "$POOL/u/frank" >/dev/null
	zfs snapshot "$POOL/u/frank@s"
	zfs clone "$POOL/u/frank@s" "$POOL/u/frankclone"
	run -77 --separate-stderr "$WS" replace "$POOL/u/eve" "$POOL/u/frank" -u 2005 -g 2005
	[[ $stderr == *"$POOL/u/frank has clones ($POOL/u/frankclone)"* ]]
	ws_zap "$POOL/u/frankclone"
	(cd "$POOLMNT/u/frank" && exec sleep 60) &
	holder=$!
	sleep 0.2
	run -77 --separate-stderr "$WS" replace "$POOL/u/eve" "$POOL/u/frank" -u 2005 -g 2005
	[[ $stderr == *"$POOL/u/frank is in use"*"$holder (sleep, cwd)"* ]]
	kill $holder
	wait $holder 2>/dev/null || true
	[ "$(cat "$POOLMNT/u/frank/mine")" = franks ]
	run -0 "$WS" replace "$POOL/u/eve" "$POOL/u/frank" -u 2005 -g 2005 --force
	[ "$(cat "$POOLMNT/u/eve/mine")" = franks ]
}

@test "replace: refusals change nothing" {
	"$WS" create-fs "$POOL/u/ref" -u 1 -g 1 >/dev/null
	"$WS" snapshot "$POOL/u/ref@s" >/dev/null
	"$WS" clone "$POOL/u/ref@s" "$POOL/u/refclone" -u 1 -g 1 >/dev/null
	zfs create "$POOL/u/parent"
	zfs create "$POOL/u/parent/kid"
	ws_state_logical > "$BATS_TEST_TMPDIR/before"
	run -66 "$WS" replace "$POOL/u/none" "$POOL/golden@v1" -u 1 -g 1
	run -66 "$WS" replace "$POOL/u/ref" "$POOL/golden@nope" -u 1 -g 1
	run -77 --separate-stderr "$WS" replace "$POOL/u/ref" "$POOL/golden@v1" -u 1 -g 1
	[[ $stderr == *"has dependent clones: $POOL/u/refclone"* ]]
	run -77 "$WS" replace "$POOL/u/parent" "$POOL/golden@v1" -u 1 -g 1
	run -77 "$WS" replace "$POOL" "$POOL/golden@v1" -u 1 -g 1
	run -73 "$WS" replace "$POOL/u/refclone" "$POOL/golden@v1" -u 1 -g 1 --keep "$POOL/u/ref"
	run -65 "$WS" replace "$POOL/u/refclone" "$POOL/u/refclone" -u 1 -g 1
	run -65 "$WS" replace "$POOL/u/parent/kid" "$POOL/u/parent" -u 1 -g 1
	run -65 "$WS" replace "$POOL/u/refclone" "$POOL/golden@v1" -u 1 -g 1 --keep "otherpool/x"
	run -64 "$WS" replace "$POOL/u/refclone" "$POOL/golden@v1" -u
	run -65 "$WS" replace "$POOL/u/refclone" "$POOL/golden@v1" -x /etc
	run -65 "$WS" replace "$POOL/u/refclone" "$POOL/golden@v1" -o warpstor:fsid=x
	ws_state_logical > "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "replace reads NAME, SOURCE and their clones, not every filesystem of the pool, where zfs names clones" {
	"$WS" create-fs "$POOL/u/sc" -u 1 -g 1 >/dev/null
	"$WS" snapshot "$POOL/u/sc@s" >/dev/null
	zfs create "$POOL/elsewhere"
	zfs clone "$POOL/u/sc@s" "$POOL/elsewhere/dep"
	zfs create "$POOL/u/bystander"
	log="$BATS_TEST_TMPDIR/zfs.calls"
	ws_count_calls run -77 --separate-stderr "$WS" replace "$POOL/u/sc" "$POOL/golden@v1"
	[[ $stderr == *"has dependent clones: $POOL/elsewhere/dep;"* ]]
	if zfs get -H -o value clones "$POOL/u/sc@s" >/dev/null 2>&1; then
		# OpenZFS: the clone is named by its origin's clones property
		run -1 grep -E -e "^(get|list) .*-r( |\$)" -e " $POOL( |\$)" -e "bystander" "$log"
		grep -q " $POOL/elsewhere/dep\$" "$log"
	else
		# zfs-fuse has no clones property: one try, then the pool is read
		[ "$(grep -c ' clones ' "$log")" -eq 1 ]
		grep -qE "^(get|list) .* $POOL\$" "$log"
	fi
	ws_zap "$POOL/elsewhere/dep"
	ws_count_calls run -0 "$WS" replace "$POOL/u/sc" "$POOL/golden@v1" --keep "$POOL/u/sc-old"
	run -0 zfs get -H -o value origin "$POOL/u/sc"
	assert_output "$POOL/golden@v1"
	run -0 zfs list -H -o name "$POOL/u/sc-old@s"
	"$WS" destroy "$POOL/u/sc" >/dev/null
	ws_zap "$POOL/u/sc-old"
	ws_zap "$POOL/elsewhere"
	ws_zap "$POOL/u/bystander"
}

@test "replace: every zfs and exportfs call failing leaves the dataset exactly as it was" {
	# zfs: reset to its own snapshot, keeping the old; exportfs: plain reset
	"$WS" create-fs "$POOL/u/rb" -u 1 -g 1 --clients 10.0.0.1 >/dev/null
	"$WS" create-fs "$POOL/u/rb2" -u 1 -g 1 --clients 10.0.0.1,10.0.0.2 >/dev/null
	for tool in zfs exportfs; do
		var=WARPSTOR_ZFS ds=$POOL/u/rb keep=(--keep "$POOL/u/rb-kept")
		[ $tool = exportfs ] && var=WARPSTOR_EXPORTFS ds=$POOL/u/rb2 keep=()
		echo original > "$WSTEST_BASE/$ds/f"
		zfs snapshot "$ds@mark"
		n=1
		while :; do
			w=$(ws_failing $n $tool)
			ws_state_logical > "$BATS_TEST_TMPDIR/before"
			run env "$var=$w" "$WS" replace "$ds" "$ds@mark" -u 5 -g 5 "${keep[@]}"
			[ "$status" -eq 0 ] && break
			[ "$status" -eq 69 ] || { echo "$tool call $n: exit $status: $output"; false; }
			ws_state_logical > "$BATS_TEST_TMPDIR/after"
			diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" || { echo "$tool call $n: $output"; false; }
			[ "$(cat "$WSTEST_BASE/$ds/f")" = original ]
			n=$((n + 1))
		done
		echo "# replace: $((n - 1)) $tool failure points" >&3
		[ "$(stat -c %u "$WSTEST_BASE/$ds/f")" = 5 ]
	done
	[ "$n" -ge 4 ]
}

@test "rebuild-vol: without -y and no terminal, 64 and nothing touched" {
	ws_state_logical > "$BATS_TEST_TMPDIR/before"
	run -64 --separate-stderr "$WS" rebuild-vol "$POOL" < /dev/null
	[[ ${stderr_lines[0]} == *"give -y"* ]]
	run -65 "$WS" -y rebuild-vol "$POOL/u"
	ws_state_logical > "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "rebuild-vol: at a terminal, a wrong name is refused, the right one goes on" {
	ws_state_logical > "$BATS_TEST_TMPDIR/before"
	run -77 script -qec "'$WS' rebuild-vol $POOL" /dev/null <<< "wrong"
	ws_state_logical > "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	run -0 "$WS" -n rebuild-vol "$POOL"
	assert_line "zfs destroy -R $POOL/golden"
	zfs set atime=off "$POOL"
	run -0 script -qec "'$WS' rebuild-vol $POOL" /dev/null <<< "$POOL"
	assert_output --partial "Type the volume's name to go on"
	[ "$(zfs list -H -o name -t all -r "$POOL")" = "$POOL" ]
	[ "$(zfs get -H -o value atime "$POOL")" = off ]
	[ "$(grep -c "^/" /etc/exports.d/warpstor.exports)" -eq 0 ]
	[ -z "$(ws_live)" ]
}
