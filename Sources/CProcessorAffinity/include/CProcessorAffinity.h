// The process's CPU affinity (sched_getaffinity/sched_setaffinity), which glibc declares
// only under _GNU_SOURCE, out of reach of Swift's Glibc module.
#ifndef C_PROCESSOR_AFFINITY_H
#define C_PROCESSOR_AFFINITY_H

/// Writes the CPUs this process may run on, ascending, into `cpus` (at most `capacity`)
/// and returns how many there are, or -1 with errno set.
int calib_allowed_cpus(int *cpus, int capacity);

/// Lets every thread of this process run only on the `count` CPUs of `cpus`; 0, or -1
/// with errno set.
int calib_restrict_cpus(const int *cpus, int count);

#endif
