# warpstor: hand out ZFS datasets to users over NFS.

VERSION      = 0.1.0

PREFIX      ?= /usr/local
SBINDIR     ?= $(PREFIX)/sbin
DATADIR     ?= $(PREFIX)/share
MANDIR      ?= $(DATADIR)/man
BASH_COMPDIR ?= $(DATADIR)/bash-completion/completions
ZSH_COMPDIR ?= $(DATADIR)/zsh/vendor-completions
OCF_DIR     ?= $(PREFIX)/lib/ocf/resource.d/warpstor
# Where Debian's python3 finds a module installed under PREFIX.
PYTHON_SITEDIR ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/python3/dist-packages,$(PREFIX)/lib/$(shell python3 -c 'import sys; print("python%d.%d" % sys.version_info[:2])' 2>/dev/null || echo python3)/dist-packages)
SYSCONFDIR  ?= /etc
DESTDIR     ?=

CC          ?= cc
PKG_CONFIG  ?= pkg-config
INSTALL     ?= install

DEPS_CFLAGS := $(shell $(PKG_CONFIG) --cflags libbsd-overlay json-c 2>/dev/null)
DEPS_LIBS   := $(shell $(PKG_CONFIG) --libs libbsd-overlay json-c 2>/dev/null)

WARN         = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
               -Wmissing-prototypes -Wpointer-arith -Wformat=2
ALL_CFLAGS   = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE \
               -DWARPSTOR_VERSION='"$(VERSION)"' $(WARN) -iquote src $(DEPS_CFLAGS) \
               $(CPPFLAGS) $(CFLAGS)
CFLAGS      ?= -O2 -g

# The sources by layer, top to bottom: each folder may include its own
# headers and those of the folders below it, never above (make layers).
LAYERS       = cli cmd model zfs nfs fs txn run lib
CLI_SRCS     = src/cli/main.c src/cli/table.c src/cli/about.c
CMD_SRCS     = src/cmd/parse.c src/cmd/create.c src/cmd/export.c \
               src/cmd/status.c \
               src/cmd/lifecycle.c src/cmd/query.c src/cmd/recover.c \
               src/cmd/replace.c src/cmd/replicate.c
MODEL_SRCS   = src/model/state.c src/model/deferred.c src/model/dsname.c
ZFS_SRCS     = src/zfs/zfs.c src/zfs/node.c
NFS_SRCS     = src/nfs/nfs.c src/nfs/nfsd.c
FS_SRCS      = src/fs/fsops.c src/fs/filter.c
TXN_SRCS     = src/txn/txn.c src/txn/journal.c src/txn/lock.c
RUN_SRCS     = src/run/tool.c src/run/spawn.c
LIB_SRCS     = src/lib/util.c src/lib/argv.c src/lib/output.c \
               src/lib/progress.c src/lib/validate.c src/lib/file.c \
               src/lib/config.c
SRCS = $(CLI_SRCS) $(CMD_SRCS) $(MODEL_SRCS) $(ZFS_SRCS) $(NFS_SRCS) \
       $(FS_SRCS) $(TXN_SRCS) $(RUN_SRCS) $(LIB_SRCS)
