// Symbol visibility for the public API of turbopg-wire (the library is built with hidden
// visibility; only what is marked here is exported from the shared library).
#pragma once

#if defined(_WIN32)
#define TURBOPG_WIRE_API
#else
#define TURBOPG_WIRE_API __attribute__((visibility("default")))
#endif
