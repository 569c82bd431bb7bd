# SPDX-License-Identifier: GPL-2.0
#
# Probe graph: build, boot and test on Debian's linux-source-6.12.
# See README.md.

.PHONY: all setup build demo test lint refresh-series clean

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

refresh-series:
	@harness/refresh-series

clean:
	rm -rf .build/arm64 .build/uml .build/boot .build/out .build/test-logs
