internal import CICU
import DeclprocCollections

/// An ICU transliterator (`UTransliterator`), by system ID or from custom rules.
///
/// Not thread-safe: one per task, or `clone()`. Closed exactly once in `deinit`.
public final class Transliterator {
    public enum Direction: Int32, Sendable { case forward = 0, reverse = 1 }

    private let handle: UnsafeMutableRawPointer

    private init(handle: UnsafeMutableRawPointer) { self.handle = handle }

    /// A system transliterator such as "Han-Latin", "Traditional-Simplified" or
    /// a compound ID ("Any-Latin; Latin-ASCII").
    public convenience init(id: String, direction: Direction = .forward) throws(ICUError) {
        var error: Int32 = 0
        let idUnits = Array(id.utf16)
        let handle = dp_trans_open(idUnits, Int32(idUnits.count), direction.rawValue, nil, -1, &error)
        try ICUError.check(error, "opening transliterator \(id)")
        self.init(handle: handle!)
    }

    /// A transliterator from rules in ICU's transform-rule syntax; `id` names it.
    public convenience init(id: String, rules: String, direction: Direction = .forward) throws(ICUError) {
        var error: Int32 = 0
        let idUnits = Array(id.utf16)
        let ruleUnits = Array(rules.utf16)
        let handle = dp_trans_open(idUnits, Int32(idUnits.count), direction.rawValue,
                                   ruleUnits, Int32(ruleUnits.count), &error)
        try ICUError.check(error, "compiling transliterator rules \(id)")
        self.init(handle: handle!)
    }

    deinit { dp_trans_close(handle) }

    public func clone() throws(ICUError) -> Transliterator {
        var error: Int32 = 0
        let copy = dp_trans_clone(handle, &error)
        try ICUError.check(error, "cloning transliterator")
        return Transliterator(handle: copy!)
    }

    public func transform(_ text: String) throws(ICUError) -> String {
        let source = [UInt16](utf16Of: text)
        var capacity = source.count * 4 + 16
        while true {
            var buffer = source + [UInt16](filledWith: 0, count: capacity - source.count)
            var error: Int32 = 0
            let length = buffer.withUnsafeMutableBufferPointer {
                dp_trans_transform(handle, $0.baseAddress, Int32(source.count), Int32(capacity), &error)
            }
            if error == ICUError.bufferOverflow || Int(length) > capacity {
                capacity = max(Int(length), capacity * 2)
                continue
            }
            try ICUError.check(error, "transliterating")
            return String(utf16Units: buffer[..<Int(length)])
        }
    }
}
