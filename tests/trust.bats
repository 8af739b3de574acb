#!/usr/bin/env bats
# Nothing read from outside is trusted: ZFS property values (anyone with
# zfs allow ... userprop sets them, a zfs receive brings them), the
# journal, the lock and the configuration are checked as strictly as
# the command line, and one bad dataset fails only itself.

load helper

setup_file() {
	ws_setup_pool
	zfs create "$POOL/t"
	zfs create "$POOL/golden"
	echo gold > "$POOLMNT/golden/file"
	zfs snapshot "$POOL/golden@v1"
}

teardown_file() {
	ws_teardown_pool
}

# No export of the root, or of anything the properties did not name.
no_root_export() {
	run ! grep -q '^/ ' /etc/exports.d/warpstor.exports
	run ! sh -c 'exportfs -v | grep -q "^/[[:space:]]"'
}

@test "a property value that forges zfs output exports nothing it names" {
	"$WS" create-fs "$POOL/t/alice" -u 1 -g 1 >/dev/null
	zfs create "$POOL/t/evil"
	fsid=$(ws_fsid "$POOL/t/alice")
	# forges a line "POOL/t/alice mountpoint /" after evil's fsid
	zfs set "warpstor:fsid=$fsid"$'\tlocal\n'"$POOL/t/alice"$'\tmountpoint\t/' "$POOL/t/evil"
	zfs set 'warpstor:clients=*' "$POOL/t/evil"
	zfs set 'warpstor:options=rw,no_root_squash,insecure' "$POOL/t/evil"
	rm -f /etc/exports.d/warpstor.exports
	exportfs -ua
	run -0 --separate-stderr "$WS" sync-exports
	echo "$stderr"
	no_root_export
	[[ $stderr == *"$POOL/t/evil"*control* ]]
	# alice is exported where she is, with her own fsid
	grep -q "^$POOLMNT/t/alice \*(.*fsid=$fsid)" /etc/exports.d/warpstor.exports
	run -0 ws_live
	assert_line --regexp "^$POOLMNT/t/alice \*\(.*fsid=$fsid"
	refute_output --partial "$POOLMNT/t/evil"
	ws_zap "$POOL/t/evil"
}

@test "a forged line for a dataset that does not exist is never taken for one" {
	zfs create "$POOL/t/liar"
	# a whole fake dataset "POOL/t/ghost", exported at /, after liar's fsid
	fake=""
	for p in warpstor:fsid warpstor:clients warpstor:options warpstor:replica type mountpoint mounted origin guid; do
		case $p in
		warpstor:replica) v=- ;;
		warpstor:fsid) v=11111111-2222-4333-8444-555555555555 ;;
		warpstor:clients) v='*' ;;
		warpstor:options) v=rw,no_root_squash ;;
		type) v=filesystem ;;
		mountpoint) v=/ ;;
		mounted) v=yes ;;
		origin) v=- ;;
		guid) v=42 ;;
		esac
		fake="$fake"$'\n'"$POOL/t/ghost"$'\t'"$p"$'\t'"$v"$'\t'local
	done
	zfs set "warpstor:fsid=22222222-2222-4333-8444-555555555555"$'\tlocal'"$fake"$'\n'"$POOL/t/liar"$'\twarpstor:fsid\tx' "$POOL/t/liar"
	zfs set 'warpstor:clients=*' "$POOL/t/liar"
	run -0 --separate-stderr "$WS" sync-exports
	echo "$stderr"
	no_root_export
	run ! grep -q ghost /etc/exports.d/warpstor.exports
	run -0 "$WS" list-filesystems "$POOL/t/*"
	refute_output --partial ghost
	run -0 "$WS" -j list-filesystems
	refute_output --partial ghost
	ws_zap "$POOL/t/liar"
}

