internal import CICU

/// An ICU break iterator (`UBreakIterator`) over one text at a time.
///
/// Not thread-safe (ICU objects never are): give each task its own, or `clone()`.
/// ICU keeps a pointer to the text, so the iterator owns a copy of the UTF-16 it
/// was given, and the handle is closed exactly once in `deinit`.
public final class BreakIterator {
    public enum Kind: Int32, Sendable {
        case character = 0, word = 1, line = 2, sentence = 3
    }

    private let handle: UnsafeMutableRawPointer
    private var text: UnsafeMutableBufferPointer<UInt16>

    private init(handle: UnsafeMutableRawPointer) {
        self.handle = handle
        self.text = UnsafeMutableBufferPointer(start: nil, count: 0)
    }

    /// An iterator with ICU's rules for `kind` in `locale` (e.g. "zh", "en@ss=standard").
    public convenience init(_ kind: Kind, locale: String) throws(ICUError) {
        var error: Int32 = 0
        let handle = dp_brk_open(kind.rawValue, locale, &error)
        try ICUError.check(error, "opening \(kind) break iterator for \(locale)")
        self.init(handle: handle!)
    }

    /// An iterator from custom rules in ICU's break-rule syntax.
    public convenience init(rules: String) throws(ICUError) {
        var error: Int32 = 0
        let utf16 = Array(rules.utf16)
        let handle = dp_brk_open_rules(utf16, Int32(utf16.count), &error)
        try ICUError.check(error, "compiling break rules")
        self.init(handle: handle!)
    }

    deinit {
        dp_brk_close(handle)
        text.deallocate()
    }

    /// An independent iterator with the same rules, for another task.
    public func clone() throws(ICUError) -> BreakIterator {
        var error: Int32 = 0
        let copy = dp_brk_clone(handle, &error)
        try ICUError.check(error, "cloning break iterator")
        return BreakIterator(handle: copy!)
    }

    /// Room for `count` units in the text buffer, kept from call to call and grown only
    /// when a text needs more: made afresh for each text, it was an allocation for every
    /// statement's sentences and every translation's. Never empty, so ICU is always
    /// given a buffer.
    private func reserveText(_ count: Int) {
        guard text.count < max(count, 1) else { return }
        text.deallocate()
        text = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: max(count, 64))
    }

    /// The boundaries of the text that `fill` writes (at most `count` UTF-16 units;
    /// it returns how many it wrote), in UTF-16 offsets from 0 to the length,
    /// without rule statuses: the hot path of word segmentation, which copies the
    /// text once into the iterator's own buffer (kept between calls) and builds nothing else.
    public func offsets(count: Int, fill: (UnsafeMutableBufferPointer<UInt16>) -> Int) throws(ICUError) -> [Int32] {
        reserveText(count)
        let length = fill(text)
        var error: Int32 = 0
        dp_brk_set_text(handle, text.baseAddress, Int32(length), &error)
        try ICUError.check(error, "setting break text")
        // Reserved before the first offset goes in: an array literal and then room was
        // two allocations a text.
        var result: [Int32] = []
        result.reserveCapacity(length / 2 + 2)
        result.append(dp_brk_first(handle))
        while true {
            let next = dp_brk_next(handle)
            if next < 0 { break } // UBRK_DONE
            result.append(next)
        }
        return result
    }

    /// The boundaries of `utf16` in UTF-16 offsets, starting with 0 and ending with
    /// its length, each paired with the rule status of the segment that ends there
    /// (for words: 0 none/punctuation/space, 100.. number, 200.. letter, 300.. kana, 400.. ideo).
    public func boundaries(utf16 source: [UInt16]) throws(ICUError) -> [(offset: Int, status: Int32)] {
        reserveText(source.count)
        _ = UnsafeMutableBufferPointer(rebasing: text[..<source.count]).initialize(from: source)
        var error: Int32 = 0
        dp_brk_set_text(handle, text.baseAddress, Int32(source.count), &error)
        try ICUError.check(error, "setting break text")
        var result: [(offset: Int, status: Int32)] = []
        // Room for a boundary every sixteen units, some at least: grown from one, the
        // list of a statement's few sentences was three allocations.
        result.reserveCapacity(source.count / 16 + 8)
        result.append((Int(dp_brk_first(handle)), 0))
        while true {
            let next = dp_brk_next(handle)
            if next < 0 { break } // UBRK_DONE
            result.append((Int(next), dp_brk_rule_status(handle)))
        }
        return result
    }
}
