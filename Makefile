# SPDX-License-Identifier: GPL-2.0
#
# taskstate: `make` builds everything, `make check` tests it in a VM,
# `make demo` shows it.  See README.md.

SHELL := /bin/bash
.DEFAULT_GOAL := all

# Install missing Debian packages before anything needs them.  Cheap when
# all are there; skipped for targets that must not touch the system.
ifeq ($(filter deps clean help,$(MAKECMDGOALS)),)
  $(shell scripts/deps >&2)
endif

KVER ?= $(shell scripts/kver 2>/dev/null)
ifneq ($(wildcard /lib/modules/$(shell uname -r)/build),)
  KDIR ?= /lib/modules/$(shell uname -r)/build
else
  KDIR ?= /lib/modules/$(KVER)/build
endif
KSRC = $(shell scripts/kernel-src)
KBUILD = $(MAKE) -C $(KDIR) M=$(CURDIR) W=1

.PHONY: all deps module userspace po selftests bench bench-build check install uninstall \
	compat check-packaging checkpatch sparse demo check-debug \
	clean help

all: module userspace po selftests bench-build

deps:
	scripts/deps

module:
	$(KBUILD) modules

userspace:
	$(MAKE) -C userspace

# The message catalogues (po/zh_CN.po) compiled for the tools' --lang zh.
po:
	$(MAKE) -C po

bench-build: userspace
	$(MAKE) -C bench
	$(MAKE) -C bench/icount

# Instruction counts first (bench/icount/run: two boots under -icount),
# then the wall-clock view (one boot); tables and plots in bench/results.
bench: module userspace bench-build
	bench/run

selftests: userspace
	$(MAKE) -C selftests/taskstate KSFT_DIR=$(KSRC)/tools/testing/selftests \
		OUTPUT=$(CURDIR)/selftests/taskstate

KERNEL_SOURCES = $(filter-out %.mod.c,$(wildcard kmod/*.c)) $(wildcard kmod/*.h) \
	include/uapi/linux/taskstate.h

# LINUX_VERSION_CODE: an out-of-tree module must test versions; it does so
# in kmod/compat.h only.
checkpatch:
	perl $(KSRC)/scripts/checkpatch.pl --no-tree --strict --terse \
		--ignore LINUX_VERSION_CODE -f $(KERNEL_SOURCES)

# C=2 checks every file, built or not; any sparse output is a failure.
sparse:
	mkdir -p out
	$(KBUILD) C=2 CHECK=sparse modules 2>&1 | tee out/sparse.log
	! grep -E ': (warning|error):' out/sparse.log

# The thread pool's unit tests under ThreadSanitizer; any report fails.
.PHONY: tsan
tsan:
	$(MAKE) -C userspace tsan

# Every userspace unit test and the recording fuzz corpus under ASan,
# UBSan and LeakSanitizer (built in userspace/asan/); any report fails.
.PHONY: asan
asan: po
	$(MAKE) -C userspace asan

check:
	scripts/check

# Not part of check: every Debian kernel line (KERNELS="5.10 6.1 6.1-rt
# 6.12 7.2" by default), fetched, built for and tested in the VM; a table
# in out/matrix/summary.md.  About 10-20 minutes per kernel under TCG.
KERNELS ?= 5.10 6.1 6.1-rt 6.12 7.2
.PHONY: matrix
matrix: all
	scripts/matrix $(KERNELS)

# Not part of check: the first run builds a debug kernel (about an hour).
check-debug:
	TESTS="$(TESTS)" scripts/check-debug

# Not part of check either: a KCSAN kernel, built once like the debug one.
.PHONY: check-kcsan
check-kcsan:
	TESTS="$(TESTS)" scripts/check-debug --kcsan

# The tour's short version (the runs marked 'demo' in docs/tour.md.in):
# the nine transitions, one IPC story, the transition matrix.
demo: all
	scripts/vm-run --quiet-boot -- scripts/docs --demo

# docs/tour.md, docs/tour.zh.md and their pictures, from real runs in the VM.
.PHONY: docs
docs: all
	scripts/docs

PREFIX ?= /usr/local
# The release the module was built for, as its vermagic says.
KREL = $(shell modinfo -F vermagic kmod/taskstate.ko 2>/dev/null | cut -d" " -f1)
DESTDIR ?=

# The module goes under the kernel's extra/ (compressed as the kernel's
# own modules where its config says so: taskstate.ko.xz on 6.12); tools,
# man page, udev rule under PREFIX and /etc.
install: all
	$(KBUILD) INSTALL_MOD_DIR=extra INSTALL_MOD_PATH=$(DESTDIR) modules_install
	depmod -a -b $(or $(DESTDIR),/) $(KREL)
	install -D -m 0755 userspace/ipclab/ipclab $(DESTDIR)$(PREFIX)/bin/ipclab
	install -D -m 0755 userspace/taskstate/taskstate $(DESTDIR)$(PREFIX)/bin/taskstate
	install -D -m 0644 man/taskstate.1 $(DESTDIR)$(PREFIX)/share/man/man1/taskstate.1
	install -D -m 0644 man/ipclab.1 $(DESTDIR)$(PREFIX)/share/man/man1/ipclab.1
	install -D -m 0644 packaging/70-taskstate.rules \
		$(DESTDIR)/etc/udev/rules.d/70-taskstate.rules
	$(MAKE) -C po install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KREL)/extra/kmod/taskstate.ko \
		$(DESTDIR)/lib/modules/$(KREL)/extra/kmod/taskstate.ko.*
	depmod -a -b $(or $(DESTDIR),/) $(KREL)
	rm -f $(DESTDIR)$(PREFIX)/bin/ipclab $(DESTDIR)$(PREFIX)/bin/taskstate \
		$(DESTDIR)$(PREFIX)/share/man/man1/taskstate.1 \
		$(DESTDIR)$(PREFIX)/share/man/man1/ipclab.1 \
		$(DESTDIR)/etc/udev/rules.d/70-taskstate.rules
	$(MAKE) -C po uninstall PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

compat:
	scripts/compat

check-packaging: all
	scripts/check-packaging

clean:
	-$(KBUILD) clean
	$(MAKE) -C userspace clean
	$(MAKE) -C po clean
	$(MAKE) -C bench clean
	$(MAKE) -C bench/icount clean
	-$(MAKE) -C selftests/taskstate clean \
		KSFT_DIR=$(shell scripts/kernel-src 2>/dev/null)/tools/testing/selftests
	rm -rf out

help:
	@echo "make          build the module, tools and selftests"
	@echo "make check    checkpatch, sparse, then every selftest in a VM"
	@echo "make asan     userspace unit tests and recording fuzz under ASan+UBSan+LSan"
	@echo "make matrix   every selftest on each Debian kernel line (KERNELS=...)"
	@echo "make check-debug  every selftest on a KASAN/lockdep/kmemleak/UBSAN/fault-injection kernel"
	@echo "make check-kcsan  every selftest on a KCSAN kernel; a race in the module fails"
	@echo "make demo     the short tour in a VM: nine transitions, a pipe, the matrix"
	@echo "make docs     regenerate docs/tour.md, docs/tour.zh.md and their pictures"
	@echo "make bench    tracing overhead, loss, IPC costs in one VM (bench/results)"
	@echo "make deps     install the Debian packages needed (run as root)"
	@echo "make install  module, tools, man pages, udev rule, catalogues (DESTDIR, PREFIX)"
	@echo "make check-packaging  make install/uninstall into a scratch root, a dkms build"
	@echo "make compat   compile the module against a 6.12 tree (W=1, sparse)"
