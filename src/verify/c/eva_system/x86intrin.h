/* x86intrin.h for Frama-C (slic verify): the compiler's SIMD intrinsics are
   vector types and builtins Frama-C's C front end cannot read, and no
   driver rule is about them. Empty: intrin.h of a WDK header includes it
   for the compiler's intrinsics, which EVA does not need. */