@test "one dataset with a stray tab fails only itself: destroy, replace, listings and sync go on" {
	"$WS" clone "$POOL/golden@v1" "$POOL/t/ok1" -u 1 -g 1 >/dev/null
	"$WS" clone "$POOL/golden@v1" "$POOL/t/ok2" -u 1 -g 1 >/dev/null
	zfs create "$POOL/t/tab"
	zfs set warpstor:clients=$'10.0.0.1\t10.0.0.2' "$POOL/t/tab"
	zfs set warpstor:fsid=33333333-2222-4333-8444-555555555555 "$POOL/t/tab"
	run -0 --separate-stderr "$WS" -j list-filesystems
	[[ $stderr == *"$POOL/t/tab"* ]]
	assert_output --partial "\"$POOL/t/ok1\""
	refute_output --partial "\"$POOL/t/tab\""
	run -0 "$WS" replace "$POOL/t/ok1" "$POOL/golden@v1" -u 2 -g 2
	[ "$(stat -c %u "$POOLMNT/t/ok1/file")" = 2 ]
	run -0 "$WS" destroy "$POOL/t/ok2"
	run -1 "$WS" exists "$POOL/t/ok2"
	run -0 "$WS" sync-exports
	grep -q "^$POOLMNT/t/ok1 " /etc/exports.d/warpstor.exports
	run ! grep -q "$POOLMNT/t/tab" /etc/exports.d/warpstor.exports
	# the bad one itself: named, with the documented code
	run -65 --separate-stderr "$WS" info "$POOL/t/tab"
	[[ $stderr == *"$POOL/t/tab"*control* ]]
	ws_zap "$POOL/t/tab"
}

@test "a client named -ao (set by hand) never reaches exportfs: the rest of the table stays" {
	"$WS" create-fs "$POOL/t/ao" -u 1 -g 1 --clients 10.0.0.1 >/dev/null
	"$WS" create-fs "$POOL/t/by" -u 1 -g 1 --clients 10.0.0.9 >/dev/null
	zfs set warpstor:clients=-ao "$POOL/t/ao"
	run -0 --separate-stderr "$WS" rename "$POOL/t/ao" "$POOL/t/ao2"
	echo "$stderr"
	[[ $stderr == *"$POOL/t/ao"*"not exported"* ]]
	# the bystander's export is still live, and no -ao anywhere
	run -0 ws_live
	assert_line --regexp "^$POOLMNT/t/by 10\.0\.0\.9\("
	run ! grep -q -- '-ao' /etc/exports.d/warpstor.exports
	run -0 "$WS" sync-exports
	run -0 ws_live
	assert_line --regexp "^$POOLMNT/t/by 10\.0\.0\.9\("
	ws_zap "$POOL/t/ao2"
}

@test "hand-set options and fsids are policy only when valid: replace and rename leave them out" {
	"$WS" clone "$POOL/golden@v1" "$POOL/t/ho" -u 1 -g 1 --clients 10.0.0.4 >/dev/null
	zfs set warpstor:options=rw,no_root_squash,evil "$POOL/t/ho"
	run -0 --separate-stderr "$WS" replace "$POOL/t/ho" "$POOL/golden@v1" -u 1 -g 1
	echo "$stderr"
	[[ $stderr == *"$POOL/t/ho"*evil* ]]
	run ! grep -q evil /etc/exports.d/warpstor.exports
	run ! sh -c 'exportfs -v | grep -q evil'
	run -0 --separate-stderr "$WS" info "$POOL/t/ho"
	assert_line --regexp '^exported +no$'
	# (the new content did not get the invalid policy: nothing to carry)
	zfs set warpstor:fsid=not-a-uuid "$POOL/t/ho"
	zfs set warpstor:clients=10.0.0.4 "$POOL/t/ho"
	zfs set warpstor:options=rw "$POOL/t/ho"
	run -0 --separate-stderr "$WS" rename "$POOL/t/ho" "$POOL/t/ho2"
	[[ $stderr == *"$POOL/t/ho"*"not a UUID"* ]]
	run ! grep -q not-a-uuid /etc/exports.d/warpstor.exports
	run -66 "$WS" vfsid "$POOL/t/ho2"
	ws_zap "$POOL/t/ho2"
}

