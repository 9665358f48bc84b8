# The front door. CMake does the building; this file names the tasks.
#   make         build the library, the examples, the tests and benchmarks
#   make test    the whole suite under ASan + UBSan (and a short fuzz run)
#   make demo    an echo server and client on loopback
#   make bench   the benchmarks, printed as ratios
#   make fuzz    the fuzz targets, longer runs
#   make install install the library and header (PREFIX=/usr/local)

BUILD      ?= build
PREFIX     ?= /usr/local
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_TIME  ?= 60

.PHONY: all deps test demo bench fuzz fuzz-short install clean

all: deps
	cmake -S . -B $(BUILD)/release -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD)/release -j $(JOBS)

deps:
	@sh scripts/install-deps

test: deps
	cmake -S . -B $(BUILD)/asan -DCMAKE_BUILD_TYPE=Debug -DSKT_SANITIZE=ON \
	    -DSKT_BENCH=OFF >/dev/null
	cmake --build $(BUILD)/asan -j $(JOBS)
	cd $(BUILD)/asan && ctest --output-on-failure -j $(JOBS)
	$(MAKE) --no-print-directory fuzz-short

demo: all
	@sh scripts/demo $(BUILD)/release/examples

bench: all
	@sh scripts/bench $(BUILD)/release/bench

fuzz-build: deps
	cmake -S . -B $(BUILD)/fuzz -DCMAKE_C_COMPILER=clang -DSKT_FUZZ=ON \
	    -DSKT_TESTS=OFF -DSKT_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(BUILD)/fuzz -j $(JOBS)

fuzz-short: fuzz-build
	@sh scripts/fuzz $(BUILD)/fuzz/fuzz 10

fuzz: fuzz-build
	@sh scripts/fuzz $(BUILD)/fuzz/fuzz $(FUZZ_TIME)

install: all
	cmake --install $(BUILD)/release --prefix $(PREFIX)

clean:
	rm -rf $(BUILD)
