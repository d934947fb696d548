// A narrow, opaque C interface over system ICU.
//
// Why this exists: ICU's entry points are renamed by macros (ubrk_open is really
// ubrk_open_72) that Swift cannot import, and Foundation on Linux carries its own
// ICU module whose C types clash with the system headers. So this header includes
// no ICU header at all: handles are opaque pointers, text is UTF-16 as uint16_t,
// error codes are int32_t (ICU's UErrorCode: > 0 is an error, <= 0 is success).
#ifndef DECLPROC_ICU_H
#define DECLPROC_ICU_H

#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

// Versions and errors.
void dp_icu_version(char *out, int32_t capacity);
void dp_icu_unicode_version(char *out, int32_t capacity);
const char *dp_icu_error_name(int32_t code);

// Normalization. Instances from dp_norm_instance / dp_norm_get are ICU-owned
// singletons and must never be closed; dp_norm_open_filtered returns an owned one.
enum { DP_NORM_NFC = 0, DP_NORM_NFD = 1, DP_NORM_NFKC = 2, DP_NORM_NFKD = 3, DP_NORM_NFKC_CF = 4 };
enum { DP_NORM_MODE_COMPOSE = 0, DP_NORM_MODE_DECOMPOSE = 1, DP_NORM_MODE_FCD = 2, DP_NORM_MODE_COMPOSE_CONTIGUOUS = 3 };
const void *dp_norm_instance(int32_t form, int32_t *error);
const void *dp_norm_get(const char *package_or_null, const char *name, int32_t mode, int32_t *error);
// The filter set must outlive the normalizer: it is returned in *set_out, and the
// owner closes the normalizer first, then the set.
void *dp_norm_open_filtered(const void *base, const uint16_t *set_pattern, int32_t pattern_length,
                            void **set_out, int32_t *error);
void dp_norm_close(void *normalizer);
void dp_uset_close(void *set);
int32_t dp_norm_normalize(const void *normalizer, const uint16_t *src, int32_t length,
                          uint16_t *dest, int32_t capacity, int32_t *error);
bool dp_norm_is_normalized(const void *normalizer, const uint16_t *src, int32_t length, int32_t *error);
bool dp_norm_has_boundary_before(const void *normalizer, int32_t code_point);

// Break iteration. The iterator keeps a pointer to the text: the caller keeps the
// UTF-16 buffer alive and unmoved until the next set_text or close.
enum { DP_BRK_CHARACTER = 0, DP_BRK_WORD = 1, DP_BRK_LINE = 2, DP_BRK_SENTENCE = 3 };
enum { DP_BRK_DONE = -1 };
void *dp_brk_open(int32_t kind, const char *locale, int32_t *error);
void *dp_brk_open_rules(const uint16_t *rules, int32_t length, int32_t *error);
void *dp_brk_clone(const void *iterator, int32_t *error);
void dp_brk_close(void *iterator);
void dp_brk_set_text(void *iterator, const uint16_t *text, int32_t length, int32_t *error);
int32_t dp_brk_first(void *iterator);
int32_t dp_brk_next(void *iterator);
int32_t dp_brk_rule_status(void *iterator);

// Transliteration: by system ID (e.g. "Han-Latin") or from custom rules.
enum { DP_TRANS_FORWARD = 0, DP_TRANS_REVERSE = 1 };
void *dp_trans_open(const uint16_t *id, int32_t id_length, int32_t direction,
                    const uint16_t *rules, int32_t rules_length, int32_t *error);
void *dp_trans_clone(const void *transliterator, int32_t *error);
void dp_trans_close(void *transliterator);
// Transforms text in place; returns the needed length (may exceed capacity, then
// error is U_BUFFER_OVERFLOW_ERROR and the caller retries with a larger buffer).
int32_t dp_trans_transform(const void *transliterator, uint16_t *text, int32_t length,
                           int32_t capacity, int32_t *error);

