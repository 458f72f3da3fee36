// Software prefetch, which Swift has no spelling for: asks the processor to start loading a
// cache line that will be read soon (the PDQ index reads thousands of random entries per query).
#ifndef TRIAGE_PREFETCH_H
#define TRIAGE_PREFETCH_H

static inline void triage_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 0);
}

#endif
