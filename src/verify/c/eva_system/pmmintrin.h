/* pmmintrin.h for Frama-C (slic verify): SSE3 adds no type. */
#include <emmintrin.h>
