# sacrosanct: PGXS build.
#
#   make                 build sacrosanct.so
#   make install         install into the PostgreSQL that pg_config names
#   make installcheck    pg_regress + isolation against a running server
#   make test            everything, from nothing: packages, build, install,
#                        a throw-away cluster, every suite (see test/run)
#   make demo            the story in psql on a throw-away cluster (test/demo)
#   make bench           the benchmarks (bench/run)
#   make bench-pipeline  the pipeline's benchmark (bench/pipeline.sh)
#   make reference       install, then write doc/reference.md from the catalog
#                        (doc/reference.sh; make test fails when it is stale)
#   make stress          the many-client stress run (test/stress/run)
#   make crash-test      crashes during that load (test/stress/crash)

EXTENSION = sacrosanct
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = sacrosanct
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# sql/sacrosanct.sql is the source of the current version's script; every
# upgrade script (sql/sacrosanct--A--B.sql) and the script of every earlier
# release (sql/sacrosanct--A.sql, as it shipped) is installed as written, so
# that CREATE EXTENSION ... VERSION and ALTER EXTENSION ... UPDATE work.
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql
UPGRADES = $(wildcard sql/$(EXTENSION)--*--*.sql)
RELEASED = $(filter-out $(UPGRADES) $(DATA_built),$(wildcard sql/$(EXTENSION)--*.sql))
DATA = $(UPGRADES) $(RELEASED)

# pg_regress: inputs sql/<name>.sql, outputs expected/<name>.out
REGRESS = extension plant guard replan quote masterdata history bad_input capacity progress erp views \
	pipeline pipeline_bad_input cache security restore upgrade
REGRESS_OPTS = --inputdir=. --outputdir=test/output_regress

# isolation specs: test/specs/<name>.spec, outputs test/expected/<name>.out
ISOLATION = last_capacity insert_vs_replan disjoint_resources capacity_vs_insert lane_cache \
	deadlock forced_vs_insert erp_last_capacity progress_vs_replan refusal_races \
	pipeline_accept_race pipeline_offer_vs_close pipeline_two_offers pipeline_notify pipeline_wip_race \
	demand_cache pipeline_refusal_detail forced_vs_order_row
ISOLATION_OPTS = --inputdir=test --outputdir=test/output_iso

PG_CPPFLAGS = -Isrc
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	-Wno-sign-compare -Wno-clobbered
ifdef SC_WERROR
PG_CFLAGS += -Werror
endif
ifdef SC_DEBUG
PG_CPPFLAGS += -DSC_DEBUG
endif

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
endif

sql/$(EXTENSION)--$(EXTVERSION).sql: sql/$(EXTENSION).sql $(EXTENSION).control
	cp $< $@

# The front door: these install what they need, so they work on a machine
# with nothing but Debian and this checkout.
.PHONY: test demo bench bench-pipeline deps reference
deps:
	@bash test/deps

test:
	@bash test/run

demo:
	@bash test/demo

bench:
	@bash bench/run

bench-pipeline:
	@bash bench/pipeline.sh

# the reference describes the extension as installed: install this build first
reference:
	@$(MAKE) -s install >/dev/null
	@PG_CONFIG=$(PG_CONFIG) bash doc/reference.sh
	@echo "doc/reference.md: $$(wc -c <doc/reference.md) bytes from the catalog"

print-%:
	@echo $($*)

# every object depends on the headers (PGXS tracks none)
$(OBJS): $(wildcard src/*.h)

# Memory and C safety (issue 13): bounded runs, also called by .ci/run.
#   make fuzz FUZZ_SECONDS=60    fuzz src/plan.c with libFuzzer + ASan/UBSan (test/fuzz/run)
#   make test-asan               every suite against a sanitized build (test/asan)
FUZZ_SECONDS ?= 60
.PHONY: fuzz test-asan
fuzz:
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash test/fuzz/run

test-asan:
	@bash test/asan

# Load and crashes (issue 13): long runs, also called by .ci/run; make test
# runs short versions of both (its suite "stress").
#   make stress STRESS_SECONDS=60 STRESS_CLIENTS=8 N=20000
#   make crash-test CRASH_SECONDS=10 CRASH_CLIENTS=4 N=20000
STRESS_SECONDS ?= 60
STRESS_CLIENTS ?= 8
CRASH_SECONDS ?= 10
CRASH_CLIENTS ?= 4
N ?= 20000
.PHONY: stress crash-test
stress:
	@STRESS_SECONDS=$(STRESS_SECONDS) STRESS_CLIENTS=$(STRESS_CLIENTS) N=$(N) bash test/stress/run --prove

crash-test:
	@CRASH_SECONDS=$(CRASH_SECONDS) CRASH_CLIENTS=$(CRASH_CLIENTS) N=$(N) bash test/stress/crash
