/*
 * asan_first.c: preloaded after libasan by test/asan, so that the
 * AddressSanitizer runtime is initialized before glibc takes a lock.
 *
 * A preloaded libasan initializes on the first malloc().  In the stock
 * postgres binary that first malloc() comes from a library constructor that
 * runs before libasan's own (libgpg-error's calls bindtextdomain(), and
 * p11-kit's newlocale(), both pulled in through libldap and gnutls), while
 * glibc holds its gettext or locale lock.  Initializing, libasan looks up a
 * symbol that is not there and reads dlerror(), whose message goes through
 * gettext and takes the same lock again: the lock is left corrupt and the
 * server hangs in its own bindtextdomain() before main() gets anywhere.
 *
 * These wrappers initialize libasan first (a no-op once it is) and call
 * glibc's function.  Nothing else changes; this file is never part of the
 * extension.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <locale.h>

extern void __asan_init(void);

#define NEXT(name) ((__typeof__(&name)) dlsym(RTLD_NEXT, #name))

char *
bindtextdomain(const char *domain, const char *dir)
{
	__asan_init();
	return NEXT(bindtextdomain) (domain, dir);
}

char *
textdomain(const char *domain)
{
	__asan_init();
	return NEXT(textdomain) (domain);
}

locale_t
newlocale(int mask, const char *locale, locale_t base)
{
	__asan_init();
	return NEXT(newlocale) (mask, locale, base);
}

char *
setlocale(int category, const char *locale)
{
	__asan_init();
	return NEXT(setlocale) (category, locale);
}
