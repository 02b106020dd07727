/* mm3dnow.h for Frama-C (slic verify): 3DNow! adds no type. */
#include <mmintrin.h>
