/*
 * fuzz_corpus.c: the fuzz harness (test/fuzz/plan_fuzz.c) without
 * libFuzzer, replaying the committed corpus and every regression input
 * through its checks in make test's unit suite; TAP output.
 */
#define SC_FUZZ_REPLAY
#include "../fuzz/plan_fuzz.c"
