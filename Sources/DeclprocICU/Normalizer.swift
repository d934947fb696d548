internal import CICU

/// A Unicode normalizer (ICU `UNormalizer2`).
///
/// The standard forms are ICU-owned singletons, immutable and safe to share across
/// tasks; a filtered normalizer is owned here and closed exactly once in `deinit`.
public final class Normalizer: @unchecked Sendable {
    public enum Form: Int32, Sendable, CaseIterable {
        case nfc = 0, nfd = 1, nfkc = 2, nfkd = 3, nfkcCasefold = 4
    }

    /// How a custom normalizer from `getInstance` data composes or decomposes.
    public enum Mode: Int32, Sendable {
        case compose = 0, decompose = 1, fcd = 2, composeContiguous = 3
    }

    let handle: UnsafeRawPointer
    private let ownedSet: UnsafeMutableRawPointer?
    private let owned: Bool

    private init(handle: UnsafeRawPointer, ownedSet: UnsafeMutableRawPointer?, owned: Bool) {
        self.handle = handle
        self.ownedSet = ownedSet
        self.owned = owned
    }

    deinit {
        if owned {
            dp_norm_close(UnsafeMutableRawPointer(mutating: handle))
            if let ownedSet { dp_uset_close(ownedSet) }
        }
    }

    public static let nfc = try! Normalizer(form: .nfc)
    public static let nfd = try! Normalizer(form: .nfd)
    public static let nfkc = try! Normalizer(form: .nfkc)
    public static let nfkd = try! Normalizer(form: .nfkd)

    public convenience init(form: Form) throws(ICUError) {
        var error: Int32 = 0
        let handle = dp_norm_instance(form.rawValue, &error)
        try ICUError.check(error, "opening normalizer \(form)")
        self.init(handle: handle!, ownedSet: nil, owned: false)
    }

    /// A normalizer from ICU data by name ("nfc", "nfkc", "nfkc_cf", or a custom
    /// `.nrm` file in `package`), in the given mode.
    public convenience init(package: String? = nil, name: String, mode: Mode) throws(ICUError) {
        var error: Int32 = 0
        let handle: UnsafeRawPointer? = if let package {
            dp_norm_get(package, name, mode.rawValue, &error)
        } else {
            dp_norm_get(nil, name, mode.rawValue, &error)
        }
        try ICUError.check(error, "opening normalizer \(name)")
        self.init(handle: handle!, ownedSet: nil, owned: false)
    }

    /// `base` applied only to characters in a UnicodeSet pattern such as `[^\u3000-\u303F]`.
    public convenience init(filtering base: Normalizer, to pattern: String) throws(ICUError) {
        var error: Int32 = 0
        var set: UnsafeMutableRawPointer? = nil
        let utf16 = Array(pattern.utf16)
        let handle = dp_norm_open_filtered(base.handle, utf16, Int32(utf16.count), &set, &error)
        try ICUError.check(error, "opening filtered normalizer \(pattern)")
        self.init(handle: UnsafeRawPointer(handle!), ownedSet: set, owned: true)
    }

    public func normalize(utf16 source: [UInt16]) throws(ICUError) -> [UInt16] {
        try source.withUnsafeBufferPointer { (src) throws(ICUError) -> [UInt16] in
            try withGrowingBuffer(initialCapacity: src.count + src.count / 4 + 8, operation: "normalize") {
                dp_norm_normalize(handle, src.baseAddress, Int32(src.count), $0, $1, &$2)
            }
        }
    }

    public func normalize(_ text: String) throws(ICUError) -> String {
        String(utf16Units: try normalize(utf16: [UInt16](utf16Of: text)))
    }

    public func isNormalized(_ text: String) throws(ICUError) -> Bool {
        var error: Int32 = 0
        let utf16 = [UInt16](utf16Of: text)
        let result = dp_norm_is_normalized(handle, utf16, Int32(utf16.count), &error)
        try ICUError.check(error, "isNormalized")
        return result
    }

    /// True when text can be cut before `scalar` without changing how the pieces
    /// normalize: where offset maps may place a segment boundary.
    public func hasBoundary(before scalar: Unicode.Scalar) -> Bool {
        dp_norm_has_boundary_before(handle, Int32(scalar.value))
    }
}
