#if defined(__GNUC__) || defined(__clang__)
#define SLIC_UNUSED __attribute__((unused))
#else
#define SLIC_UNUSED
#endif

#define SLIC_AS_I8(x) ((int64_t)(int8_t)(x))
#define SLIC_AS_U8(x) ((int64_t)(uint8_t)(x))
#define SLIC_AS_I16(x) ((int64_t)(int16_t)(x))
#define SLIC_AS_U16(x) ((int64_t)(uint16_t)(x))
#define SLIC_AS_I32(x) ((int64_t)(int32_t)(x))
#define SLIC_AS_U32(x) ((int64_t)(uint32_t)(x))

/* What C leaves undefined, slic defines (see docs/language.md). */
SLIC_UNUSED static int64_t slic_div_s(int64_t a, int64_t b)
{
    if (b == 0) return 0;
    if (b == -1) return (int64_t)(UINT64_C(0) - (uint64_t)a);
    return a / b;
}
SLIC_UNUSED static int64_t slic_rem_s(int64_t a, int64_t b)
{
    if (b == 0 || b == -1) return 0;
    return a % b;
}
SLIC_UNUSED static int64_t slic_div_u(int64_t a, int64_t b)
{
    return b == 0 ? 0 : (int64_t)((uint64_t)a / (uint64_t)b);
}
SLIC_UNUSED static int64_t slic_rem_u(int64_t a, int64_t b)
{
    return b == 0 ? 0 : (int64_t)((uint64_t)a % (uint64_t)b);
}
SLIC_UNUSED static int64_t slic_fit(int64_t value, int bits, int is_signed)
{
    if (bits >= 64) return value;
    if (is_signed) {
        uint64_t sign = UINT64_C(1) << (bits - 1);
        uint64_t low = (uint64_t)value & ((UINT64_C(1) << bits) - 1);
        return (int64_t)((low ^ sign) - sign);
    }
    return (int64_t)((uint64_t)value & ((UINT64_C(1) << bits) - 1));
}
SLIC_UNUSED static int64_t slic_shl(int64_t a, int64_t count, int bits, int is_signed, int count_signed)
{
    if ((count_signed && count < 0) || (uint64_t)count >= (uint64_t)bits) return 0;
    return slic_fit((int64_t)((uint64_t)a << count), bits, is_signed);
}
SLIC_UNUSED static int64_t slic_shr(int64_t a, int64_t count, int bits, int is_signed, int count_signed)
{
    if ((count_signed && count < 0) || (uint64_t)count >= (uint64_t)bits)
        return (is_signed && a < 0) ? -1 : 0;
    if (is_signed) return slic_fit(a >> count, bits, 1);
    return slic_fit((int64_t)((uint64_t)a >> count), bits, 0);
}

/* The head of every instance: its object (for `watch` rules), the thread
   working on it (`owner`), the thread it belongs to (`holder`), its status,
   and whether it exists (see object_table.h). */
struct slic_slot {
    uintptr_t object;
    uintptr_t owner;
    uintptr_t holder;
    unsigned char status;
    unsigned char exists;
};
