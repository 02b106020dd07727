
SLIC_COLD static void slic_violation(const struct slic_rule *rule, const struct slic_abort *abort_info,
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
#ifdef SLIC_KERNEL
    slic_report(&v);
#else
    {
        /* A program's `slic_report` may make events of its own on this
           thread (it calls the driver): they leave the slot the reporting
           event works on, which the thread then takes again. */
        struct slic_thread *record = slic_my_record;
        uintptr_t working = record ? SLIC_LOAD_RELAXED(&record->busy) : 0;
        slic_report(&v);
        if (working && SLIC_LOAD_RELAXED(&record->busy) != working) slic_enter_slow((struct slic_slot *)working);
    }
#endif
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

/* JSON string contents: quotes, backslashes and control bytes escaped. */
static void slic_put_json(char *buffer, unsigned size, unsigned *at, const char *text)
{
    char one[2];
    one[1] = 0;
    for (; *text; text++) {
        unsigned char c = (unsigned char)*text;
        if (c == '"' || c == '\\') {
            one[0] = '\\';
            slic_put(buffer, size, at, one);
            one[0] = (char)c;
            slic_put(buffer, size, at, one);
        } else if (c < 0x20) {
            slic_put(buffer, size, at, "\\u00");
            slic_put_number(buffer, size, at, c, 16, 2);
        } else {
            one[0] = (char)c;
            slic_put(buffer, size, at, one);
        }
    }
}

/* A path as a URI reference: bytes other than letters, digits, `-._~/`
   percent-encoded. */
static void slic_put_uri(char *buffer, unsigned size, unsigned *at, const char *path)
{
    char one[2];
    one[1] = 0;
    for (; *path; path++) {
        unsigned char c = (unsigned char)*path;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
            || c == '_' || c == '~' || c == '/') {
            one[0] = (char)c;
            slic_put(buffer, size, at, one);
        } else {
            slic_put(buffer, size, at, "%");
            slic_put_number(buffer, size, at, c, 16, 2);
        }
    }
}

/* One SARIF 2.1.0 result for a violation (src/sarif.rs describes the log it
   goes into); returns the length it needed. */
SLIC_ENTRY int slic_format_sarif(const struct slic_violation *v, char *buffer, unsigned size)
{
    unsigned at = 0;
    if (size) buffer[0] = 0;
    slic_put(buffer, size, &at, "{\"ruleId\":\"");
    slic_put_json(buffer, size, &at, v->rule);
    slic_put(buffer, size, &at, "\",\"level\":\"error\",\"message\":{\"text\":\"");
    slic_put_json(buffer, size, &at, v->message);
    slic_put(buffer, size, &at, "\"},\"locations\":[{");
    if (v->site && v->site->file) {
        slic_put(buffer, size, &at, "\"physicalLocation\":{\"artifactLocation\":{\"uri\":\"");
        if (v->site->file[0] == '/') {
            slic_put(buffer, size, &at, "file://");
            slic_put_uri(buffer, size, &at, v->site->file);
            slic_put(buffer, size, &at, "\"},");
        } else {
            slic_put_uri(buffer, size, &at, v->site->file);
            slic_put(buffer, size, &at, "\",\"uriBaseId\":\"%SRCROOT%\"},");
        }
        slic_put(buffer, size, &at, "\"region\":{\"startLine\":");
        slic_put_number(buffer, size, &at, v->site->line ? v->site->line : 1, 10, 1);
        slic_put(buffer, size, &at, ",\"startColumn\":");
        slic_put_number(buffer, size, &at, v->site->column ? v->site->column : 1, 10, 1);
        slic_put(buffer, size, &at, "}},");
    }
    slic_put(buffer, size, &at, "\"logicalLocations\":[{\"name\":\"");
    slic_put_json(buffer, size, &at, v->site && v->site->function ? v->site->function : "<unknown>");
    slic_put(buffer, size, &at, "\",\"kind\":\"function\"}]}],\"properties\":{\"event\":\"");
    slic_put_json(buffer, size, &at, v->event);
    slic_put(buffer, size, &at, "\",\"ruleLocation\":\"");
    slic_put_json(buffer, size, &at, v->rule_location);
    slic_put(buffer, size, &at, "\"");
    if (v->has_rule_id) {
        slic_put(buffer, size, &at, ",\"ruleIdHex\":\"0x");
        slic_put_number(buffer, size, &at, v->rule_id, 16, 8);
        slic_put(buffer, size, &at, "\"");
    }
    slic_put(buffer, size, &at, "}}");
    return (int)at;
}

#if !defined(SLIC_KERNEL) && !defined(_WIN32)
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every SARIF log the monitor writes ends with this: a result is appended
   by writing over it, and the log is valid again after each append. */
#define SLIC_SARIF_TAIL "\n]}]}\n"

static int slic_write_all(int fd, const char *text, size_t length)
{
    while (length) {
        ssize_t written = write(fd, text, length);
        if (written <= 0) return -1;
        text += written;
        length -= (size_t)written;
    }
    return 0;
}

/* Appends a result to the SARIF log at `path` (`SLIC_SARIF`), creating it
   with the monitor's rules; under an exclusive lock of the file, so that the
   threads and processes of a test run can share one log. */
static void slic_sarif_append(const char *path, const char *result)
{
    char tail[sizeof SLIC_SARIF_TAIL];
    size_t tail_length = sizeof SLIC_SARIF_TAIL - 1;
    struct stat status;
    int fd = open(path, O_RDWR | O_CREAT, 0666);
    if (fd < 0) {
        fputs("slic: cannot open the SARIF log named by SLIC_SARIF\n", stderr);
        return;
    }
    if (flock(fd, LOCK_EX) != 0 || fstat(fd, &status) != 0) {
        close(fd);
        return;
    }
    if (status.st_size == 0) {
        slic_write_all(fd, slic_sarif_head, strlen(slic_sarif_head));
    } else if (status.st_size < (off_t)tail_length
               || lseek(fd, status.st_size - (off_t)tail_length, SEEK_SET) < 0
               || read(fd, tail, tail_length) != (ssize_t)tail_length
               || memcmp(tail, SLIC_SARIF_TAIL, tail_length) != 0
               || lseek(fd, status.st_size - (off_t)tail_length, SEEK_SET) < 0) {
        fputs("slic: the file SLIC_SARIF names is not a SARIF log slic wrote; the violation is not added to it\n",
              stderr);
        flock(fd, LOCK_UN);
        close(fd);
        return;
    } else {
        slic_write_all(fd, ",\n", 2);
    }
    slic_write_all(fd, result, strlen(result));
    slic_write_all(fd, SLIC_SARIF_TAIL, tail_length);
    flock(fd, LOCK_UN);
    close(fd);
}
#endif

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
    /* Read each time, not cached: threads report at once (a cache would be
       a data race), and a report is rare. */
    const char *setting;
    char text[SLIC_REPORT_BUFFER];
    int length = slic_format(v, text, sizeof text);
    (void)length;
    fputs(text, stderr);
    fflush(stderr);
#if !defined(_WIN32)
    if (v->kind == SLIC_VIOLATION) {
        const char *sarif = getenv("SLIC_SARIF");
        if (sarif && sarif[0]) {
            char result[4096];
            if (slic_format_sarif(v, result, sizeof result) < (int)sizeof result) slic_sarif_append(sarif, result);
        }
    }
#endif
    setting = getenv(SLIC_ON_VIOLATION_VARIABLE);
    if (!(setting && setting[0] == 'c' && setting[1] == 'o')) abort();
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
