// Thin prefixed wrappers: the C compiler applies ICU's versioned renaming here,
// so Swift links against whatever ICU the system has without naming _72.
#include "declproc_icu.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/ucnv.h>
#include <unicode/ucnv_cb.h>
#include <unicode/ucsdet.h>
#include <unicode/ubrk.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/uregex.h>
#include <unicode/uset.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>
#include <unicode/uversion.h>

_Static_assert(sizeof(UChar) == sizeof(uint16_t), "UChar must be 16-bit");
_Static_assert(sizeof(UErrorCode) == sizeof(int32_t), "UErrorCode must be 32-bit");
_Static_assert(UBRK_DONE == DP_BRK_DONE, "UBRK_DONE");
_Static_assert(UBRK_WORD == DP_BRK_WORD && UBRK_SENTENCE == DP_BRK_SENTENCE, "break kinds");
_Static_assert(UREGEX_CASE_INSENSITIVE == DP_REGEX_CASE_INSENSITIVE, "regex flags");
_Static_assert(UNORM2_COMPOSE == DP_NORM_MODE_COMPOSE && UNORM2_COMPOSE_CONTIGUOUS == DP_NORM_MODE_COMPOSE_CONTIGUOUS, "modes");

#define ERR(e) ((UErrorCode *)(e))

static void copy_version(const UVersionInfo v, char *out, int32_t capacity) {
    char s[U_MAX_VERSION_STRING_LENGTH];
    u_versionToString(v, s);
    strncpy(out, s, (size_t)capacity);
    if (capacity > 0) out[capacity - 1] = 0;
}

void dp_icu_version(char *out, int32_t capacity) {
    UVersionInfo v;
    u_getVersion(v);
    copy_version(v, out, capacity);
}

void dp_icu_unicode_version(char *out, int32_t capacity) {
    UVersionInfo v;
    u_getUnicodeVersion(v);
    copy_version(v, out, capacity);
}

const char *dp_icu_error_name(int32_t code) { return u_errorName((UErrorCode)code); }

// MARK: normalization

const void *dp_norm_instance(int32_t form, int32_t *error) {
    switch (form) {
    case DP_NORM_NFC: return unorm2_getNFCInstance(ERR(error));
    case DP_NORM_NFD: return unorm2_getNFDInstance(ERR(error));
    case DP_NORM_NFKC: return unorm2_getNFKCInstance(ERR(error));
    case DP_NORM_NFKD: return unorm2_getNFKDInstance(ERR(error));
    case DP_NORM_NFKC_CF: return unorm2_getNFKCCasefoldInstance(ERR(error));
    default: *error = U_ILLEGAL_ARGUMENT_ERROR; return NULL;
    }
}

const void *dp_norm_get(const char *package_or_null, const char *name, int32_t mode, int32_t *error) {
    return unorm2_getInstance(package_or_null, name, (UNormalization2Mode)mode, ERR(error));
}

void *dp_norm_open_filtered(const void *base, const uint16_t *set_pattern, int32_t pattern_length,
                            void **set_out, int32_t *error) {
    *set_out = NULL;
    USet *set = uset_openPattern(set_pattern, pattern_length, ERR(error));
    if (U_FAILURE(*ERR(error))) { if (set) uset_close(set); return NULL; }
    uset_freeze(set);
    UNormalizer2 *n = unorm2_openFiltered((const UNormalizer2 *)base, set, ERR(error));
    if (U_FAILURE(*ERR(error))) { uset_close(set); return NULL; }
    *set_out = set;
    return n;
}

void dp_norm_close(void *normalizer) { unorm2_close((UNormalizer2 *)normalizer); }
void dp_uset_close(void *set) { uset_close((USet *)set); }

int32_t dp_norm_normalize(const void *normalizer, const uint16_t *src, int32_t length,
                          uint16_t *dest, int32_t capacity, int32_t *error) {
    return unorm2_normalize((const UNormalizer2 *)normalizer, src, length, dest, capacity, ERR(error));
}

bool dp_norm_is_normalized(const void *normalizer, const uint16_t *src, int32_t length, int32_t *error) {
    return unorm2_isNormalized((const UNormalizer2 *)normalizer, src, length, ERR(error));
}

bool dp_norm_has_boundary_before(const void *normalizer, int32_t code_point) {
    return unorm2_hasBoundaryBefore((const UNormalizer2 *)normalizer, (UChar32)code_point);
}

// MARK: break iteration

