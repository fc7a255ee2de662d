/* Valgrind memcheck client requests for the ctgrind check, as plain functions.
 * The macros expand to a magic no-op instruction sequence that valgrind intercepts;
 * outside valgrind they do nothing (RUNNING_ON_VALGRIND is then 0). */
#include <stddef.h>

#ifdef CTGRIND_HAVE_VALGRIND
#include <valgrind/memcheck.h>
#include <valgrind/valgrind.h>

void ctgrind_make_mem_undefined(const void *addr, size_t len) {
    VALGRIND_MAKE_MEM_UNDEFINED(addr, len);
}
void ctgrind_make_mem_defined(const void *addr, size_t len) {
    VALGRIND_MAKE_MEM_DEFINED(addr, len);
}
unsigned ctgrind_running_on_valgrind(void) { return RUNNING_ON_VALGRIND; }
unsigned ctgrind_have_client_requests(void) { return 1; }
#else
/* No valgrind headers at build time: the binary builds, but refuses to report a
 * result (see ctgrind_have_client_requests). */
void ctgrind_make_mem_undefined(const void *addr, size_t len) { (void)addr; (void)len; }
void ctgrind_make_mem_defined(const void *addr, size_t len) { (void)addr; (void)len; }
unsigned ctgrind_running_on_valgrind(void) { return 0; }
unsigned ctgrind_have_client_requests(void) { return 0; }
#endif
