#!/usr/bin/env bats
# Hostile input: every case gets its documented exit code, one error line
# on stderr naming the command, nothing on stdout, and no change at all.

load helper

setup_file() {
	ws_setup_pool
	zfs create "$POOL/a"
	zfs snapshot "$POOL/a@s"
	"$WS" create-fs "$POOL/exp" -u 1 -g 1 --clients 10.0.0.1 >/dev/null
}

teardown_file() {
	ws_teardown_pool
}

# expect CODE ARG...: run warpstor ARG... and check the outcome.
expect() {
	local want=$1 out err rc
	shift
	ncases=$((ncases + 1))
	out="$BATS_TEST_TMPDIR/out" err="$BATS_TEST_TMPDIR/err"
	"$WS" "$@" > "$out" 2> "$err" && rc=0 || rc=$?
	if [ "$rc" -ne "$want" ]; then
		printf 'case %q: exit %s, want %s: %s\n' "$*" "$rc" "$want" "$(cat "$err")"
		bad=$((bad + 1))
		return 0
	fi
	if [ "$want" -ge 64 ]; then
		if [ -s "$out" ] || [ "$(wc -l < "$err")" -lt 1 ] ||
		    ! head -n 1 "$err" | grep -q '^warpstor: '; then
			printf 'case %q: output not one error line:\n' "$*"
			cat "$out" "$err"
			bad=$((bad + 1))
		fi
	fi
	# a usage error adds the synopsis; anything else is exactly one line
	if [ "$want" -ge 65 ] && [ "$(wc -l < "$err")" -ne 1 ]; then
		printf 'case %q: more than one line on stderr:\n' "$*"
		cat "$err"
		bad=$((bad + 1))
	fi
	return 0
}

setup() {
	ncases=0 bad=0
	ws_state > "$BATS_TEST_TMPDIR/before"
	canary="$BATS_TEST_TMPDIR/canary"
	rm -f "$canary"
}

# After the table: no case failed, and nothing changed anywhere.
finish() {
	ws_state > "$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	[ ! -e "$canary" ]
	echo "# $ncases cases" >&3
	[ "$bad" -eq 0 ]
}

