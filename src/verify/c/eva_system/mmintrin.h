/* mmintrin.h for Frama-C (slic verify): the MMX type, opaque; the compiler's
   own header is vector types Frama-C cannot read. */
#ifndef SLIC_EVA_MMINTRIN_H
#define SLIC_EVA_MMINTRIN_H
typedef union __m64 { char v[8]; } __m64;
#endif
