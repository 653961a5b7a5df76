/*
 * locks.c
 *		The per-resource locks that serialize writers (see locks.h).
 *
 * A resource's lock is an advisory lock of this database on a hash of its
 * code, taken with the lock manager directly so that it is held to the end
 * of the transaction and shows in pg_locks (classid 23232).
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/inval.h"

#include "locks.h"

/* advisory lock class of the resource locks: pg_locks shows classid 23232 */
#define SC_LOCK_CLASS	0x5AC0

/*
 * A lock key is a resource's hash; the low bit of the sort value carries the
 * mode so that a key wanted both ways is taken once, exclusively.
 */
static int
cmp_uint64(const void *a, const void *b)
{
	uint64		x = *(const uint64 *) a,
				y = *(const uint64 *) b;

	return x < y ? -1 : x > y ? 1 : 0;
}

#define KEY_SHARED		0
#define KEY_EXCLUSIVE	1

static void
lock_keys(uint64 *want, int n, ScLocks *held)
{
	int			m = 0;

	qsort(want, n, sizeof(uint64), cmp_uint64);
	for (int i = 0; i < n; i++)
	{
		if (m > 0 && (want[m - 1] >> 1) == (want[i] >> 1))
			want[m - 1] |= want[i] & 1;
		else
			want[m++] = want[i];
	}

	if (held->keys == NULL)
	{
		held->keys = palloc(sizeof(uint32) * (m + 1));
		held->modes = palloc(sizeof(LOCKMODE) * (m + 1));
	}
	else
	{
		held->keys = repalloc(held->keys, sizeof(uint32) * (held->n + m + 1));
		held->modes = repalloc(held->modes, sizeof(LOCKMODE) * (held->n + m + 1));
	}

	/* one fixed order (ascending key) for every writer: no deadlocks among them */
	for (int i = 0; i < m; i++)
	{
		LOCKTAG		tag;
		uint32		key = (uint32) (want[i] >> 1);
		LOCKMODE	mode = (want[i] & 1) ? ExclusiveLock : ShareLock;

		SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, SC_LOCK_CLASS, key, 2);
		(void) LockAcquire(&tag, mode, false, false);
		held->keys[held->n] = key;
		held->modes[held->n] = mode;
		held->n++;
	}

	/* a master-data change committed under these locks must be seen now */
	AcceptInvalidationMessages();
}

/*
 * Finite resources are locked exclusively: one writer at a time may take
 * their capacity.  Non-finite ones are locked shared, so that orders on
 * them proceed together but wait for a replan, which locks everything.
 */
void
sc_lock_resources(const ScPlant *plant, const int *res, int n, ScLocks *held)
{
	uint64	   *want = palloc(sizeof(uint64) * (n + 1));
	int			m = 0;

	for (int i = 0; i < n; i++)
		if (res[i] >= 0)
			want[m++] = ((uint64) plant->lockkey[res[i]] << 1) |
				(plant->res[res[i]].finite ? KEY_EXCLUSIVE : KEY_SHARED);
	lock_keys(want, m, held);
	pfree(want);
}

void
sc_lock_all(const ScPlant *plant, ScLocks *held)
{
	uint64	   *want = palloc(sizeof(uint64) * (plant->nres + 1));

	for (int i = 0; i < plant->nres; i++)
		want[i] = ((uint64) plant->lockkey[i] << 1) | KEY_EXCLUSIVE;
	lock_keys(want, plant->nres, held);
	pfree(want);
}

void
sc_unlock(ScLocks *held)
{
	for (int i = held->n - 1; i >= 0; i--)
	{
		LOCKTAG		tag;

		SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, SC_LOCK_CLASS, held->keys[i], 2);
		LockRelease(&tag, held->modes[i], false);
	}
	held->n = 0;
}
