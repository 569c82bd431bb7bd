# SPDX-License-Identifier: GPL-2.0
#
# Probe graph: build, boot and test on Debian's linux-source-6.12.
# See README.md.

.PHONY: all setup build demo test lint bench refresh-series clean

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

refresh-series:
	@harness/refresh-series

clean:
	rm -rf .build/arm64 .build/uml .build/boot .build/out .build/test-logs
