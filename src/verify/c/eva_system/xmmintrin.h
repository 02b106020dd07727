/* xmmintrin.h for Frama-C (slic verify): the SSE type, opaque. */
#ifndef SLIC_EVA_XMMINTRIN_H
#define SLIC_EVA_XMMINTRIN_H
#include <mmintrin.h>
typedef union __m128 { float v[4]; } __m128;
#endif