@test "fsids are unique: a copy is refused, both named; the exported one keeps it, else the older" {
	zfs create "$POOL/t/older"
	"$WS" create-fs "$POOL/t/first" -u 1 -g 1 --clients 10.0.0.5 >/dev/null
	fsid=$(ws_fsid "$POOL/t/first")
	zfs set "warpstor:fsid=$fsid" "$POOL/t/older"
	zfs set warpstor:clients=10.0.0.6 "$POOL/t/older"
	run -0 --separate-stderr "$WS" sync-exports
	echo "$stderr"
	[[ $stderr == *"$POOL/t/older"*"$fsid"*"$POOL/t/first"* ]]
	grep -q "^$POOLMNT/t/first .*fsid=$fsid" /etc/exports.d/warpstor.exports
	run ! grep -q "^$POOLMNT/t/older " /etc/exports.d/warpstor.exports
	[ "$(exportfs -v | grep -c "fsid=$fsid")" = 1 ]
	# nothing in the file: the one made first keeps it
	sed -i "\\|^$POOLMNT/t/first |d" /etc/exports.d/warpstor.exports
	exportfs -u "10.0.0.5:$POOLMNT/t/first"
	run -0 --separate-stderr "$WS" sync-exports
	[[ $stderr == *"$POOL/t/first"*"$fsid"*"$POOL/t/older"* ]]
	grep -q "^$POOLMNT/t/older .*fsid=$fsid" /etc/exports.d/warpstor.exports
	[ "$(exportfs -v | grep -c "fsid=$fsid")" = 1 ]
	# export of a dataset whose kept fsid is another's: 65, both named
	zfs create "$POOL/t/third"
	zfs set "warpstor:fsid=$fsid" "$POOL/t/third"
	run -65 --separate-stderr "$WS" export "$POOL/t/third" --clients 10.0.0.7
	[[ $stderr == *"$POOL/t/third"*"$fsid"*"$POOL/t/"* ]]
	run ! grep -q "^$POOLMNT/t/third " /etc/exports.d/warpstor.exports
	ws_zap "$POOL/t/third"
	ws_zap "$POOL/t/older"
	ws_zap "$POOL/t/first"
	"$WS" sync-exports >/dev/null
}

@test "what a child writes to stderr reaches the terminal with every control byte escaped" {
	real=$(command -v zfs)
	w="$BATS_TEST_TMPDIR/zfs-loud"
	cat > "$w" <<-WRAP
	#!/bin/sh
	if [ "\$1" = promote ]; then
		printf 'cannot \033[2J\033]0;owned\007 promote\r\n' >&2
		exit 1
	fi
	exec '$real' "\$@"
	WRAP
	chmod +x "$w"
	run -69 --separate-stderr env WARPSTOR_ZFS="$w" "$WS" promote "$POOL/t"
	printf '%s' "$stderr" | od -c | head
	[[ $stderr == *'cannot \033[2J\033]0;owned\a promote\r' ]]
	run ! grep -q $'[\001-\010\013-\037\177]' <<< "$stderr"
}

@test "paths go into the exports file with exports(5) escapes; IPv6 clients in brackets" {
	zfs create -o mountpoint="$POOLMNT/t/with space" "$POOL/t/sp"
	run -0 --separate-stderr "$WS" export "$POOL/t/sp" --clients 10.0.0.8
	echo "$stderr"
	grep -q "^$POOLMNT/t/with\\\\040space 10\\.0\\.0\\.8(" /etc/exports.d/warpstor.exports
	run ! grep -q "^$POOLMNT/t/with " /etc/exports.d/warpstor.exports
	run -0 --separate-stderr "$WS" sync-exports
	[ -z "$output" ]
	run -0 "$WS" unexport "$POOL/t/sp"
	run ! grep -q 'with' /etc/exports.d/warpstor.exports
	ws_zap "$POOL/t/sp"
	run -0 --separate-stderr "$WS" create-fs "$POOL/t/v6" -u 1 -g 1 --clients fe80::1
	echo "$stderr"
	run -0 exportfs -v
	assert_output --regexp "$POOLMNT/t/v6[[:space:]]+fe80::1\("
	run -0 "$WS" unexport "$POOL/t/v6"
	run -0 exportfs -v
	refute_output --partial "$POOLMNT/t/v6"
	ws_zap "$POOL/t/v6"
}