void *dp_brk_open(int32_t kind, const char *locale, int32_t *error) {
    return ubrk_open((UBreakIteratorType)kind, locale, NULL, 0, ERR(error));
}

void *dp_brk_open_rules(const uint16_t *rules, int32_t length, int32_t *error) {
    UParseError parse;
    return ubrk_openRules(rules, length, NULL, 0, &parse, ERR(error));
}

void *dp_brk_clone(const void *iterator, int32_t *error) {
    return ubrk_clone((const UBreakIterator *)iterator, ERR(error));
}

void dp_brk_close(void *iterator) { ubrk_close((UBreakIterator *)iterator); }

void dp_brk_set_text(void *iterator, const uint16_t *text, int32_t length, int32_t *error) {
    ubrk_setText((UBreakIterator *)iterator, text, length, ERR(error));
}

int32_t dp_brk_first(void *iterator) { return ubrk_first((UBreakIterator *)iterator); }
int32_t dp_brk_next(void *iterator) { return ubrk_next((UBreakIterator *)iterator); }
int32_t dp_brk_rule_status(void *iterator) { return ubrk_getRuleStatus((UBreakIterator *)iterator); }

// MARK: transliteration

void *dp_trans_open(const uint16_t *id, int32_t id_length, int32_t direction,
                    const uint16_t *rules, int32_t rules_length, int32_t *error) {
    UParseError parse;
    return utrans_openU(id, id_length, (UTransDirection)direction, rules, rules_length, &parse, ERR(error));
}

void *dp_trans_clone(const void *transliterator, int32_t *error) {
    return utrans_clone((const UTransliterator *)transliterator, ERR(error));
}

void dp_trans_close(void *transliterator) { utrans_close((UTransliterator *)transliterator); }

int32_t dp_trans_transform(const void *transliterator, uint16_t *text, int32_t length,
                           int32_t capacity, int32_t *error) {
    int32_t text_length = length;
    int32_t limit = length;
    utrans_transUChars((const UTransliterator *)transliterator, text, &text_length, capacity, 0, &limit, ERR(error));
    return text_length;
}

// MARK: charset detection

void *dp_csdet_open(int32_t *error) { return ucsdet_open(ERR(error)); }
void dp_csdet_close(void *detector) { ucsdet_close((UCharsetDetector *)detector); }

void dp_csdet_enable_input_filter(void *detector, bool filter) {
    ucsdet_enableInputFilter((UCharsetDetector *)detector, filter);
}

void dp_csdet_set_text(void *detector, const char *bytes, int32_t length, int32_t *error) {
    ucsdet_setText((UCharsetDetector *)detector, bytes, length, ERR(error));
}

void dp_csdet_set_declared(void *detector, const char *encoding, int32_t length, int32_t *error) {
    ucsdet_setDeclaredEncoding((UCharsetDetector *)detector, encoding, length, ERR(error));
}

// The match array belongs to the detector and stays valid until the next detection,
// so it is kept beside the detector's pointer by asking again (cheap: cached by ICU).
static const UCharsetMatch **last_matches(void *detector, int32_t *count, UErrorCode *error) {
    return ucsdet_detectAll((UCharsetDetector *)detector, count, error);
}

int32_t dp_csdet_detect_all(void *detector, int32_t *error) {
    int32_t count = 0;
    last_matches(detector, &count, ERR(error));
    return U_FAILURE(*ERR(error)) ? 0 : count;
}

int32_t dp_csdet_match(void *detector, int32_t index, char *name, int32_t name_capacity,
                       char *language, int32_t language_capacity, int32_t *error) {
    int32_t count = 0;
    const UCharsetMatch **matches = last_matches(detector, &count, ERR(error));
    if (U_FAILURE(*ERR(error))) return 0;
    if (index < 0 || index >= count) { *error = U_INDEX_OUTOFBOUNDS_ERROR; return 0; }
    const char *n = ucsdet_getName(matches[index], ERR(error));
    const char *l = ucsdet_getLanguage(matches[index], ERR(error));
    int32_t confidence = ucsdet_getConfidence(matches[index], ERR(error));
    if (name_capacity > 0) { strncpy(name, n ? n : "", (size_t)name_capacity); name[name_capacity - 1] = 0; }
    if (language_capacity > 0) { strncpy(language, l ? l : "", (size_t)language_capacity); language[language_capacity - 1] = 0; }
    return confidence;
}

// MARK: charset conversion

struct decode_context { int64_t invalid_bytes; };

