# SPDX-License-Identifier: GPL-2.0
#
# Probe graph: build, boot and test on Debian's linux-source-6.12.
# See README.md.

.PHONY: all setup build demo test lint bench bench-rpi3 bench-boards stress \
	series rebase-base refresh-series clean

all: demo

setup:
	@harness/setup.sh

build: setup
	@harness/build-arm64

demo: build
	@harness/demo

test:
	@harness/run-tests all

lint:
	@harness/run-tests lint

# BENCH_ARGS="--n 100 1000 5000 --repeat 3" for the largest trees
bench: build
	@python3 harness/bench.py $(BENCH_ARGS)
	@top=$(CURDIR) && . harness/lib.sh && cd "$$SRC" && \
		./tools/testing/kunit/kunit.py build --build_dir="$$WORK/uml" \
		--kunitconfig="$$top/harness/configs/uml.kunitconfig" \
		--jobs "$$JOBS" --make_options CC="ccache gcc" >/dev/null
	@python3 harness/scale_bench.py --out .build/bench/scale.md

# QEMU raspi3b with the kernel's bcm2837-rpi-3-b.dts: off, async, on, 5 boots each
bench-rpi3: setup
	@harness/rpi3-bench $(RPI3_ARGS)

# QEMU's models of five real boards with the kernel's own trees (raspi3b
# and four 32-bit ARM boards): off, async and on, 5 boots each; writes
# bench/boards.md.  BOARDS_ARGS="--board orangepi-pc --repeat 3"
bench-boards: setup
	@harness/boards bench $(BOARDS_ARGS)

# 10k fan-in, 10k chain and a 100-device cycle; STRESS_ARGS="all --off-large"
# for every tree of the corpus.  Then the module boots on a KCSAN kernel.
stress: build
	@harness/stress-trees $(or $(STRESS_ARGS),large)
	@harness/build-arm64 kcsan
	@python3 harness/check_modules.py --mode on \
		--kbuild .build/arm64-kcsan --out .build/out/modules-kcsan

# The series to mail, on the pristine tree, built after every patch.
# SERIES_ARGS="--no-build" skips the builds; "--reroll 2", "--rfc"
series: setup
	@harness/series $(SERIES_ARGS)

# Rebase onto another linux-source-6.12: REBASE_ARGS="6.12.x-y" or a .deb;
# by default the newest version apt knows
rebase-base: setup
	@harness/rebase-base $(REBASE_ARGS)

refresh-series:
	@harness/refresh-series

clean:
	rm -rf .build/arm64 .build/uml .build/boot .build/out .build/test-logs \
		.build/rpi3 .build/rpi3-bench .build/armv7 .build/boards
