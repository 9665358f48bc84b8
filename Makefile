# The front door. CMake does the building; this file names the tasks.
#   make            build the library, the examples, the tests and benchmarks
#   make test       the whole suite under ASan + UBSan (and a short fuzz run),
#                   then test-posix
#   make test-posix the unit suites and the conformance groups on the
#                   posix platform (build/posix)
#   make demo       an echo server and client on loopback, then the skt tool
#   make bench      the benchmarks, printed as ratios
#   make fuzz       the fuzz targets, longer runs
#   make faults     the long fault experiments (tests/faults/: 64 MiB over
#                   lossy links, 18,000 connections, ...) under ASan + UBSan
#   make valgrind   the examples' scenario tests with every example under
#                   valgrind (leaks, errors, fds left open)
#   make install    install the libraries, headers, CMake package,
#                   pkg-config files and man pages (PREFIX=/usr/local);
#                   needs only the build dependencies
#   make uninstall  remove exactly what make install installed
#   make abi-update record the ABI on purpose (version scripts, abi/*.abi)
#   make man        regenerate the man pages (man/, committed) from the
#                   header comments, through pandoc
#   make docs       the same manual as HTML, in build/docs/

BUILD      ?= build
PREFIX     ?= /usr/local
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_TIME  ?= 60
# The parts of the tree that only development needs.
NO_EXTRAS  = -DSKT_BUILD_EXAMPLES=OFF -DSKT_BUILD_TESTS=OFF \
             -DSKT_BUILD_BENCH=OFF -DSKT_BUILD_FUZZ=OFF

.PHONY: all deps deps-test test test-posix demo bench fuzz fuzz-build \
        fuzz-short \
        faults valgrind \
        install uninstall abi-update man docs clean

all: deps-test
	cmake -S . -B $(BUILD)/release -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD)/release -j $(JOBS)

# What building and installing the library needs.
deps:
	@sh scripts/install-deps build

# What the tests, fuzzers and benchmarks need besides.
deps-test:
	@sh scripts/install-deps test

test: deps-test
	cmake -S . -B $(BUILD)/asan -DCMAKE_BUILD_TYPE=Debug -DSKT_SANITIZE=ON \
	    -DSKT_BUILD_BENCH=OFF -DSKT_BUILD_FUZZ=OFF >/dev/null
	cmake --build $(BUILD)/asan -j $(JOBS)
	cd $(BUILD)/asan && ctest --output-on-failure -j $(JOBS)
	$(MAKE) --no-print-directory test-posix
	$(MAKE) --no-print-directory fuzz-short

# The posix platform (-DSKT_PLATFORM=posix, docs/porting.md) built on this
# machine: its unit suites, the conformance groups (each checked against
# the posix differences its tables state) and the check that it references
# no Linux-only symbol (the namespace, fault and tool tests run once, above).
test-posix: deps-test
	cmake -S . -B $(BUILD)/posix -DCMAKE_BUILD_TYPE=Debug -DSKT_SANITIZE=ON \
	    -DSKT_PLATFORM=posix -DSKT_BUILD_BENCH=OFF -DSKT_BUILD_FUZZ=OFF \
	    -DSKT_BUILD_TOOLS=OFF >/dev/null
	cmake --build $(BUILD)/posix -j $(JOBS) \
	    --target skt-unit-tests conformance-skt
	cd $(BUILD)/posix && ctest --output-on-failure -j $(JOBS) \
	    -R '^(test-|platform[.]|layers[.]no_call|conformance[.])' \
	    -E '^test-netns[.]'

# Only the programs the demo runs are built: the echo pair and the tool.
demo: deps
	@cmake -S . -B $(BUILD)/demo -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    $(NO_EXTRAS) -DSKT_BUILD_EXAMPLES=ON -DSKT_BUILD_TOOLS=ON >/dev/null
	@cmake --build $(BUILD)/demo -j $(JOBS) --target echo-server \
	    echo-client skt >/dev/null
	@sh scripts/demo $(BUILD)/demo/examples
	@echo
	@sh scripts/demo-tool $(BUILD)/demo/tools/skt/skt

bench: all
	@sh scripts/bench $(BUILD)/release/bench

fuzz-build: deps-test
	cmake -S . -B $(BUILD)/fuzz -DCMAKE_C_COMPILER=clang \
	    -DSKT_BUILD_FUZZ=ON -DSKT_BUILD_TESTS=OFF -DSKT_BUILD_BENCH=OFF \
	    -DSKT_BUILD_EXAMPLES=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(BUILD)/fuzz -j $(JOBS)

fuzz-short: fuzz-build
	@sh scripts/fuzz $(BUILD)/fuzz/fuzz 10

fuzz: fuzz-build
	@sh scripts/fuzz $(BUILD)/fuzz/fuzz $(FUZZ_TIME)

# The long variants of the fault campaign (label faults-long; make test
# runs the short ones), in a tree of their own.
faults: deps-test
	cmake -S . -B $(BUILD)/faults -DCMAKE_BUILD_TYPE=Debug -DSKT_SANITIZE=ON \
	    -DSKT_FAULTS_LONG=ON -DSKT_BUILD_BENCH=OFF -DSKT_BUILD_FUZZ=OFF \
	    >/dev/null
	cmake --build $(BUILD)/faults -j $(JOBS)
	cd $(BUILD)/faults && ctest --output-on-failure -j $(JOBS) -L faults-long

# valgrind cannot run sanitized programs: the examples are built again,
# plainly, in a tree of their own.
valgrind: deps-test
	cmake -S . -B $(BUILD)/valgrind -DCMAKE_BUILD_TYPE=Debug \
	    -DSKT_BUILD_TESTS=OFF -DSKT_BUILD_BENCH=OFF -DSKT_BUILD_FUZZ=OFF \
	    >/dev/null
	cmake --build $(BUILD)/valgrind -j $(JOBS)
	@sh scripts/valgrind $(BUILD)/valgrind

# A tree of its own, so that installing needs none of the test tools.
install: deps
	cmake -S . -B $(BUILD)/install -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    $(NO_EXTRAS) >/dev/null
	cmake --build $(BUILD)/install -j $(JOBS)
	cmake --install $(BUILD)/install --prefix $(PREFIX)

# Removes the files CMake recorded, then the folders they leave empty.
uninstall:
	@test -f $(BUILD)/install/install_manifest.txt || \
	    { echo "uninstall: nothing was installed from $(BUILD)/install" >&2; \
	      exit 1; }
	@sh scripts/uninstall $(BUILD)/install/install_manifest.txt $(PREFIX)

abi-update: all
	@sh scripts/abi-update $(BUILD)/release

# scripts/man.py reads the headers' comments; pandoc writes the pages.
man: deps-test
	python3 scripts/man.py generate man

docs: deps-test
	python3 scripts/man.py html $(BUILD)/docs

clean:
	rm -rf $(BUILD)
