/*
 * planlog.h
 *		sacrosanct.plan_log: every change of the plan a person would ask
 *		about later (replans, repairs, capacity, guard and unguard, progress).
 */
#ifndef SC_PLANLOG_H
#define SC_PLANLOG_H

#include "sacrosanct.h"

/* one entry, by session_user acting as current_user, now (between sc_write_begin/end) */
extern void sc_plan_log(const char *what, const char *why, int moved);

#endif							/* SC_PLANLOG_H */