// Replaces each malformed, unassigned or irregular sequence with U+FFFD and counts
// its bytes, so decoding never fails and never loses track of what was bad.
static void count_and_replace(const void *context, UConverterToUnicodeArgs *args,
                              const char *code_units, int32_t length,
                              UConverterCallbackReason reason, UErrorCode *error) {
    (void)code_units;
    if (reason > UCNV_IRREGULAR) return; // reset, close, clone: nothing to do
    struct decode_context *ctx = (struct decode_context *)context;
    ctx->invalid_bytes += length;
    static const UChar replacement = 0xFFFD;
    *error = U_ZERO_ERROR;
    ucnv_cbToUWriteUChars(args, &replacement, 1, 0, error);
}

void *dp_cnv_open(const char *name, int32_t *error) { return ucnv_open(name, ERR(error)); }
void dp_cnv_close(void *converter) { ucnv_close((UConverter *)converter); }
void dp_cnv_reset(void *converter) { ucnv_reset((UConverter *)converter); }

void dp_cnv_name(void *converter, char *out, int32_t capacity, int32_t *error) {
    const char *n = ucnv_getName((const UConverter *)converter, ERR(error));
    if (capacity > 0) { strncpy(out, n ? n : "", (size_t)capacity); out[capacity - 1] = 0; }
}

// count_and_replace in place of the converter's own callback for one decoding.
struct counting { struct decode_context ctx; UConverterToUCallback old_action; const void *old_context; };

static bool start_counting(UConverter *cnv, struct counting *counting, UErrorCode *error) {
    counting->ctx.invalid_bytes = 0;
    ucnv_setToUCallBack(cnv, count_and_replace, &counting->ctx, &counting->old_action, &counting->old_context, error);
    return U_SUCCESS(*error);
}

// Puts the converter's callback back; returns the bytes replaced meanwhile.
static int64_t stop_counting(UConverter *cnv, struct counting *counting) {
    UErrorCode ignored = U_ZERO_ERROR;
    ucnv_setToUCallBack(cnv, counting->old_action, counting->old_context, NULL, NULL, &ignored);
    return counting->ctx.invalid_bytes;
}

int32_t dp_cnv_decode_utf8(void *converter, const char *src, int32_t src_length,
                           char *dest, int32_t capacity, int64_t *invalid_bytes, int32_t *error) {
    UConverter *cnv = (UConverter *)converter;
    struct counting counting;
    if (!start_counting(cnv, &counting, ERR(error))) return 0;
    int32_t length = ucnv_toAlgorithmic(UCNV_UTF8, cnv, dest, capacity, src, src_length, ERR(error));
    *invalid_bytes = stop_counting(cnv, &counting);
    return length;
}

enum { PIECE_PIVOT = 1024 };

// A short piece to UTF-16 in one call and to UTF-8 in another: half the cost of
// ucnv_convertEx's pair of converters for the few words most pieces are. False when
// the UTF-16 did not fit (a byte gives at most one UChar in the charsets decoded in
// pieces, so it always does; if not, the piece is decoded again the long way).
static bool piece_through_utf16(UConverter *cnv, const char *src, int32_t src_length,
                                char *dest, int32_t capacity, int32_t *length, UErrorCode *error) {
    UChar utf16[PIECE_PIVOT];
    UChar *target = utf16;
    const char *source = src;
    ucnv_resetToUnicode(cnv);
    ucnv_toUnicode(cnv, &target, utf16 + PIECE_PIVOT, &source, src + src_length, NULL, true, error);
    if (*error == U_BUFFER_OVERFLOW_ERROR) { *error = U_ZERO_ERROR; return false; }
    if (U_FAILURE(*error)) return true;
    u_strToUTF8WithSub(dest, capacity, length, utf16, (int32_t)(target - utf16), 0xFFFD, NULL, error);
    return true;
}

// Any piece through ucnv_convertEx, pivoting through UTF-16 inside ICU.
static void piece_through_pivot(UConverter *cnv, UConverter *utf8, const char *src, int32_t src_length,
                                char *dest, int32_t capacity, int32_t *length, UErrorCode *error) {
    UChar pivot[PIECE_PIVOT];
    UChar *pivot_source = pivot, *pivot_target = pivot;
    char *target = dest;
    const char *source = src;
    ucnv_convertEx(utf8, cnv, &target, dest + capacity, &source, src + src_length,
                   pivot, &pivot_source, &pivot_target, pivot + PIECE_PIVOT, true, true, error);
    *length = (int32_t)(target - dest);
}