# A zfs that, at the call whose words begin with $1, first makes $2 by
# itself (someone else's dataset, there before the step ran), then
# kills warpstor mid-step: the journal says the step was under way.
ws_racing_zfs() {
	local w="$BATS_TEST_TMPDIR/zfs-race" real
	real=$(command -v zfs)
	cat > "$w" <<-WRAP
	#!/bin/sh
	case "\$*" in
	"$1"*) '$real' $3 '$2' >/dev/null 2>&1; kill -9 \$PPID; sleep 5; exit 1 ;;
	esac
	exec '$real' "\$@"
	WRAP
	chmod +x "$w"
	echo "$w"
}

@test "recover destroys only what its run made (warpstor:txn): not a dataset or snapshot that was there" {
	# a clone onto a name that someone else's dataset takes meanwhile
	w=$(ws_racing_zfs clone "$POOL/t/theirs" create)
	WARPSTOR_ZFS=$w run -137 "$WS" clone "$POOL/golden@v1" "$POOL/t/theirs" -u 1 -g 1
	[ -s "$BATS_FILE_TMPDIR/journal" ]
	echo precious > "$POOLMNT/t/theirs/file"
	run -0 "$WS" recover
	echo "$output"
	[ "$(cat "$POOLMNT/t/theirs/file")" = precious ]
	[ -z "$(zfs get -H -s local -o value warpstor:txn "$POOL/t/theirs")" ]
	# the same for a snapshot
	w=$(ws_racing_zfs snapshot "$POOL/t/theirs@s" snapshot)
	WARPSTOR_ZFS=$w run -137 "$WS" snapshot "$POOL/t/theirs@s"
	run -0 "$WS" recover
	run -0 "$WS" snapshot-exists "$POOL/t/theirs@s"
	# what a run did make goes on undo: killed after its own clone
	real=$(command -v zfs)
	w="$BATS_TEST_TMPDIR/zfs-kill-after"
	printf '#!/bin/sh\n%s "$@"; s=$?\ncase "$1" in clone) kill -9 $PPID; sleep 5;; esac\nexit $s\n' "'$real'" > "$w"
	chmod +x "$w"
	WARPSTOR_ZFS=$w run -137 "$WS" clone "$POOL/golden@v1" "$POOL/t/mine" -u 1 -g 1
	[ -n "$(zfs get -H -s local -o value warpstor:txn "$POOL/t/mine")" ]
	run -0 "$WS" recover
	run -1 "$WS" exists "$POOL/t/mine"
	ws_zap "$POOL/t/theirs"
}

