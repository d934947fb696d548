import DeclprocICU

/// Normalizes text for records and filters, keeping a map from every output
/// scalar back to the input, so anything found in normalized text can point at
/// the original span.
///
/// ICU does the Unicode normalization; the width folding is ours because ICU's
/// `Fullwidth-Halfwidth` and NFKC also fold Chinese punctuation (`。`→`｡`, `，`→`,`;
/// FACTS 7), which Chinese text must keep.
public struct TextNormalizer: Sendable {
    public enum Form: String, Sendable, CaseIterable { case nfc, nfkc }
    public enum Punctuation: String, Sendable, CaseIterable {
        /// Leave punctuation as written.
        case keep
        /// Full-width forms for ASCII punctuation next to Han text (`,` → `，`).
        case cjk
        /// ASCII forms for Chinese punctuation (`，` → `,`, `。` → `.`, `「` → `"`).
        case ascii
    }

    public struct Options: Sendable {
        public var form: Form = .nfc
        /// Full-width Latin letters, digits and the ideographic space to ASCII; Chinese punctuation stays.
        public var foldWidth = true
        public var punctuation: Punctuation = .keep
        /// Runs of whitespace become one space; leading and trailing whitespace go.
        public var collapseWhitespace = true
        /// Zero-width, control (but tab and newline) and bidi-override characters go.
        public var removeInvisible = true
        public init() {}
    }

    public struct Result: Sendable, Equatable {
        public let text: String
        /// `offsets[i]` is the input scalar offset where output scalar `i` came from;
        /// one more entry at the end gives the input length, so output span
        /// `a..<b` came from input span `offsets[a]..<offsets[b]` (for b at a boundary).
        public let offsets: [Int]
        /// How many invisible characters (zero-width, control, bidi) were removed.
        public let removed: Int
        /// `text`'s scalars, as normalizing made them: the stages after it read them
        /// (sentences, Pinyin, conversion), and decoding the text again for each cost
        /// more than normalizing it.
        public let scalars: [Unicode.Scalar]
    }

    public let options: Options
    private let normalizer: Normalizer

    public init(options: Options = Options()) {
        self.options = options
        normalizer = options.form == .nfc ? .nfc : Self.nfkcKeepingChinesePunctuation
    }

    /// NFKC would turn ！，：；？（） into ASCII; a filtered NFKC leaves exactly the
    /// punctuation width folding keeps.
    static let nfkcKeepingChinesePunctuation: Normalizer = {
        let kept = keptFullWidth.sorted().map { "\\u" + String($0, radix: 16, uppercase: true) }.joined()
        return try! Normalizer(filtering: .nfkc, to: "[^\(kept)]")
    }()

    public func normalize(_ input: String) throws(ICUError) -> Result {
        // Stage 1: per-scalar rewrites (removal, width, punctuation): one input scalar
        // gives zero or one output scalar, so the map is exact.
        let inputScalars = Array(scalarsOf: input)
        var scalars: [Unicode.Scalar] = []
        var offsets: [Int] = []
        scalars.reserveCapacity(inputScalars.count)
        offsets.reserveCapacity(inputScalars.count + 1)
        var removed = 0
        var rewritten = false
        for (i, scalar) in inputScalars.enumerated() {
            if options.removeInvisible, Self.isInvisible(scalar) { removed += 1; continue }
            var s = scalar
            if options.foldWidth { s = Self.foldWidth(s) }
            switch options.punctuation {
            case .keep: break
            case .ascii: s = Self.asciiPunctuation[s] ?? s
            case .cjk:
                if let wide = Self.cjkPunctuation[s], Self.nextToHan(inputScalars, i) { s = wide }
            }
            if s != scalar { rewritten = true }
            scalars.append(s)
            offsets.append(i)
        }
        offsets.append(inputScalars.count)
        // The text as a String while no stage has changed it (most text is clean):
        // made again from its scalars, twice, it cost a sixth of normalizing.
        var text: String? = removed == 0 && !rewritten ? input : nil
        // Stage 2: Unicode normalization, segment by segment between normalization
        // boundaries, so each output segment maps to its input segment.
        (scalars, offsets, text) = try normalizeSegments(scalars, offsets, text: text)
        // Stage 3: whitespace.
        if options.collapseWhitespace {
            let changed: Bool
            (scalars, offsets, changed) = Self.collapseWhitespace(scalars, offsets)
            if changed { text = nil }
        }
        return Result(text: text ?? String(scalars: scalars), offsets: offsets, removed: removed, scalars: scalars)
    }

