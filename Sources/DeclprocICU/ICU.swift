internal import CICU
import DeclprocCollections

/// Namespace for facts about the ICU library in use.
public enum ICU {
    /// ICU's own version, e.g. "72.1".
    public static var version: String { readString(dp_icu_version) }
    /// The Unicode version ICU implements, e.g. "15.0".
    public static var unicodeVersion: String { readString(dp_icu_unicode_version) }

    private static func readString(_ body: (UnsafeMutablePointer<CChar>, Int32) -> Void) -> String {
        var buffer = [CChar](filledWith: 0, count: 64)
        buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!, Int32($0.count)) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// An ICU failure: the error code, its ICU name, and what we were doing.
public struct ICUError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let operation: String

    public var name: String { String(cString: dp_icu_error_name(code)) }
    public var description: String { "ICU \(operation) failed: \(name) (\(code))" }

    /// ICU reports warnings as negative codes (e.g. U_USING_DEFAULT_WARNING when a
    /// locale falls back to root): those are success. Only positive codes fail.
    static func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(ICUError) {
        if code > 0 { throw ICUError(code: code, operation: operation()) }
    }

    static let bufferOverflow: Int32 = 15 // U_BUFFER_OVERFLOW_ERROR
    static let stringNotTerminated: Int32 = -124 // U_STRING_NOT_TERMINATED_WARNING
}

/// Runs an ICU "preflight" call: tries with a guess, and if ICU says the buffer is too
/// small, retries once with exactly the size it asked for.
@inline(__always)
func withGrowingBuffer<Unit: BinaryInteger>(
    initialCapacity: Int, operation: String,
    _ body: (UnsafeMutablePointer<Unit>, Int32, inout Int32) -> Int32
) throws(ICUError) -> [Unit] {
    var capacity = max(initialCapacity, 16)
    while true {
        var error: Int32 = 0
        var result = [Unit](filledWith: 0, count: capacity)
        let needed = result.withUnsafeMutableBufferPointer { body($0.baseAddress!, Int32(capacity), &error) }
        if error == ICUError.bufferOverflow || Int(needed) > capacity {
            if Int(needed) <= capacity { throw ICUError(code: error, operation: operation) }
            capacity = Int(needed)
            continue
        }
        try ICUError.check(error, operation)
        result.removeSubrange(Int(needed)...)
        return result
    }
}
