#!/usr/bin/env bats
# The admin's side of the command line: options where zfs users type
# them, errors that name the word, help from the command table, JSON from
# every command, progress on a terminal, --human, exit codes.

load helper

setup_file() {
	ws_setup_pool
	zfs create "$POOL/golden"
	mkdir -p "$POOLMNT/golden/var/log" "$POOLMNT/golden/home/a"
	for i in $(seq 1 400); do echo "$i" > "$POOLMNT/golden/home/a/f$i"; done
	echo log > "$POOLMNT/golden/var/log/syslog"
	zfs snapshot "$POOL/golden@v1"
	zfs create "$POOL/u"
}

teardown_file() {
	ws_teardown_pool
}

# run_tty CMD...: CMD with stdin, stdout and stderr on a terminal (script
# makes one); what the terminal showed is in $output, byte for byte.
run_tty() {
	local q
	printf -v q '%q ' "$@"
	run script -qfec "$q" /dev/null
}

@test "-n, -v, -j after the command, as zfs users type them (destroy -nv)" {
	"$WS" create-fs-only "$POOL/u/nv"
	run -0 --separate-stderr "$WS" destroy -nv "$POOL/u/nv"
	assert_output --partial "zfs destroy $POOL/u/nv"
	run -0 "$WS" exists "$POOL/u/nv"
	run -0 "$WS" list-vols -j
	[[ $output == '['*'"name":"'"$POOL"'"'* ]]
	run -0 "$WS" destroy --dry-run --json "$POOL/u/nv"
	[[ $output == '[{"step":"zfs","argv":['* ]]
	# a group that mixes the command's own letters with n
	run -0 "$WS" destroy -rn "$POOL/u/nv"
	assert_output --partial "zfs destroy -r $POOL/u/nv"
	run -0 "$WS" exists "$POOL/u/nv"
	run -0 "$WS" create-fs-only "$POOL/u/nv2" -o comment=x -n
	run -1 "$WS" exists "$POOL/u/nv2"
	# an option's value is never taken for a global flag
	run -65 "$WS" create-fs-only "$POOL/u/nv3" -o -n
	run -1 "$WS" exists "$POOL/u/nv3"
	"$WS" destroy "$POOL/u/nv"
}

@test "errors name the offending word; an unknown command gets the closest" {
	run -64 --separate-stderr "$WS" clone-only "$POOL/golden@v1" "$POOL/u/x" -u 1000
	assert_equal "${stderr_lines[0]}" "warpstor: clone-only: unknown option '-u'"
	run -64 --separate-stderr "$WS" clone "$POOL/golden@v1" "$POOL/u/x" -u 1 -g 1 -x 'var/log/*'
	assert_equal "${stderr_lines[0]}" "warpstor: clone: unknown option '-x'"
	run -64 --separate-stderr "$WS" clone "$POOL/golden@v1" "$POOL/u/x" -u
	assert_equal "${stderr_lines[0]}" "warpstor: clone: option '-u' needs a value"
	run -64 --separate-stderr "$WS" --jsn list-vols
	assert_equal "${stderr_lines[0]}" "warpstor: unknown option '--jsn'; did you mean '--json'?"
	[ "${#stderr_lines[@]}" -le 3 ]
	run -64 --separate-stderr "$WS" list-vols --jsn
	assert_equal "${stderr_lines[0]}" "warpstor: list-vols: unknown option '--jsn'; did you mean '--json'?"
	run -64 --separate-stderr "$WS" -w abc list-vols
	assert_equal "${stderr_lines[0]}" "warpstor: -w takes seconds from 0 to 86400, not 'abc'"
	[ "${#stderr_lines[@]}" -le 3 ]
	run -64 --separate-stderr "$WS" lsit-snapshots
	assert_equal "$stderr" "warpstor: unknown command 'lsit-snapshots'; did you mean 'list-snapshots'?"
	run -1 "$WS" exists "$POOL/u/x"
}

