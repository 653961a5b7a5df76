/*
 * planlog.h
 *		The extension's journals: sacrosanct.plan_log, every change of the
 *		plan a person would ask about later (replans, repairs, capacity,
 *		guard and unguard, progress), and sacrosanct.delivery, every order
 *		done.
 */
#ifndef SC_PLANLOG_H
#define SC_PLANLOG_H

#include "sacrosanct.h"

/* one entry, by session_user acting as current_user, now (between sc_write_begin/end) */
extern void sc_plan_log(const char *what, const char *why, int moved);

/*
 * sacrosanct.delivery: an order done, its promise and the day it was
 * delivered, for on-time delivery (between sc_write_begin/end).
 */
extern void sc_delivery_record(const char *key, Oid source, ScDay promised, ScDay delivered);

#endif							/* SC_PLANLOG_H */