HDRS = $(wildcard src/*/*.h)
OBJS = $(SRCS:.c=.o)

all: warpstor

# The same program with AddressSanitizer and UndefinedBehaviorSanitizer
# (clang), for the test suite's second pass.
SAN_CC      ?= clang
SAN_FLAGS    = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
               -fno-sanitize-recover=all
warpstor-asan: $(SRCS) $(HDRS) Makefile
	$(SAN_CC) -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE \
	    -DWARPSTOR_VERSION='"$(VERSION)"' $(WARN) -iquote src $(DEPS_CFLAGS) \
	    $(SAN_FLAGS) \
	    -o $@ $(SRCS) $(DEPS_LIBS)

warpstor: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(DEPS_LIBS) $(LDLIBS)

src/%.o: src/%.c $(HDRS) Makefile
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Every build and test dependency, with apt-get, idempotently.
deps:
	sh packaging/install-deps

# Unit tests: no root, no zfs, seconds: the layout rules, the
# validators and parsers one call at a time (tests/unit/check), every
# fuzz seed replayed through its harness with this compiler
# (tests/unit/replay-*), and src/nfs/nfsd.c against a states folder the
# test writes (the test build alone names it).
FUZZ_TARGETS = names clients options filter config zfs exports journal nfsd
LIB_OBJS     = $(filter-out src/cli/%.o,$(OBJS))
UNIT_BINS    = tests/unit/nfsd-test tests/unit/check \
               $(FUZZ_TARGETS:%=tests/unit/replay-%)
tests/unit/nfsd-test: tests/unit/nfsd_test.c src/nfs/nfsd.c src/lib/file.c \
    src/lib/util.c $(HDRS) Makefile
	$(CC) $(ALL_CFLAGS) -DNFSD_TEST \
	    -o $@ tests/unit/nfsd_test.c src/nfs/nfsd.c src/lib/file.c \
	    src/lib/util.c \
	    $(DEPS_LIBS)

tests/unit/check: tests/unit/check.c $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ tests/unit/check.c $(LIB_OBJS) $(DEPS_LIBS)

tests/unit/replay-%: tests/fuzz/fuzz.c tests/unit/replay.c $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) -DFUZZ_$(shell echo $* | tr a-z A-Z) -o $@ \
	    tests/fuzz/fuzz.c tests/unit/replay.c $(LIB_OBJS) $(DEPS_LIBS)

check-unit: $(UNIT_BINS)
	bats --formatter tap tests/unit

# Static checks: cppcheck and clang-tidy (.clang-tidy), warnings are errors.
LINT_DEFS    = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -DWARPSTOR_VERSION='"0"' \
               -iquote src
lint:
	cppcheck --enable=warning,portability,performance --error-exitcode=1 \
	    --quiet --suppress=missingIncludeSystem -I src $(SRCS)
	clang-tidy --quiet $(SRCS) -- $(LINT_DEFS) $(DEPS_CFLAGS)

# libFuzzer harnesses of every parser and validator, FUZZ_SECONDS each
# (longer by hand: make fuzz FUZZ_SECONDS=3600).
FUZZ_SECONDS ?= 30
fuzz:
	tests/fuzz/run $(FUZZ_SECONDS)

# The static checks, a bounded fuzz run, then the whole suite once with
# each build; fails on any warning, crash, test failure or sanitizer report.
check: lint fuzz check-unit warpstor warpstor-asan
	WS_BINARIES="$(CURDIR)/warpstor $(CURDIR)/warpstor-asan" tests/run

# A representative part of the suite with every warpstor under valgrind.
VALGRIND_TESTS = tests/query.bats tests/cli.bats tests/create.bats \
                 tests/exports.bats tests/lifecycle.bats
valgrind: warpstor
	WS_BINARIES="$(CURDIR)/tests/lib/valgrind-warpstor" tests/run \
	    $(VALGRIND_TESTS)

# The suite in the lab VM, on OpenZFS 2.1 (slow: not part of check).
check-openzfs:
	tests/openzfs

# Packages: a Debian binary package (dpkg-buildpackage, debhelper 13) and
# an RPM (rpmbuild -bb), built from a copy of the tree under build/.
deb:
	rm -rf build/deb
	mkdir -p build/deb/warpstor-$(VERSION)
	tar --exclude=./build --exclude=./.git --exclude='*.deb' \
	    --exclude='*.rpm' -cf - . | tar -C build/deb/warpstor-$(VERSION) -xf -
	cp -r packaging/debian build/deb/warpstor-$(VERSION)/debian
	cd build/deb/warpstor-$(VERSION) && $(MAKE) -s clean && \
	    dpkg-buildpackage -b -us -uc
	cp build/deb/warpstor_$(VERSION)-1_*.deb \
	    build/deb/python3-lwarpstor_$(VERSION)-1_all.deb .

rpm:
	rm -rf build/rpm
	mkdir -p build/rpm/SOURCES build/rpm/warpstor-$(VERSION)
	tar --exclude=./build --exclude=./.git --exclude='*.deb' \
	    --exclude='*.rpm' -cf - . | tar -C build/rpm/warpstor-$(VERSION) -xf -
	tar -C build/rpm -czf build/rpm/SOURCES/warpstor-$(VERSION).tar.gz \
	    warpstor-$(VERSION)
	rpmbuild -bb --nodeps --define "_topdir $(CURDIR)/build/rpm" \
	    --define "version $(VERSION)" packaging/rpm/warpstor.spec
	cp build/rpm/RPMS/*/warpstor-$(VERSION)-*.rpm .

demo: warpstor
	tests/demo

install: warpstor
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(BASH_COMPDIR) \
	    $(DESTDIR)$(ZSH_COMPDIR) $(DESTDIR)$(SYSCONFDIR)
	$(INSTALL) -m 0755 warpstor $(DESTDIR)$(SBINDIR)/warpstor
	$(INSTALL) -m 0644 man/warpstor.8 $(DESTDIR)$(MANDIR)/man8/warpstor.8
	$(INSTALL) -m 0644 man/warpstor.conf.5 \
	    $(DESTDIR)$(MANDIR)/man5/warpstor.conf.5
	$(INSTALL) -m 0644 completions/warpstor.bash \
	    $(DESTDIR)$(BASH_COMPDIR)/warpstor
	$(INSTALL) -m 0644 completions/_warpstor \
	    $(DESTDIR)$(ZSH_COMPDIR)/_warpstor
	$(INSTALL) -d $(DESTDIR)$(OCF_DIR)
	$(INSTALL) -m 0755 packaging/ocf/warpstor-exports \
	    $(DESTDIR)$(OCF_DIR)/warpstor-exports
	$(INSTALL) -d $(DESTDIR)$(PYTHON_SITEDIR)/lwarpstor
	$(INSTALL) -m 0644 bindings/python/lwarpstor/__init__.py \
	    $(DESTDIR)$(PYTHON_SITEDIR)/lwarpstor/__init__.py
	$(INSTALL) -m 0644 packaging/warpstor.conf.sample \
	    $(DESTDIR)$(SYSCONFDIR)/warpstor.conf.sample

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/warpstor \
	    $(DESTDIR)$(MANDIR)/man8/warpstor.8 \
	    $(DESTDIR)$(MANDIR)/man5/warpstor.conf.5 \
	    $(DESTDIR)$(BASH_COMPDIR)/warpstor \
	    $(DESTDIR)$(ZSH_COMPDIR)/_warpstor \
	    $(DESTDIR)$(PYTHON_SITEDIR)/lwarpstor/__init__.py \
	    $(DESTDIR)$(OCF_DIR)/warpstor-exports \
	    $(DESTDIR)$(SYSCONFDIR)/warpstor.conf.sample

clean:
	rm -f warpstor warpstor-asan $(OBJS) $(UNIT_BINS)
	rm -rf build

.PHONY: all check check-openzfs check-unit clean deb demo deps fuzz install lint \
	rpm uninstall valgrind