@test "lock, journal and configuration: only root's own files, never through a symbolic link (77)" {
	conf=$WARPSTOR_CONFIG
	# a symbolic link planted where the lock goes: the file it points to stays
	echo victim > "$BATS_TEST_TMPDIR/victim"
	ln -s "$BATS_TEST_TMPDIR/victim" "$BATS_TEST_TMPDIR/lnk.lock"
	ws_config "lock_file = $BATS_TEST_TMPDIR/lnk.lock"
	run -77 --separate-stderr "$WS" create-fs "$POOL/t/l1" -u 1 -g 1
	[[ $stderr == *"$BATS_TEST_TMPDIR/lnk.lock"* ]]
	[ "$(cat "$BATS_TEST_TMPDIR/victim")" = victim ]
	run -1 "$WS" exists "$POOL/t/l1"
	# a lock in a folder anyone may write to (/run/lock was the default)
	mkdir -m 1777 "$BATS_TEST_TMPDIR/public"
	ws_config "lock_file = $BATS_TEST_TMPDIR/public/warpstor.lock"
	run -77 --separate-stderr "$WS" create-fs "$POOL/t/l1" -u 1 -g 1
	[[ $stderr == *"$BATS_TEST_TMPDIR/public/warpstor.lock"*folder* ]]
	ws_config
	# a configuration another user may write
	cp "$conf" "$BATS_TEST_TMPDIR/loose.conf"
	chmod 0664 "$BATS_TEST_TMPDIR/loose.conf"
	run -77 --separate-stderr "$WS" -c "$BATS_TEST_TMPDIR/loose.conf" list-vols
	[[ $stderr == *"$BATS_TEST_TMPDIR/loose.conf"* ]]
	chmod 0644 "$BATS_TEST_TMPDIR/loose.conf"
	chown 65534 "$BATS_TEST_TMPDIR/loose.conf"
	run -77 "$WS" -c "$BATS_TEST_TMPDIR/loose.conf" list-vols
	# a journal forged by another user: recover runs nothing of it
	printf 'W 1 1 forged\nU c %s/canary forged\n' "$BATS_TEST_TMPDIR" > "$BATS_FILE_TMPDIR/journal"
	chown 65534 "$BATS_FILE_TMPDIR/journal"
	run -77 --separate-stderr "$WS" recover
	[[ $stderr == *"$BATS_FILE_TMPDIR/journal"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/canary" ]
	rm -f "$BATS_FILE_TMPDIR/journal"
}

@test "a deferred destroy destroys only what it recorded, by guid: not what was made below it since, not a dataset renamed into its place" {
	"$WS" create-fs "$POOL/t/dd" -u 1 -g 1 >/dev/null
	zfs create "$POOL/t/dd/kid"
	zfs snapshot "$POOL/t/dd@s"
	touch "$BATS_TEST_TMPDIR/busy"
	w=$(ws_busy_destroys "$BATS_TEST_TMPDIR/busy")
	run -0 --separate-stderr env WARPSTOR_ZFS="$w" "$WS" destroy -r "$POOL/t/dd"
	[[ $stderr == *"deferred"* ]]
	gone=$(cut -d' ' -f1 "$BATS_FILE_TMPDIR/journal.deferred")
	[[ $gone == "$POOL/t/dd.wsgone."* ]]
	# made after the deferral: a child, and a snapshot
	zfs create "$gone/late"
	zfs snapshot "$gone/kid@late"
	rm "$BATS_TEST_TMPDIR/busy"
	run -0 --separate-stderr "$WS" recover
	[[ $stderr == *"/late was made after the destroy"* ]]
	[[ $stderr == *"/kid@late was made after the destroy"* ]]
	# what was recorded went; what was made since stands, with its parents
	run -0 zfs list -H -t all -o name -r "$POOL/t"
	refute_output --partial "@s"
	assert_output --partial ".wsreap."
	assert_output --partial "/late"
	assert_output --partial "/kid@late"
	# a dataset renamed into the record's place is not the one recorded
	held=$(cut -d' ' -f1 "$BATS_FILE_TMPDIR/journal.deferred")
	# (zfs-fuse renames nothing mounted, and says busy for seconds after
	# an unmount, the reap's or these)
	for _ in $(seq 40); do
		zfs list -H -o name -r "$held" | sort -r |
			while read -r d; do zfs umount "$d" 2>/dev/null || true; done
		zfs rename "$held" "$POOL/t/moved" 2>/dev/null && break
		sleep 0.5
	done
	run -0 zfs list -H -o name "$POOL/t/moved"
	zfs create -o canmount=off "$held"
	run -0 --separate-stderr "$WS" recover
	[[ $stderr == *"is not the dataset whose destroy was deferred"* ]]
	run -0 zfs list -H -o name "$held" "$POOL/t/moved/late"
	[ ! -s "$BATS_FILE_TMPDIR/journal.deferred" ]
	ws_zap "$held"
	ws_zap "$POOL/t/moved"
}

@test "a deferred-destroy list written by another user destroys nothing" {
	zfs create -o canmount=off "$POOL/t/keepme"
	guid=$(zfs get -H -p -o value guid "$POOL/t/keepme")
	printf '%s %s - 0\n' "$POOL/t/keepme" "$guid" > "$BATS_FILE_TMPDIR/journal.deferred"
	chown 65534 "$BATS_FILE_TMPDIR/journal.deferred"
	# any command that takes the lock tries the deferred destroys
	run -0 "$WS" create-fs "$POOL/t/other" -u 1 -g 1
	run -0 "$WS" exists "$POOL/t/keepme"
	run -77 --separate-stderr "$WS" recover
	[[ $stderr == *"journal.deferred"* ]]
	run -0 "$WS" exists "$POOL/t/keepme"
	# root's own list, naming it by its guid, is acted on
	chown 0 "$BATS_FILE_TMPDIR/journal.deferred"
	run -0 "$WS" recover
	assert_output --partial "destroyed $POOL/t/keepme"
	run -1 "$WS" exists "$POOL/t/keepme"
	ws_zap "$POOL/t/other"
}
