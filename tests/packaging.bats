#!/usr/bin/env bats
# make deb and make rpm build packages that hold the binary, the man
# pages, the completion, the configuration and the boot unit, and that
# work from where they install.

load helper

setup_file() {
	export SRC="$BATS_FILE_TMPDIR/src"
	mkdir -p "$SRC"
	tar -C "$WS_TOP" --exclude=./build --exclude=./.git --exclude='*.deb' \
		--exclude='*.rpm' --exclude='./warpstor' --exclude='./warpstor-asan' \
		--exclude='*.o' -cf - . | tar -C "$SRC" -xf -
}

@test "make deb: lintian finds no error; installed into a scratch root, it runs" {
	command -v dpkg-buildpackage >/dev/null || skip "no dpkg-buildpackage"
	run -0 make -C "$SRC" -s deb
	deb=$(ls "$SRC"/warpstor_*_*.deb)
	pydeb=$(ls "$SRC"/python3-lwarpstor_*_all.deb)
	run -0 dpkg-deb -c "$pydeb"
	assert_output --partial " ./usr/lib/python3/dist-packages/lwarpstor/__init__.py"
	run -0 dpkg-deb -f "$pydeb" Depends
	assert_output --partial "python3"
	run -0 dpkg-deb -c "$deb"
	for f in ./usr/sbin/warpstor ./usr/share/man/man8/warpstor.8.gz \
		./usr/share/man/man5/warpstor.conf.5.gz \
		./usr/share/bash-completion/completions/warpstor \
		./usr/share/zsh/vendor-completions/_warpstor \
		./usr/lib/ocf/resource.d/warpstor/warpstor-exports \
		./etc/warpstor.conf ./etc/warpstor/filter \
		./lib/systemd/system/warpstor-exports.service \
		./lib/systemd/system/warpstor-recover.service \
		./lib/systemd/system/warpstor-recover.timer \
		./lib/systemd/system/warpstor-metrics.service \
		./lib/systemd/system/warpstor-metrics.timer \
		./etc/logrotate.d/warpstor; do
		assert_output --partial " $f"
	done
	run -0 dpkg-deb -f "$deb" Depends
	assert_output --partial "zfsutils-linux | zfs-fuse"
	assert_output --partial "nfs-kernel-server"
	assert_output --partial "libbsd0"
	[ "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles | sort)" = "$(printf '/etc/logrotate.d/warpstor\n/etc/warpstor.conf\n/etc/warpstor/filter')" ]
	run -0 dpkg-deb --ctrl-tarfile "$deb"
	dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./postinst | grep -q 'warpstor-exports.service'
	if command -v lintian >/dev/null; then
		run lintian "$deb" "$pydeb"
		echo "$output" | sed 's/^/# lintian: /' >&3
		refute_line --regexp '^E: '
	fi
	root="$BATS_TEST_TMPDIR/root"
	dpkg -x "$deb" "$root"
	run -0 "$root/usr/sbin/warpstor" version
	assert_output --regexp '^warpstor [0-9.]+, zfs '
	grep -q 'ExecStart=/usr/sbin/warpstor -w 120 sync-exports' "$root/lib/systemd/system/warpstor-exports.service"
	grep -q 'ExecStart=/usr/sbin/warpstor -w 120 recover' "$root/lib/systemd/system/warpstor-recover.service"
	dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./postinst | grep -q 'warpstor-recover.timer'
	dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./postinst | grep -q 'warpstor-metrics.timer'
	# the packaged completion, with the packaged binary
	run -0 bash -c "source /usr/share/bash-completion/bash_completion
		source '$root/usr/share/bash-completion/completions/warpstor'
		PATH='$root/usr/sbin':\$PATH
		COMP_WORDS=(warpstor list-s); COMP_CWORD=1; COMP_LINE='warpstor list-s'; COMP_POINT=15
		_warpstor; printf '%s\n' \"\${COMPREPLY[@]}\""
	assert_output list-snapshots
	# the packaged Python API, with the packaged binary
	dpkg -x "$pydeb" "$root"
	run -0 env PYTHONPATH="$root/usr/lib/python3/dist-packages" python3 -c \
		"import lwarpstor; print(lwarpstor.WarpStor(binary='$root/usr/sbin/warpstor').list_vols is not None)"
	assert_output True
	# and the packaged configuration is a valid one
	run -0 "$root/usr/sbin/warpstor" -c "$root/etc/warpstor.conf" list-methods
}

@test "make rpm: rpmbuild -bb builds a package with the same files" {
	command -v rpmbuild >/dev/null || skip "no rpmbuild"
	run -0 make -C "$SRC" -s rpm
	rpm=$(ls "$SRC"/warpstor-*.rpm)
	run -0 rpm -qlp "$rpm"
	for f in /usr/sbin/warpstor /usr/share/man/man8/warpstor.8 \
		/usr/share/bash-completion/completions/warpstor \
		/usr/share/zsh/site-functions/_warpstor /etc/warpstor.conf \
		/etc/warpstor/filter /usr/lib/systemd/system/warpstor-exports.service \
		/usr/lib/systemd/system/warpstor-recover.service \
		/usr/lib/systemd/system/warpstor-recover.timer \
		/usr/lib/systemd/system/warpstor-metrics.service \
		/usr/lib/systemd/system/warpstor-metrics.timer \
		/etc/logrotate.d/warpstor; do
		assert_line "$f"
	done
	root="$BATS_TEST_TMPDIR/rroot"
	mkdir -p "$root"
	(cd "$root" && rpm2cpio "$rpm" | cpio -idm --quiet)
	run -0 "$root/usr/sbin/warpstor" version
	assert_output --regexp '^warpstor [0-9.]+, '
}
