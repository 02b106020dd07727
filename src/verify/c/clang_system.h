/* slic_clang_system.h: functions clang's analyzer must take as the system's.
   A call of a function the analyzer has no body for makes it forget the
   values of every global variable, the monitor's state too, unless the
   function is declared in a system header: then only what its pointer
   arguments point to is forgotten. This file is included from a directory
   given with -isystem. */
#ifndef SLIC_CLANG_SYSTEM_H
#define SLIC_CLANG_SYSTEM_H
_Bool slic_clang_nondet_bool(void);
int slic_clang_nondet_int(void);
void slic_clang_invalidate(void *object);
void *slic_clang_nondet_pointer(void *object);
/* debug.ExprInspection: reports the value it is given, with the path. */
void clang_analyzer_dump(const void *value);
#endif
