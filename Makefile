# rdma-sge: move the RDMA ULPs from ib_dma_* to the ib_sge builder API.
#
#   make report  [KERNEL=/path/to/linux]   audit what is left to convert
#   make convert [KERNEL=...]               core series + conversion, built
#   make series  [V=2] [PREFIX="PATCH rdma-next"] [CHECK_BISECT=1]
#   make check PATCH=file|dir|mbox | RANGE=base..head
#                                           uses a change adds (exit 1)
#   make runtime-test [VARIANTS="converted debug base"]
#                                           NVMe-oF over rxe/siw under QEMU
#   make defect-test                        the same with known DMA defects:
#                                           rxe passes, rxe_dma must fail
#   make test                               the whole test suite (CI runs it)
#
# Without KERNEL the tree is Debian's linux-source-6.12, installed and
# extracted into build/ on first use.  Nothing here writes to KERNEL's
# working tree; see README.md.

KERNEL ?=
JOBS ?= $(shell nproc)
CACHE := $(CURDIR)/build
PYTHON := /usr/bin/python3
DRIVER = $(PYTHON) scripts/rdma_sge.py --cache $(CACHE) --jobs $(JOBS) \
	 $(if $(KERNEL),--kernel "$(KERNEL)")
DEPS = scripts/install-deps.sh

.PHONY: help check report worktree clean-work apply kunit convert series runtime-test defect-test bench test \
	test-fast deps clean

help:
	@sed -n '2,17p' Makefile | sed 's/^# \{0,1\}//'

deps:
	@$(DEPS) audit test $(if $(KERNEL),,kernel)

report:
	@$(DEPS) audit $(if $(KERNEL),,kernel)
	@$(DRIVER) report

check:
	@$(DEPS) audit $(if $(KERNEL),,kernel)
	@$(DRIVER) check $(if $(RANGE),--range "$(RANGE)") \
		$(if $(PATCH),--patch "$(PATCH)")

worktree:
	@$(DEPS) audit $(if $(KERNEL),,kernel)
	@$(DRIVER) worktree

clean-work:
	@$(DEPS) audit
	@$(DRIVER) clean-work

apply:
	@$(DEPS) audit $(if $(KERNEL),,kernel)
	@$(DRIVER) apply

kunit:
	@$(DEPS) audit build kunit $(if $(KERNEL),,kernel)
	@$(DRIVER) kunit

convert:
	@$(DEPS) audit build $(if $(KERNEL),,kernel)
	$(if $(filter-out yes no,$(CHECKERS)),$(error CHECKERS is yes or no, not '$(CHECKERS)'))
	@$(DRIVER) convert $(if $(filter command line,$(origin ARCHES)),--arches $(ARCHES)) $(if $(filter no,$(CHECKERS)),--no-checkers)

series:
	@$(DEPS) audit $(if $(CHECK_BISECT),build) $(if $(KERNEL),,kernel)
	@$(DRIVER) series $(if $(V),-v $(V)) \
		$(if $(PREFIX),--subject-prefix "$(PREFIX)") \
		$(if $(CHECK_BISECT),--check-bisect)

runtime-test:
	@$(DEPS) audit build kunit runtime $(if $(KERNEL),,kernel)
	@$(DRIVER) runtime-test $(if $(VARIANTS),--variants $(VARIANTS))

defect-test:
	@$(DEPS) audit build kunit runtime $(if $(KERNEL),,kernel)
	@$(DRIVER) defect-test

bench:
	@$(DEPS) audit $(if $(CONVERT),build) $(if $(KERNEL),,kernel)
	@$(DRIVER) bench $(if $(NAIVE),--naive) $(if $(CONVERT),--convert)

# The full suite: unit tests, the semantic patches' golden tests, and the
# integration tests on the real default tree (audit, make convert, make
# series, the core series, its KUnit suite and the runtime test under
# QEMU), in their own cache build/test/ and reports (never build/ and
# reports/ of make convert).  Two pytest workers: the kernel tests on the
# converted tree run in order in one of them (they share one make convert
# and one guest kernel), those on the default tree alone in the other,
# beside the rest.
PYTEST = $(PYTHON) -m pytest -q -n 2 --dist loadgroup --durations=25
test:
	@$(DEPS) audit test kernel build kunit runtime
	@$(PYTEST) scripts

# The inner loop: everything but the tests on the real kernel tree.
test-fast:
	@$(DEPS) audit test guest build
	@$(PYTEST) -m "not kernel" scripts

clean:
	rm -rf $(CACHE)/spatch-results $(CACHE)/spatch-convert $(CACHE)/sparse \
		$(CACHE)/coccicheck