int32_t dp_cnv_decode_utf8_piece(void *converter, void *utf8, const char *src, int32_t src_length,
                                 char *dest, int32_t capacity, int64_t *invalid_bytes, int32_t *error) {
    UConverter *cnv = (UConverter *)converter;
    struct counting counting;
    if (!start_counting(cnv, &counting, ERR(error))) return 0;
    int32_t length = 0;
    if (src_length > PIECE_PIVOT || !piece_through_utf16(cnv, src, src_length, dest, capacity, &length, ERR(error))) {
        counting.ctx.invalid_bytes = 0; // counted again from the piece's start
        piece_through_pivot(cnv, (UConverter *)utf8, src, src_length, dest, capacity, &length, ERR(error));
    }
    *invalid_bytes += stop_counting(cnv, &counting);
    if (*error == U_BUFFER_OVERFLOW_ERROR) { *error = U_ZERO_ERROR; return -1; }
    if (*error == U_STRING_NOT_TERMINATED_WARNING) *error = U_ZERO_ERROR;
    return length;
}

int32_t dp_cnv_encode(void *converter, const uint16_t *src, int32_t src_length,
                      char *dest, int32_t capacity, int32_t *error) {
    return ucnv_fromUChars((UConverter *)converter, dest, capacity, src, src_length, ERR(error));
}

void dp_cnv_standard_name(const char *label, const char *standard, char *out, int32_t capacity, int32_t *error) {
    const char *n = ucnv_getStandardName(label, standard, ERR(error));
    if (capacity > 0) { strncpy(out, n ? n : "", (size_t)capacity); out[capacity - 1] = 0; }
}

// MARK: character properties

int32_t dp_script(int32_t code_point, int32_t *error) { return uscript_getScript((UChar32)code_point, ERR(error)); }
bool dp_has_script(int32_t code_point, int32_t script) { return uscript_hasScript((UChar32)code_point, (UScriptCode)script); }
const char *dp_script_short_name(int32_t script) { return uscript_getShortName((UScriptCode)script); }
int32_t dp_script_han(void) { return USCRIPT_HAN; }
int32_t dp_script_latin(void) { return USCRIPT_LATIN; }
int32_t dp_script_common(void) { return USCRIPT_COMMON; }
int32_t dp_script_inherited(void) { return USCRIPT_INHERITED; }
int32_t dp_char_type(int32_t code_point) { return u_charType((UChar32)code_point); }
bool dp_is_white_space(int32_t code_point) { return u_isUWhiteSpace((UChar32)code_point); }
bool dp_is_punctuation(int32_t code_point) { return u_ispunct((UChar32)code_point); }
bool dp_is_alphabetic(int32_t code_point) { return u_isUAlphabetic((UChar32)code_point); }
bool dp_is_default_ignorable(int32_t code_point) { return u_hasBinaryProperty((UChar32)code_point, UCHAR_DEFAULT_IGNORABLE_CODE_POINT); }
bool dp_is_bidi_control(int32_t code_point) { return u_hasBinaryProperty((UChar32)code_point, UCHAR_BIDI_CONTROL); }
int32_t dp_general_category_mask(int32_t code_point) { return (int32_t)U_GET_GC_MASK((UChar32)code_point); }

// Regular expressions.
void *dp_regex_open(const uint16_t *pattern, int32_t length, uint32_t flags, int32_t *error) {
    return uregex_open(pattern, length, flags, NULL, ERR(error));
}
void *dp_regex_clone(const void *regex, int32_t *error) { return uregex_clone((const URegularExpression *)regex, ERR(error)); }
void dp_regex_close(void *regex) { uregex_close((URegularExpression *)regex); }
void dp_regex_set_text(void *regex, const uint16_t *text, int32_t length, int32_t *error) {
    uregex_setText((URegularExpression *)regex, text, length, ERR(error));
}
bool dp_regex_find_next(void *regex, int32_t *error) { return uregex_findNext((URegularExpression *)regex, ERR(error)); }
int32_t dp_regex_group_count(void *regex, int32_t *error) { return uregex_groupCount((URegularExpression *)regex, ERR(error)); }
int32_t dp_regex_start(void *regex, int32_t group, int32_t *error) { return uregex_start((URegularExpression *)regex, group, ERR(error)); }
int32_t dp_regex_end(void *regex, int32_t group, int32_t *error) { return uregex_end((URegularExpression *)regex, group, ERR(error)); }