// Regular expressions (ICU syntax). A compiled expression holds its own matching
// state: one per thread (clone), and the text stays alive and unmoved until the next
// set_text or close. start/end are UTF-16 offsets, -1 for a group that did not match.
enum { DP_REGEX_CASE_INSENSITIVE = 2 };
void *dp_regex_open(const uint16_t *pattern, int32_t length, uint32_t flags, int32_t *error);
void *dp_regex_clone(const void *regex, int32_t *error);
void dp_regex_close(void *regex);
void dp_regex_set_text(void *regex, const uint16_t *text, int32_t length, int32_t *error);
bool dp_regex_find_next(void *regex, int32_t *error);
int32_t dp_regex_group_count(void *regex, int32_t *error);
int32_t dp_regex_start(void *regex, int32_t group, int32_t *error);
int32_t dp_regex_end(void *regex, int32_t group, int32_t *error);

// Charset detection.
void *dp_csdet_open(int32_t *error);
void dp_csdet_close(void *detector);
void dp_csdet_enable_input_filter(void *detector, bool filter);
void dp_csdet_set_text(void *detector, const char *bytes, int32_t length, int32_t *error);
void dp_csdet_set_declared(void *detector, const char *encoding, int32_t length, int32_t *error);
// Runs detection; returns the number of matches, best first.
int32_t dp_csdet_detect_all(void *detector, int32_t *error);
// Reads match `index` of the last detect_all: charset name and language into the
// buffers (NUL-terminated, truncated to capacity); returns the confidence 0-100.
int32_t dp_csdet_match(void *detector, int32_t index, char *name, int32_t name_capacity,
                       char *language, int32_t language_capacity, int32_t *error);

// Charset conversion. Decoding replaces every malformed or unmappable byte
// sequence with U+FFFD and counts its bytes.
void *dp_cnv_open(const char *name, int32_t *error);
void dp_cnv_close(void *converter);
void dp_cnv_reset(void *converter);
// Canonical ICU name of the converter, NUL-terminated into out.
void dp_cnv_name(void *converter, char *out, int32_t capacity, int32_t *error);
// Decodes the whole source to UTF-8 (ICU pivots through UTF-16 internally). Returns
// the UTF-8 length, which is the length needed when the error is a buffer overflow.
// `invalid_bytes` receives how many source bytes were replaced by U+FFFD.
int32_t dp_cnv_decode_utf8(void *converter, const char *src, int32_t src_length,
                           char *dest, int32_t capacity, int64_t *invalid_bytes, int32_t *error);
// Decodes one piece of a page to UTF-8 through `utf8` (a UTF-8 converter), starting
// from the converter's initial state and flushing at the end. Returns the UTF-8 length
// written, or -1 when `capacity` was too small. Adds replaced bytes to `invalid_bytes`.
int32_t dp_cnv_decode_utf8_piece(void *converter, void *utf8, const char *src, int32_t src_length,
                                 char *dest, int32_t capacity, int64_t *invalid_bytes, int32_t *error);
// Encodes UTF-16 to the converter's charset; unmappable characters become its substitution.
int32_t dp_cnv_encode(void *converter, const uint16_t *src, int32_t src_length,
                      char *dest, int32_t capacity, int32_t *error);
// Standard name for a charset label under a standard ("IANA", "MIME", "WINDOWS"); "" if none.
void dp_cnv_standard_name(const char *label, const char *standard, char *out, int32_t capacity, int32_t *error);

// Character properties.
int32_t dp_script(int32_t code_point, int32_t *error);
bool dp_has_script(int32_t code_point, int32_t script);
const char *dp_script_short_name(int32_t script);
int32_t dp_script_han(void);
int32_t dp_script_latin(void);
int32_t dp_script_common(void);
int32_t dp_script_inherited(void);
int32_t dp_char_type(int32_t code_point);
bool dp_is_white_space(int32_t code_point);
bool dp_is_punctuation(int32_t code_point);
bool dp_is_alphabetic(int32_t code_point);
bool dp_is_default_ignorable(int32_t code_point);
bool dp_is_bidi_control(int32_t code_point);
int32_t dp_general_category_mask(int32_t code_point);

#ifdef __cplusplus
}
#endif
#endif
