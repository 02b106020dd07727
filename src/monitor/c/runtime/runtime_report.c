
SLIC_UNUSED static void slic_violation(const struct slic_rule *rule, const struct slic_abort *abort_info,
                           const struct slic_call *c, uintptr_t object)
{
    struct slic_violation v;
    v.kind = SLIC_VIOLATION;
    v.rule = rule->name;
    v.has_rule_id = rule->has_rule_id;
    v.rule_id = rule->rule_id;
    v.message = abort_info->message;
    v.rule_location = abort_info->location;
    v.event = c->event;
    v.site = c->site;
    v.object = object;
    slic_report(&v);
}

SLIC_UNUSED static void slic_table_full(const struct slic_rule *rule, const struct slic_call *c, uintptr_t object)
{
    struct slic_violation v;
    v.kind = SLIC_TABLE_FULL;
    v.rule = rule->name;
    v.has_rule_id = rule->has_rule_id;
    v.rule_id = rule->rule_id;
    v.message = SLIC_TABLE_FULL_MESSAGE;
    v.rule_location = "";
    v.event = c ? c->event : "";
    v.site = c ? c->site : 0;
    v.object = object;
    slic_report(&v);
}

/* Appends to a bounded buffer, counting what did not fit. */
static void slic_put(char *buffer, unsigned size, unsigned *at, const char *text)
{
    while (*text) {
        if (*at + 1 < size) buffer[*at] = *text;
        (*at)++;
        text++;
    }
    if (size) buffer[*at < size ? *at : size - 1] = 0;
}

static void slic_put_number(char *buffer, unsigned size, unsigned *at, uint64_t value, unsigned base, unsigned width)
{
    char digits[24];
    unsigned n = 0;
    do {
        digits[n++] = "0123456789ABCDEF"[value % base];
        value /= base;
    } while (value && n < sizeof digits);
    while (n < width && n < sizeof digits) digits[n++] = '0';
    while (n) {
        char one[2];
        one[0] = digits[--n];
        one[1] = 0;
        slic_put(buffer, size, at, one);
    }
}

SLIC_ENTRY int slic_format(const struct slic_violation *v, char *buffer, unsigned size)
{
    unsigned at = 0;
    if (size) buffer[0] = 0;
    if (v->kind == SLIC_TABLE_FULL) {
        slic_put(buffer, size, &at, "slic: monitor table full for ");
        slic_put(buffer, size, &at, v->rule);
        slic_put(buffer, size, &at, ": ");
        slic_put(buffer, size, &at, v->message);
        slic_put(buffer, size, &at, " (raise SLIC_MAX_OBJECTS)\n");
        return (int)at;
    }
    slic_put(buffer, size, &at, "slic: violation of ");
    slic_put(buffer, size, &at, v->rule);
    slic_put(buffer, size, &at, " (");
    if (v->has_rule_id) {
        slic_put(buffer, size, &at, "0x");
        slic_put_number(buffer, size, &at, v->rule_id, 16, 8);
    } else {
        slic_put(buffer, size, &at, "n/a");
    }
    slic_put(buffer, size, &at, "): ");
    slic_put(buffer, size, &at, v->message);
    slic_put(buffer, size, &at, "\n --> ");
    if (v->site && v->site->file) {
        slic_put(buffer, size, &at, v->site->file);
        slic_put(buffer, size, &at, ":");
        slic_put_number(buffer, size, &at, v->site->line, 10, 1);
        slic_put(buffer, size, &at, ":");
        slic_put_number(buffer, size, &at, v->site->column, 10, 1);
    } else {
        slic_put(buffer, size, &at, "<unknown>");
    }
    slic_put(buffer, size, &at, " in ");
    slic_put(buffer, size, &at, v->site && v->site->function ? v->site->function : "<unknown>");
    slic_put(buffer, size, &at, " (");
    slic_put(buffer, size, &at, v->event);
    slic_put(buffer, size, &at, ")\n rule: ");
    slic_put(buffer, size, &at, v->rule_location);
    slic_put(buffer, size, &at, "\n");
    return (int)at;
}

#if defined(SLIC_KERNEL)
SLIC_ENTRY void slic_report_default(const struct slic_violation *v)
{
    /* Like Driver Verifier: bug check 0xC4, parameter 1 the rule ID. */
    KeBugCheckEx(0xC4, v->has_rule_id ? v->rule_id : 0, (ULONG_PTR)v->message,
                 (ULONG_PTR)v->site, (ULONG_PTR)v->object);
}
#else
SLIC_ENTRY void slic_report_default(const struct slic_violation *v)
{
    static int mode = -1;
    char text[SLIC_REPORT_BUFFER];
    int length = slic_format(v, text, sizeof text);
    (void)length;
    fputs(text, stderr);
    fflush(stderr);
    if (mode < 0) {
        const char *setting = getenv(SLIC_ON_VIOLATION_VARIABLE);
        mode = setting && setting[0] == 'c' && setting[1] == 'o' ? 1 : 0;
    }
    if (!mode) abort();
}
#endif

/* `slic_report` is the default unless the program defines its own. */
#if defined(_WIN32) && !defined(__MINGW32__)
#if defined(_M_IX86)
#pragma comment(linker, "/alternatename:_slic_report=_slic_report_default")
#else
#pragma comment(linker, "/alternatename:slic_report=slic_report_default")
#endif
#else
__attribute__((weak)) void slic_report(const struct slic_violation *v)
{
    slic_report_default(v);
}
#endif