    /// `text`: the scalars as a String, if the caller has it; returned as the output's
    /// String when nothing changes.
    private func normalizeSegments(_ scalars: [Unicode.Scalar], _ offsets: [Int], text: String?) throws(ICUError)
        -> ([Unicode.Scalar], [Int], String?) {
        // The common case, already normalized text, costs one quick check.
        let text = text ?? String(scalars: scalars)
        if try normalizer.isNormalized(text) { return (scalars, offsets, text) }
        var outScalars: [Unicode.Scalar] = []
        var outOffsets: [Int] = []
        outScalars.reserveCapacity(scalars.count)
        var start = 0
        while start < scalars.count {
            var end = start + 1
            while end < scalars.count, !normalizer.hasBoundary(before: scalars[end]) { end += 1 }
            let segment = scalars[start..<end]
            if segment.count == 1, segment.first!.isASCII {
                outScalars.append(segment.first!)
                outOffsets.append(offsets[start])
            } else {
                let normalized = try normalizer.normalize(String(scalars: segment)).unicodeScalars
                if normalized.elementsEqual(segment) {
                    outScalars.append(contentsOf: segment)
                    outOffsets.append(contentsOf: offsets[start..<end])
                } else {
                    // A changed segment maps, as a whole, to its input segment.
                    for scalar in normalized {
                        outScalars.append(scalar)
                        outOffsets.append(offsets[start])
                    }
                }
            }
            start = end
        }
        outOffsets.append(offsets[scalars.count])
        return (outScalars, outOffsets, nil)
    }

    /// Written into arrays made at their final size (at most the input's), through
    /// pointers: appending scalar by scalar cost a hundred instructions a scalar.
    /// `changed`: whether the text is not what came in (whitespace went, or some was
    /// not a space).
    static func collapseWhitespace(_ scalars: [Unicode.Scalar], _ offsets: [Int]) -> ([Unicode.Scalar], [Int], changed: Bool) {
        precondition(offsets.count == scalars.count + 1, "an offset for each scalar and the end")
        var outOffsets: [Int] = []
        var otherSpace = false
        let outScalars = [Unicode.Scalar](unsafeUninitializedCapacity: scalars.count) { outS, scalarCount in
            outOffsets = [Int](unsafeUninitializedCapacity: scalars.count + 1) { outO, offsetCount in
                scalars.withUnsafeBufferPointer { scalars in
                    offsets.withUnsafeBufferPointer { offsets in
                        var n = 0
                        var pendingSpace = -1 // the first space's offset in a run, -1 for none
                        for i in 0..<scalars.count {
                            let scalar = scalars[i]
                            if scalar.isWhiteSpace {
                                if scalar != " " { otherSpace = true }
                                if pendingSpace < 0 { pendingSpace = offsets[i] }
                                continue
                            }
                            if pendingSpace >= 0, n > 0 {
                                outS.initializeElement(at: n, to: " ")
                                outO.initializeElement(at: n, to: pendingSpace)
                                n += 1
                            }
                            pendingSpace = -1
                            outS.initializeElement(at: n, to: scalar)
                            outO.initializeElement(at: n, to: offsets[i])
                            n += 1
                        }
                        // Trailing whitespace is dropped; the end still maps to the end of the kept text's source.
                        outO.initializeElement(at: n, to: pendingSpace >= 0 ? pendingSpace : offsets[scalars.count])
                        scalarCount = n
                        offsetCount = n + 1
                    }
                }
            }
        }
        return (outScalars, outOffsets, otherSpace || outScalars.count != scalars.count)
    }

    // MARK: - character classes

    /// Zero-width characters, C0/C1 controls other than tab/newline/CR, and bidi
    /// overrides/isolates/marks: invisible, and in scraped text only noise or spoofing.
    static func isInvisible(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09, 0x0A, 0x0D: return false
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2064, 0x2066...0x206F, 0xFEFF, 0x061C: return true
        default: return false
        }
    }

    /// Chinese punctuation that width folding must leave alone, even in its
    /// full-width ASCII form (！，：；？（）).
    static let keptFullWidth: Set<UInt32> = [0xFF01, 0xFF08, 0xFF09, 0xFF0C, 0xFF1A, 0xFF1B, 0xFF1F]

    static func foldWidth(_ s: Unicode.Scalar) -> Unicode.Scalar {
        switch s.value {
        case 0x3000: return " "
        case 0xFF01...0xFF5E where !keptFullWidth.contains(s.value):
            return Unicode.Scalar(s.value - 0xFEE0)!
        default: return s
        }
    }

    static let asciiPunctuation: [Unicode.Scalar: Unicode.Scalar] = [
        "。": ".", "，": ",", "、": ",", "；": ";", "：": ":", "？": "?", "！": "!",
        "（": "(", "）": ")", "「": "\"", "」": "\"", "『": "'", "』": "'", "《": "\"", "》": "\"",
        "“": "\"", "”": "\"", "‘": "'", "’": "'", "【": "[", "】": "]", "〔": "[", "〕": "]",
        "．": ".", "～": "~", "—": "-", "－": "-",
    ]

    static let cjkPunctuation: [Unicode.Scalar: Unicode.Scalar] = [
        ",": "，", ".": "。", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）",
    ]

    static func nextToHan(_ scalars: [Unicode.Scalar], _ i: Int) -> Bool {
        (i > 0 && scalars[i - 1].isHan) || (i + 1 < scalars.count && scalars[i + 1].isHan)
    }
}
