internal import CICU

/// ICU's character properties, for the few questions Swift's own `Unicode.Scalar.Properties`
/// cannot answer in the Unicode version ICU implements (scripts and script extensions).
public enum UnicodeProperties {
    /// ISO 15924 script code as ICU numbers it.
    public struct Script: Hashable, Sendable {
        public let rawValue: Int32
        public static let han = Script(rawValue: dp_script_han())
        public static let latin = Script(rawValue: dp_script_latin())
        public static let common = Script(rawValue: dp_script_common())
        public static let inherited = Script(rawValue: dp_script_inherited())
        /// ISO 15924 four-letter code, e.g. "Hani", "Latn".
        public var code: String { dp_script_short_name(rawValue).map { String(cString: $0) } ?? "Zzzz" }
    }

    public static func script(of scalar: Unicode.Scalar) -> Script {
        var error: Int32 = 0
        let value = dp_script(Int32(scalar.value), &error)
        return error > 0 ? .common : Script(rawValue: value)
    }

    /// True when `scalar` is used in `script`, counting Script_Extensions
    /// (e.g. 々 and 〇 are Common but used with Han).
    public static func has(_ scalar: Unicode.Scalar, script: Script) -> Bool {
        dp_has_script(Int32(scalar.value), script.rawValue)
    }

    public static func isWhiteSpace(_ scalar: Unicode.Scalar) -> Bool { dp_is_white_space(Int32(scalar.value)) }
    public static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool { dp_is_punctuation(Int32(scalar.value)) }
    public static func isDefaultIgnorable(_ scalar: Unicode.Scalar) -> Bool { dp_is_default_ignorable(Int32(scalar.value)) }
    public static func isBidiControl(_ scalar: Unicode.Scalar) -> Bool { dp_is_bidi_control(Int32(scalar.value)) }
    /// u_charType's General_Category enum value (e.g. 15 = Cc control, 16 = Cf format).
    public static func generalCategory(of scalar: Unicode.Scalar) -> Int32 { dp_char_type(Int32(scalar.value)) }
}
