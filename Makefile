# tedge: plain GNU make, no generator.
#   make            build everything into $(BUILD)/bin (stripped) 
#   make test       unit tests then system tests, one summary line at the end
#   make asan       the same with AddressSanitizer + UBSan, in build-asan/
#   make fuzz       each libFuzzer harness for FUZZ_SECONDS
#   make install    DESTDIR=... PREFIX=/usr
#   make deps       install (root) or list the Debian packages needed
BUILD    ?= build
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
PYTHON   ?= /usr/bin/python3
FUZZ_SECONDS ?= 20
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

WARN     := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wvla -Werror
CPPFLAGS += -D_GNU_SOURCE -DTEDGE_VERSION='"$(VERSION)"' -Icommon/include
ifeq ($(SANITIZE),1)
OPT      := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
            -fno-sanitize-recover=undefined
LDOPT    := -fsanitize=address,undefined
STRIPCMD = cp $< $@
else
OPT      := -Os -g -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables
# DT_RELR (binutils 2.38, glibc 2.36) packs the relative relocations of a
# PIE: 12 KB less per daemon. Used when the toolchain has it.
RELR     := $(shell printf 'int main(void){return 0;}' | $(CC) -x c - -o /dev/null \
              -Wl,--fatal-warnings -Wl,-z,pack-relative-relocs 2>/dev/null && echo -Wl,-z,pack-relative-relocs)
LDOPT    := -Wl,--gc-sections -Wl,--as-needed $(RELR)
STRIPCMD = strip -o $@ $<
endif
CFLAGS   ?=
CFLAGS   += $(WARN) $(OPT)

pc = $(shell pkg-config --cflags --libs $(1))
PC_CFLAGS := $(shell pkg-config --cflags libmosquitto jansson libuv libcrypto libcurl 2>/dev/null)
CFLAGS    += $(PC_CFLAGS)
# Each executable links only what it uses (see DESIGN.md: memory is a feature).
# The daemons speak MQTT through common/bus.c (no libmosquitto) and load
# libssl only when TLS to the local broker is configured (common/tls.c).
LIBS_BUS    := $(shell pkg-config --libs libuv jansson 2>/dev/null) -lm
LIBS_HTTP   := $(shell pkg-config --libs libcurl 2>/dev/null)
# tedge: certificates (libcrypto) and the direct cloud checks (libmosquitto)
LIBS_tedge            := $(LIBS_BUS) $(shell pkg-config --libs libmosquitto libcrypto 2>/dev/null) $(LIBS_HTTP)
LIBS_tedge-agent      := $(LIBS_BUS)
LIBS_tedge-mapper-c8y := $(LIBS_BUS)
LIBS_tedge-mapper-az  := $(LIBS_BUS)
LIBS_tedge-mapper-aws := $(LIBS_BUS)
LIBS_tedge-mapper-collectd := $(LIBS_BUS)
LIBS_tedge-mapper     :=

OBJ  := $(BUILD)/obj
LIB  := $(BUILD)/lib/libtedge-common.a
COMMON_SRC := $(wildcard common/src/*.c)
COMMON_OBJ := $(COMMON_SRC:%.c=$(OBJ)/%.o)

# executable name -> source folder
DIR_tedge            := cli
DIR_tedge-agent      := agent
DIR_tedge-mapper-c8y := mapper-c8y
DIR_tedge-mapper-az  := mapper-az
DIR_tedge-mapper-aws := mapper-aws
DIR_tedge-mapper-collectd := mapper-collectd
DIR_tedge-mapper     := mapper
PROGS := tedge tedge-agent tedge-mapper-c8y tedge-mapper-az tedge-mapper-aws tedge-mapper-collectd tedge-mapper
BINS  := $(PROGS:%=$(BUILD)/bin/%)

UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all test unit systest asan fuzz install clean deps check-deps bench
.DELETE_ON_ERROR:

all: $(BINS)

$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

define prog_rule
$(1)_OBJ := $$(patsubst %.c,$(OBJ)/%.o,$$(wildcard $$(DIR_$(1))/*.c))
$(BUILD)/unstripped/$(1): $$($(1)_OBJ) $(LIB)
	@mkdir -p $$(dir $$@)
	$(CC) $(LDOPT) -o $$@ $$($(1)_OBJ) $(LIB) $$(LIBS_$(1))
$(BUILD)/bin/$(1): $(BUILD)/unstripped/$(1)
	@mkdir -p $$(dir $$@)
	$$(STRIPCMD)
endef
$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))

$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-missing-prototypes -o $@ $< $(LIB) \
	    $(LDOPT) $(LIBS_tedge) -lcmocka

check-deps:
	@scripts/deps.sh --check || scripts/deps.sh

deps:
	scripts/deps.sh

unit: check-deps $(UNIT_BINS)
	@tests/unit/run.sh $(BUILD) $(UNIT_BINS)

systest: check-deps all
	TEDGE_BIN_DIR=$(abspath $(BUILD)/bin) $(PYTHON) -m pytest -p no:cacheprovider \
	    -q tests/system --junitxml=$(BUILD)/systest.xml

# unit then system tests; the last line is "N passed, M failed".
test: check-deps all $(UNIT_BINS)
	@rc=0; tests/unit/run.sh $(BUILD) $(UNIT_BINS) || rc=1; \
	TEDGE_BIN_DIR=$(abspath $(BUILD)/bin) $(PYTHON) -m pytest -p no:cacheprovider \
	    -q tests/system --junitxml=$(BUILD)/systest.xml || rc=1; \
	$(PYTHON) tests/summary.py $(BUILD)/unit.counts $(BUILD)/systest.xml; exit $$rc

asan:
	$(MAKE) BUILD=build-asan SANITIZE=1 test

FUZZERS := $(patsubst tests/fuzz/%.c,build-fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(COMMON_SRC)
	@mkdir -p $(dir $@)
	clang $(CPPFLAGS) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined $(PC_CFLAGS) \
	    -o $@ $< $(COMMON_SRC) $(LIBS_tedge)
fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do \
	    mkdir -p build-fuzz/corpus-$$(basename $$f); \
	    echo "fuzzing $$f for $(FUZZ_SECONDS)s"; \
	    $$f -max_total_time=$(FUZZ_SECONDS) -max_len=4096 build-fuzz/corpus-$$(basename $$f) \
	        tests/fuzz/seeds/$$(basename $$f | sed 's/fuzz_//') >/dev/null 2>build-fuzz/$$(basename $$f).log \
	        || { tail -40 build-fuzz/$$(basename $$f).log; exit 1; }; \
	    tail -1 build-fuzz/$$(basename $$f).log; \
	done

BENCH_TOOLS := $(BUILD)/bench/relay $(BUILD)/bench/loadgen $(BUILD)/bench/busrelay
$(BUILD)/bench/busrelay: bench/busrelay.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIB) $(LDOPT) $(LIBS_BUS)
$(BUILD)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-missing-prototypes -o $@ $< $(LDOPT) $(shell pkg-config --libs libmosquitto) -lpthread

# throughput, latency, bursts and memory of the mappers; writes bench/REPORT.md
bench: check-deps all $(BENCH_TOOLS)
	$(PYTHON) bench/run.py --bin $(BUILD)/bin --tools $(BUILD)/bench --report bench/REPORT.md

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/bin/

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)