@test "help COMMAND and COMMAND -h explain every option of the synopsis" {
	run -0 "$WS" list-methods
	IFS=, read -r -a cmds <<< "$output"
	[ "${#cmds[@]}" -gt 20 ]
	for c in "${cmds[@]}"; do
		run -0 "$WS" help "$c"
		help=$output
		run -0 "$WS" "$c" -h
		[ "$output" = "$help" ]
		syn=$(head -n 1 <<< "$help")
		[[ $syn == "usage: warpstor $c"* ]]
		# each option of the synopsis has its line under options:
		for o in $(grep -o -- '--\?[A-Za-z][-A-Za-z]*' <<< "${syn#usage: warpstor "$c"}" | sort -u); do
			sed -n '/^options:/,$p' <<< "$help" | grep -q -- "^  .*$o\\b" ||
				{ echo "$c: $o is not explained"; return 1; }
		done
	done
	run -0 "$WS" help
	assert_output --partial "list-exports"
}

@test "-j on mutating commands: one object saying what was done; plain prints the name" {
	run -0 "$WS" -j create-fs "$POOL/u/j1" -u 5 -g 6 --clients 10.0.0.5
	[[ $output =~ ^\{\"name\":\"$POOL/u/j1\",\"fsid\":\"[0-9a-f-]{36}\",\"path\":\"$POOLMNT/u/j1\",\"clients\":\"10.0.0.5\",\"options\":\"[^\"]*\",\"owner\":\"5:6\"\}$ ]]
	fsid=$(zfs get -H -o value warpstor:fsid "$POOL/u/j1")
	[[ $output == *"$fsid"* ]]
	run -0 "$WS" -j snapshot "$POOL/u/j1@s"
	assert_output "{\"name\":\"$POOL/u/j1@s\"}"
	run -0 "$WS" rename "$POOL/u/j1@s" "$POOL/u/j1@t"
	assert_output "$POOL/u/j1@t"
	run -0 "$WS" unexport "$POOL/u/j1"
	assert_output "$POOL/u/j1"
	run -0 "$WS" -j export "$POOL/u/j1" --clients 10.0.0.6
	[[ $output == "{\"name\":\"$POOL/u/j1\",\"fsid\":\"$fsid\",\"path\":\"$POOLMNT/u/j1\",\"clients\":\"10.0.0.6\","* ]]
	run -0 "$WS" rename "$POOL/u/j1" "$POOL/u/j2"
	assert_output "$POOL/u/j2"
	run -0 "$WS" -j destroy -r "$POOL/u/j2"
	assert_output "{\"name\":\"$POOL/u/j2\",\"destroyed\":[\"$POOL/u/j2\",\"$POOL/u/j2@t\"]}"
	run -1 "$WS" exists "$POOL/u/j2"
	run -0 "$WS" -j recover
	assert_output '{"steps":["nothing to recover"]}'
}

@test "-j failures: {\"error\": {code, command, message}} on stdout, the line on stderr" {
	run -66 --separate-stderr "$WS" -j info "$POOL/nope"
	assert_output "{\"error\":{\"code\":66,\"command\":\"info\",\"message\":\"$POOL/nope: does not exist\"}}"
	assert_equal "$stderr" "warpstor: info: $POOL/nope: does not exist"
	run -64 --separate-stderr "$WS" destroy -j
	assert_output '{"error":{"code":64,"command":"destroy","message":"missing operand"}}'
	run -64 --separate-stderr "$WS" -j nosuchcommand
	assert_output "{\"error\":{\"code\":64,\"command\":null,\"message\":\"unknown command 'nosuchcommand'\"}}"
	# a failure rolled back: still one document, with the code it exits with
	run -65 --separate-stderr "$WS" -j snapshot "$POOL/u" 'a@b'
	[[ $output == '{"error":{"code":65,"command":"snapshot",'* ]]
}

@test "snapshot DATASET NAME with an '@' in NAME is bad input (65), not usage" {
	run -65 --separate-stderr "$WS" snapshot "$POOL/u" 'a@b'
	[[ $stderr == *"'a@b'"* ]]
	run -1 "$WS" snapshot-exists "$POOL/u@a"
}

@test "progress on a terminal (chown, filter), cleared at the end; never in a pipe" {
	run_tty "$WS" filtered-clone "$POOL/golden@v1" "$POOL/u/p1" -u 7 -g 7 -x 'var/log/*'
	[ "$status" -eq 0 ]
	[[ $output == *$'\r\033[Kchown -R '"$POOLMNT/u/p1: "*" entries, "* ]]
	[[ $output == *$'\r\033[Kfilter '"$POOLMNT/u/p1: "* ]]
	# cleared: after the last progress line only the name follows
	last=${output##*$'\033[K'}
	[[ $last == "$POOL/u/p1"$'\r'* || $last == "$POOL/u/p1"* ]]
	run -0 stat -c %u:%g "$POOLMNT/u/p1/home/a/f400"
	assert_output 7:7
	run -0 --separate-stderr "$WS" clone "$POOL/golden@v1" "$POOL/u/p2" -u 8 -g 8
	[[ $stderr != *$'\r'* && $stderr != *$'\033'* ]]
	assert_equal "$stderr" ""
	"$WS" destroy "$POOL/u/p1"
	"$WS" destroy "$POOL/u/p2"
}

@test "progress of destroy -r covers the withdraw, the unmounts and the destroy; chown shows its total" {
	zfs create "$POOL/u/many"
	for i in 1 2 3; do
		"$WS" create-fs "$POOL/u/many/d$i" -u 1 -g 1 --clients "10.0.0.$i" >/dev/null
		zfs snapshot "$POOL/u/many/d$i@s"
	done
	run_tty "$WS" destroy -r "$POOL/u/many"
	[ "$status" -eq 0 ]
	[[ $output == *$'\r\033[Kwithdraw: '*"/3 exports"* ]]
	[[ $output == *$'\r\033[Kunmount: '*"/4 datasets"* ]]
	[[ $output == *$'\r\033[K'"destroy: 0/7 datasets and snapshots"* ]]
	run -1 "$WS" exists "$POOL/u/many"
	# chown: done of the filesystem's entries as statvfs counts them
	run_tty "$WS" clone "$POOL/golden@v1" "$POOL/u/ct" -u 3 -g 3
	[ "$status" -eq 0 ]
	re='chown -R [^:]*: [0-9]+/[0-9]+ entries'
	[[ $output =~ $re ]]
	"$WS" destroy "$POOL/u/ct" >/dev/null
}

@test "filters: per-glob counts under -v; a glob that matched nothing is a warning" {
	run -0 --separate-stderr "$WS" -v filtered-clone "$POOL/golden@v1" "$POOL/u/f1" -u 1 -g 1 \
		-x 'var/log/*' -x 'nomatch/*'
	[[ $stderr == *"filter $POOLMNT/u/f1: 'var/log/*': 1 entry removed"* ]]
	[[ $stderr == *"warpstor: warning: filter glob 'nomatch/*' matched nothing in $POOLMNT/u/f1"* ]]
	run -0 --separate-stderr "$WS" filtered-clone "$POOL/golden@v1" "$POOL/u/f2" -u 1 -g 1 -x 'nomatch/*'
	assert_equal "$stderr" "warpstor: warning: filter glob 'nomatch/*' matched nothing in $POOLMNT/u/f2"
	[ ! -e "$POOLMNT/u/f1/var/log/syslog" ]
	"$WS" destroy "$POOL/u/f1"
	"$WS" destroy "$POOL/u/f2"
}

# zfs's rounding (zfs_nicenum), written again here in awk to check ours
nicenum() {
	awk -v n="$1" 'BEGIN {
		split("B K M G T P E", u, " "); i = 1; v = n; d = 1
		while (v >= 1024 && i < 7) { v = int(v / 1024); d *= 1024; i++ }
		if (i == 1 || n % d == 0) { printf "%d%s\n", v, u[i]; exit }
		for (p = 2; p >= 0; p--) { s = sprintf("%.*f%s", p, n / d, u[i]); if (length(s) <= 5) break }
		print s }'
}

@test "--human: sizes rounded as zfs rounds them, dates in ISO 8601, everywhere" {
	used=$("$WS" used-space "$POOL")
	run -0 "$WS" used-space --human "$POOL"
	assert_output "$(nicenum "$used")"
	avail=$("$WS" available-space "$POOL")
	run -0 "$WS" available-space "$POOL" --human
	assert_output "$(nicenum "$avail")"
	run -0 "$WS" info --human "$POOL/golden"
	assert_line --regexp '^creation   [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
	ref=$(zfs get -H -p -o value referenced "$POOL/golden")
	assert_line "referenced $(nicenum "$ref")"
	created=$(zfs get -H -p -o value creation "$POOL/golden")
	assert_line "creation   $(date -u -d "@$created" +%Y-%m-%dT%H:%M:%SZ)"
	[ "$(nicenum 8974336)" = 8.56M ] && [ "$(nicenum 10239)" = 10.0K ] && [ "$(nicenum 1024)" = 1K ]
	# -h stays help, even where --human is an option
	run -0 "$WS" available-space -h
	assert_output --partial "--human"
}

@test "list-snapshots DATASET: its snapshots, in the order they were made (createtxg)" {
	zfs create "$POOL/u/ord"
	# three in the same second, named against their order
	zfs snapshot "$POOL/u/ord@c"
	zfs snapshot "$POOL/u/ord@a"
	zfs snapshot "$POOL/u/ord@b"
	zfs create "$POOL/u/ord2"
	zfs snapshot "$POOL/u/ord2@z"
	run -0 "$WS" list-snapshots "$POOL/u/ord"
	assert_output "$(printf '%s\n' "$POOL/u/ord@c" "$POOL/u/ord@a" "$POOL/u/ord@b")"
	run -0 "$WS" -j list-snapshots "$POOL/u/ord"
	[[ $output == '[{"name":"'"$POOL/u/ord@c"'",'*'{"name":"'"$POOL/u/ord@a"'",'*'{"name":"'"$POOL/u/ord@b"'",'* ]]
	run -0 "$WS" list-snapshots "$POOL/u/ord*"
	[ "${#lines[@]}" -eq 4 ]
	"$WS" destroy -r "$POOL/u/ord"
	"$WS" destroy -r "$POOL/u/ord2"
}

@test "rebuild-vol: declining at the terminal is not a usage error (77, no usage)" {
	zpool_vdev="$BATS_TEST_TMPDIR/vdev2"
	truncate -s 128M "$zpool_vdev"
	vol="${POOL}_rb"
	zpool create -m "$POOLMNT/../$vol" "$vol" "$zpool_vdev"
	zfs create "$vol/keep"
	run script -qfec "'$WS' rebuild-vol '$vol'" /dev/null <<< "nope"
	[ "$status" -eq 77 ]
	[[ $output == *"not confirmed: nothing was destroyed"* ]]
	[[ $output != *"usage:"* ]]
	run -0 "$WS" exists "$vol/keep"
	ws_teardown_pool "$vol"
}

@test "the recover hint names the -c in use; a warning is said once a run" {
	conf="$BATS_TEST_TMPDIR/c.conf"
	cp "$WARPSTOR_CONFIG" "$conf"
	# an exports file exportfs -r does not read: one warning, not three
	echo "exports_file = $BATS_TEST_TMPDIR/out.exports" >> "$conf"
	sed -i '/^exports_file = \/etc/d' "$conf"
	run -0 --separate-stderr env -u WARPSTOR_CONFIG "$WS" -c "$conf" create-fs "$POOL/u/w1" -u 1 -g 1 --clients 10.0.0.1,10.0.0.2,10.0.0.3
	[ "$(grep -c 'is not a /etc/exports.d' <<< "$stderr")" -eq 1 ]
	run -0 --separate-stderr env -u WARPSTOR_CONFIG "$WS" -c "$conf" destroy "$POOL/u/w1"
	[ "$(grep -c 'is not a /etc/exports.d' <<< "$stderr")" -le 1 ]
	# a command cut off: the hint to copy carries -c FILE
	printf 'W 1 1 cut-off\n' > "$BATS_FILE_TMPDIR/journal"
	run -70 --separate-stderr env -u WARPSTOR_CONFIG "$WS" -c "$conf" create-fs-only "$POOL/u/w2"
	[[ $stderr == *"run 'warpstor -c $conf recover'"* ]]
	run -0 env -u WARPSTOR_CONFIG "$WS" -c "$conf" recover
	run -1 "$WS" exists "$POOL/u/w2"
}
