// Linux readiness APIs the Glibc module does not export: epoll(7) and eventfd(2). Part of the C library, so no
// pkg-config and nothing to link.
#include <sys/epoll.h>
#include <sys/eventfd.h>
