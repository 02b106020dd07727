/* emmintrin.h for Frama-C (slic verify): the SSE2 types, opaque. */
#ifndef SLIC_EVA_EMMINTRIN_H
#define SLIC_EVA_EMMINTRIN_H
#include <xmmintrin.h>
typedef union __m128d { double v[2]; } __m128d;
typedef union __m128i { char v[16]; } __m128i;
#endif
