/*
 * PN_EXPORT marks the public API. libprocnotify is built with
 * -fvisibility=hidden, so its shared object exports what carries this mark
 * and nothing else: the pn__ internals stay inside (the static library, which
 * the CLI and the tests link, still holds them).
 */
#ifndef PROCNOTIFY_EXPORT_H
#define PROCNOTIFY_EXPORT_H

#if defined(__GNUC__) && !defined(_WIN32)
#define PN_EXPORT __attribute__((visibility("default")))
#else
#define PN_EXPORT
#endif

#endif
