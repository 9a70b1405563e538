#define _GNU_SOURCE
#include <sched.h>
#include <unistd.h>
#include "ember_kernels.h"

long ember_usable_cpu_count(void) {
#if defined(__linux__)
    cpu_set_t mask;
    CPU_ZERO(&mask);
    if (sched_getaffinity(0, sizeof mask, &mask) == 0) {
        int allowed = CPU_COUNT(&mask);
        if (allowed > 0) return allowed;
    }
#endif
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? online : 1;
}