@test "hostile dataset and snapshot names: 65, nothing run" {
	long255="$POOL/$(printf 'x%.0s' $(seq $((254 - ${#POOL}))))"
	[ ${#long255} -eq 255 ]
	expect 1 exists "$long255"
	expect 65 exists "${long255}y"
	expect 65 exists "$POOL/$(printf 'y%.0s' $(seq 300))"
	expect 65 exists "$POOL/a b"
	expect 65 exists "$POOL/a"$'\n'"b"
	expect 65 exists "$POOL/a"$'\t'"b"
	expect 65 exists "$POOL/\$(touch $canary)"
	expect 65 exists "$POOL/\`touch $canary\`"
	expect 65 exists "$POOL/a;touch $canary"
	expect 65 exists "$POOL/a|touch"
	expect 65 exists "$POOL/a'b"
	expect 65 exists "$POOL/a\"b"
	expect 65 exists "$POOL/.."
	expect 65 exists "$POOL/../etc"
	expect 65 exists "$POOL/."
	expect 65 exists "$POOL//a"
	expect 65 exists "$POOL/"
	expect 65 exists "/$POOL"
	expect 65 exists ""
	expect 65 exists -- "-$POOL"
	expect 65 exists "$POOL/-a"
	expect 65 exists "$POOL/a*"
	expect 65 exists "$POOL/a#bm"
	expect 65 exists "$POOL/a%b"
	expect 65 exists "$POOL/"$'\xff\xfe'
	expect 65 exists "$POOL/caf"$'\xc3\xa9'
	expect 65 exists "$POOL/a"$'\x01'
	expect 65 exists "$POOL/a@s"
	expect 65 snapshot-exists "$POOL/a@@s"
	expect 65 snapshot-exists "$POOL/a@s@t"
	expect 65 snapshot-exists "$POOL/a@"
	expect 65 snapshot-exists "@s"
	expect 65 snapshot-exists "$POOL/a@-s"
	expect 65 snapshot-exists "$POOL/a@s/t"
	expect 65 snapshot-exists "$POOL/a@.."
	expect 65 snapshot-exists "$POOL/a"
	expect 65 info "$POOL/a b"
	expect 65 vfsid "$POOL/a@s"
	expect 65 used-space "$POOL/x y"
	expect 65 available-space "../$POOL"
	finish
}

@test "hostile patterns: 65" {
	expect 65 list-filesystems "$POOL/a b"
	expect 65 list-filesystems "\$(touch $canary)"
	expect 65 list-filesystems "\`id\`"
	expect 65 list-snapshots "a\\b"
	expect 65 list-snapshots ""
	expect 65 list-snapshots -- "-x"
	expect 65 list-snapshots "{a,b}"
	expect 65 list-snapshots "*"$'\n'"*"
	expect 65 list-filesystems "$(printf 'z%.0s' $(seq 300))"
	expect 65 list-filesystems "a;b"
	expect 0 list-filesystems "$POOL/[ab]*"
	finish
}

@test "hostile options and operands: 64 with the synopsis" {
	expect 64 -w abc list-vols
	expect 64 -w -1 list-vols
	expect 64 -w 99999999 list-vols
	expect 64 -Z list-vols
	expect 64 --bogus list-vols
	expect 64 -c
	expect 64 no-such-command
	expect 64 'list-vols;id'
	expect 64 list-vols extra
	expect 64 exists
	expect 64 exists "$POOL/a" "$POOL/b"
	expect 64 exists -rf "$POOL/a"
	expect 64 used-space --bogus
	expect 64 used-space "$POOL" "$POOL"
	expect 64 info --humane "$POOL/a"
	expect 64
	finish
}

@test "hostile configuration lines: 78 naming file and line" {
	conf="$BATS_TEST_TMPDIR/hostile.conf"
	cfg() {
		printf '%s\n' "# a comment" "$1" > "$conf"
		expect 78 -c "$conf" list-vols
		grep -q "^warpstor: list-vols: $conf:2: " "$BATS_TEST_TMPDIR/err" || {
			echo "no file:line for: $1"; cat "$BATS_TEST_TMPDIR/err"; bad=$((bad + 1)); }
	}
	cfg "foo = bar"
	cfg "just words"
	cfg "export_clients = *(rw,no_root_squash"
	cfg "export_clients = host1 host2"
	cfg "export_clients = *,\$(touch $canary)"
	cfg "export_clients = @-net"
	cfg "export_clients = 10.0.0.0/33"
	cfg "export_clients ="
	cfg "export_options = rw,fsid=0"
	cfg "export_options = rw) *(rw,no_root_squash"
	cfg "export_options = rw,insecure_lockz"
	cfg "export_options = rw,,sync"
	cfg "export_options = anonuid=root"
	cfg "export_options = sec=krb9"
	cfg "export_options = mountpoint=../../etc"
	cfg "mode = 999"
	cfg "mode = 0755x"
	cfg "mode = 17777"
	cfg "exports_file = relative/warpstor.exports"
	cfg "exports_file = /etc/exports.d/a b.exports"
	cfg "lock_file = lock"
	cfg "zfs = -rf"
	cfg "zfs = ../zfs"
	cfg "default_volume = a/b"
	cfg "default_volume = \$(id)"
	cfg "type.x y = compression=on"
	cfg "type.x = quota=1G \$(touch $canary)"
	cfg "type.x = warpstor:fsid=abc"
	cfg "type.x ="
	cfg "type. = compression=on"
	printf '%s\n' "mode = 0750" "mode = 0700" > "$conf"
	expect 78 -c "$conf" list-vols
	grep -q ":2: mode: key given twice" "$BATS_TEST_TMPDIR/err"
	expect 78 -c "$BATS_TEST_TMPDIR/missing.conf" list-vols
	finish
}

@test "hostile input to the commands that change things: refused, nothing changed" {
	c=$POOL/new
	# clients built to break an exports line or let someone in
	expect 65 create-fs "$c" -u 1 -g 1 --clients '*(rw,no_root_squash'
	expect 65 create-fs "$c" -u 1 -g 1 --clients '*(rw) evil(rw,no_root_squash)'
	expect 65 create-fs "$c" -u 1 -g 1 --clients '10.0.0.1 *'
	expect 65 create-fs "$c" -u 1 -g 1 --clients '10.0.0.1'$'\n''/etc *(rw)'
	expect 65 create-fs "$c" -u 1 -g 1 --clients '10.0.0.1,,*'
	expect 65 create-fs "$c" -u 1 -g 1 --clients 'host#comment'
	expect 65 create-fs "$c" -u 1 -g 1 --clients '-host'
	expect 65 create-fs "$c" -u 1 -g 1 --clients '10.0.0.1/99'
	expect 65 create-fs "$c" -u 1 -g 1 --clients '@'
	expect 65 create-fs "$c" -u 1 -g 1 --clients ''
	expect 65 export "$POOL/a" --clients '"*"'
	# options built to add no_root_squash or another fsid
	expect 65 create-fs "$c" -u 1 -g 1 --export-options 'rw) *(rw,no_root_squash'
	expect 65 create-fs "$c" -u 1 -g 1 --export-options 'rw no_root_squash'
	expect 65 create-fs "$c" -u 1 -g 1 --export-options 'rw,fsid=1'
	expect 65 create-fs "$c" -u 1 -g 1 --export-options 'rw,FSID=1'
	expect 65 create-fs "$c" -u 1 -g 1 --export-options 'rw,'$'\n''/ *(rw)'
	expect 65 create-fs "$c" -u 1 -g 1 --export-options 'rw,refer=/x@host'
	expect 65 create-fs "$c" -u 1 -g 1 --export-options 'rw,anonuid=-1'
	expect 65 export "$POOL/exp" --export-options 'rw,mountpoint=/a b'
	# ids out of range or unknown
	expect 65 create-fs "$c" -u 4294967295 -g 1
	expect 65 create-fs "$c" -u 4294967296 -g 1
	expect 65 create-fs "$c" -u 99999999999999999999 -g 1
	expect 65 create-fs "$c" -u 1 -g -1
	expect 65 create-fs "$c" -u 1 -g 0x10
	expect 65 create-fs "$c" -u 'root;id' -g 1
	expect 65 clone "$POOL/a@s" "$c" -u '' -g 1
	# names everywhere
	expect 65 create-fs "$POOL/\$(touch $canary)" -u 1 -g 1
	expect 65 create-fs-only "$POOL/a b"
	expect 65 snapshot "$POOL/a@s t"
	expect 65 snapshot "$POOL/a" '`id`'
	expect 65 clone "$POOL/a@s" "$POOL/../x" -u 1 -g 1
	expect 65 clone-only "$POOL/a" "$c"
	expect 65 rename "$POOL/a" "$POOL/a"$'\t'"b"
	expect 65 destroy "$POOL/a@s@t"
	expect 65 destroy -r "$POOL//a"
	expect 65 replace "$POOL/exp" "$POOL/a@s;rm" -u 1 -g 1
	expect 65 replace "$POOL/exp" "$POOL/a@s" -u 1 -g 1 --keep "$POOL/exp old"
	expect 65 promote -- "-$POOL"
	expect 64 promote "-$POOL"
	expect 65 unexport "$POOL/exp@s"
	expect 65 rebuild-vol "$POOL/a"
	# filter globs escaping the dataset
	expect 65 filtered-clone "$POOL/a@s" "$c" -u 1 -g 1 -x '/etc/passwd'
	expect 65 filtered-clone "$POOL/a@s" "$c" -u 1 -g 1 -x '../../etc'
	expect 65 filtered-clone "$POOL/a@s" "$c" -u 1 -g 1 -x 'a/../../b'
	expect 65 filtered-clone "$POOL/a@s" "$c" -u 1 -g 1 -x './x'
	expect 65 filtered-clone "$POOL/a@s" "$c" -u 1 -g 1 -x 'x'$'\n''/etc'
	# properties
	expect 65 create-fs "$c" -u 1 -g 1 -o 'warpstor:clients=*'
	expect 65 create-fs "$c" -u 1 -g 1 -o 'mountpoint=/tmp x'
	expect 65 create-fs "$c" -u 1 -g 1 -o '=on'
	expect 65 create-fs "$c" -u 1 -g 1 -o 'Quota=1G'
	expect 65 create-fs "$c" -u 1 -g 1 -t '../etc'
	finish
}
