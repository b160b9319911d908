#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include "CProcessorAffinity.h"

int calib_allowed_cpus(int *cpus, int capacity) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return -1;
    int count = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && count < capacity; cpu++) {
        if (CPU_ISSET(cpu, &set)) cpus[count++] = cpu;
    }
    return count;
}

int calib_restrict_cpus(const int *cpus, int count) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int index = 0; index < count; index++) {
        if (cpus[index] < 0 || cpus[index] >= CPU_SETSIZE) {
            errno = EINVAL;
            return -1;
        }
        CPU_SET(cpus[index], &set);
    }
    // Every thread already running (Swift's and the dispatch pool's among them); threads
    // started later inherit the set of the thread that starts them.
    DIR *tasks = opendir("/proc/self/task");
    if (tasks == NULL) return sched_setaffinity(0, sizeof(set), &set);
    int result = 0;
    struct dirent *entry;
    while ((entry = readdir(tasks)) != NULL) {
        char *end;
        long task = strtol(entry->d_name, &end, 10);
        if (*end != '\0' || task <= 0) continue;
        if (sched_setaffinity((pid_t)task, sizeof(set), &set) != 0 && errno != ESRCH) result = -1;
    }
    int saved = errno;
    closedir(tasks);
    errno = saved;
    return result;
}
