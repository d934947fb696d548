/// The records declproc writes (`Sources/DeclprocRecords/schema/record.schema.json`).
///
/// Later versions add fields and bump `schemaVersion`; they never rename one.
/// Optional fields are written as `null`, never left out, so every record of a
/// version has the same keys.
public enum Schema {
    /// 1: the first record. 2: pages add `script`, `author` and `notes`.
    /// 3: statements add the declaration fields (`kind`, `organizations`,
    /// `declarants`, `date`, `place`), `charset`, `producer`, `text.simplified`,
    /// `text.traditional`, `text.pinyin_numbers` and each word's `pinyin`.
    /// 4: statements add `duplicate_of`, `redacted` and `source.published`;
    /// `translation` adds its alignment (`score`, `sentences`, `links`).
    public static let version = 4
}

public struct Span: Sendable, Equatable, Codable {
    public var text: String
    /// Offsets in Unicode scalars of the statement's `text.original`.
    public var start: Int
    public var end: Int
    /// For a word: one syllable (tone marks) per Han character; empty for other words.
    public var pinyin: [String]?
    public init(text: String, start: Int, end: Int, pinyin: [String]? = nil) {
        self.text = text
        self.start = start
        self.end = end
        self.pinyin = pinyin
    }
}

public struct SentenceRecord: Sendable, Equatable, Codable {
    /// The sentence's normalized text; `start`/`end` locate it in `text.original`.
    public var text: String
    public var start: Int
    public var end: Int
    public var words: [Span]
    public init(text: String, start: Int, end: Int, words: [Span]) {
        self.text = text
        self.start = start
        self.end = end
        self.words = words
    }
}

/// What a statement declares (schema 3); spans are scalar offsets in `text.original`.
public struct DeclarationFields: Sendable, Equatable {
    public struct Declarant: Sendable, Equatable, Codable {
        public var name: String
        public var alias: Bool
        /// The name in Pinyin, names mode (Gao Zhisheng); null when it has no Han characters.
        public var latin: String?
        public var start: Int
        public var end: Int
        public var confidence: Double
        public init(name: String, alias: Bool, latin: String?, start: Int, end: Int, confidence: Double) {
            self.name = name; self.alias = alias; self.latin = latin; self.start = start; self.end = end; self.confidence = confidence
        }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name); try c.encode(alias, forKey: .alias); try c.encode(latin, forKey: .latin)
            try c.encode(start, forKey: .start); try c.encode(end, forKey: .end); try c.encode(confidence, forKey: .confidence)
        }
        enum CodingKeys: String, CodingKey { case name, alias, latin, start, end, confidence }
    }
    public struct Date: Sendable, Equatable, Codable {
        public var value: String
        public var text: String
        public var start: Int
        public var end: Int
        public var confidence: Double
        public init(value: String, text: String, start: Int, end: Int, confidence: Double) {
            self.value = value; self.text = text; self.start = start; self.end = end; self.confidence = confidence
        }
    }
    public struct Place: Sendable, Equatable, Codable {
        public var province: String
        public var city: String?
        public var text: String
        public var start: Int
        public var end: Int
        public var confidence: Double
        public init(province: String, city: String?, text: String, start: Int, end: Int, confidence: Double) {
            self.province = province; self.city = city; self.text = text; self.start = start; self.end = end; self.confidence = confidence
        }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(province, forKey: .province); try c.encode(city, forKey: .city); try c.encode(text, forKey: .text)
            try c.encode(start, forKey: .start); try c.encode(end, forKey: .end); try c.encode(confidence, forKey: .confidence)
        }
        enum CodingKeys: String, CodingKey { case province, city, text, start, end, confidence }
    }

    public var kind: String
    public var organizations: [String]
    public var declarants: [Declarant]
    public var date: Date?
    public var place: Place?

    public init(kind: String, organizations: [String], declarants: [Declarant], date: Date?, place: Place?) {
        self.kind = kind; self.organizations = organizations; self.declarants = declarants; self.date = date; self.place = place
    }
}

public struct StatementRecord: Sendable, Equatable, Codable {
    public struct Source: Sendable, Equatable, Codable {
        public var path: String
        public var url: String?
        public var title: String?
        /// The statement's index among its page's statements.
        public var position: Int
        /// The page's index within its input (0 for an HTML file).
        public var page: Int
        /// The page's own date (ISO 8601), when it gives one (schema 4).
        public var published: String?

        public init(path: String, url: String?, title: String?, position: Int, page: Int, published: String? = nil) {
            self.path = path
            self.url = url
            self.title = title
            self.position = position
            self.page = page
            self.published = published
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(path, forKey: .path)
            try c.encode(url, forKey: .url)
            try c.encode(title, forKey: .title)
            try c.encode(position, forKey: .position)
            try c.encode(page, forKey: .page)
            try c.encode(published, forKey: .published)
        }
        enum CodingKeys: String, CodingKey { case path, url, title, position, page, published }
    }

    public struct Text: Sendable, Equatable, Codable {
        public var original: String
        public var normalized: String
        /// Pinyin with tone marks; null when the text has no Han characters.
        public var pinyin: String?
        /// Pinyin with tone numbers (neutral tone 5); null likewise.
        public var pinyinNumbers: String?
        /// The normalized text in Simplified and in Traditional characters (OpenCC
        /// t2s and s2t); null when the text has no Han characters.
        public var simplified: String?
        public var traditional: String?

        public init(original: String, normalized: String, pinyin: String?, pinyinNumbers: String? = nil,
                    simplified: String? = nil, traditional: String? = nil) {
            self.original = original
            self.normalized = normalized
            self.pinyin = pinyin
            self.pinyinNumbers = pinyinNumbers
            self.simplified = simplified
            self.traditional = traditional
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(original, forKey: .original)
            try c.encode(normalized, forKey: .normalized)
            try c.encode(pinyin, forKey: .pinyin)
            try c.encode(pinyinNumbers, forKey: .pinyinNumbers)
            try c.encode(simplified, forKey: .simplified)
            try c.encode(traditional, forKey: .traditional)
        }
        enum CodingKeys: String, CodingKey {
            case original, normalized, pinyin, pinyinNumbers = "pinyin_numbers", simplified, traditional
        }
    }

    /// The statement in the page's other language, aligned sentence by sentence.
    public struct Translation: Sendable, Equatable, Codable {
        /// One bead of the alignment: statement sentences (indices into `sentences` of
        /// the record) matched with translation sentences (indices into `Translation.sentences`).
        public struct Link: Sendable, Equatable, Codable {
            public var statement: [Int]
            public var translation: [Int]
            public var score: Double
            public init(statement: [Int], translation: [Int], score: Double) {
                self.statement = statement; self.translation = translation; self.score = score
            }
        }
        public var text: String
        public var lang: String
        /// How well the two sides align, 0...1 (mean bead score weighted by length);
        /// null when either side has no sentence.
        public var score: Double?
        public var sentences: [String]
        public var links: [Link]

        public init(text: String, lang: String, score: Double? = nil, sentences: [String] = [], links: [Link] = []) {
            self.text = text
            self.lang = lang
            self.score = score
            self.sentences = sentences
            self.links = links
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(text, forKey: .text); try c.encode(lang, forKey: .lang); try c.encode(score, forKey: .score)
            try c.encode(sentences, forKey: .sentences); try c.encode(links, forKey: .links)
        }
        enum CodingKeys: String, CodingKey { case text, lang, score, sentences, links }
    }

    public var id: String
    public var source: Source
    public var lang: String
    public var script: String
    public var text: Text
    public var sentences: [SentenceRecord]
    /// The same statement in the page's other language, where the page gives one.
    public var translation: Translation?
    public var declaration: DeclarationFields
    /// The page's charset decision (name, decided_by, invalid_bytes, declared).
    public var charset: PageRecord.Charset
    /// What made the record: declproc, Locales data and schema versions.
    public var producer: [String: String]
    /// The id of the earlier record that says the same thing (schema 4): the same
    /// declarants, the same text after folding script, width and punctuation, or
    /// nearly the same. Duplicates are linked, never dropped.
    public var duplicateOf: String?
    /// What was redacted from this record: `names`, `contacts` (schema 4).
    public var redacted: [String]

    public init(id: String, source: Source, lang: String, script: String, text: Text, sentences: [SentenceRecord],
                translation: Translation?, declaration: DeclarationFields, charset: PageRecord.Charset, producer: [String: String],
                duplicateOf: String? = nil, redacted: [String] = []) {
        self.id = id
        self.source = source
        self.lang = lang
        self.script = script
        self.text = text
        self.sentences = sentences
        self.translation = translation
        self.declaration = declaration
        self.charset = charset
        self.producer = producer
        self.duplicateOf = duplicateOf
        self.redacted = redacted
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Schema.version, forKey: .schemaVersion)
        try c.encode("statement", forKey: .record)
        try c.encode(id, forKey: .id)
        try c.encode(source, forKey: .source)
        try c.encode(lang, forKey: .lang)
        try c.encode(script, forKey: .script)
        try c.encode(text, forKey: .text)
        try c.encode(sentences, forKey: .sentences)
        try c.encode(translation, forKey: .translation)
        try c.encode(declaration.kind, forKey: .kind)
        try c.encode(declaration.organizations, forKey: .organizations)
        try c.encode(declaration.declarants, forKey: .declarants)
        try c.encode(declaration.date, forKey: .date)
        try c.encode(declaration.place, forKey: .place)
        try c.encode(charset, forKey: .charset)
        try c.encode(producer, forKey: .producer)
        try c.encode(duplicateOf, forKey: .duplicateOf)
        try c.encode(redacted, forKey: .redacted)
    }

    /// Reads a record of this schema version (for `dedup` and the other readers of records).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let version = try c.decode(Int.self, forKey: .schemaVersion)
        guard version == Schema.version, try c.decode(String.self, forKey: .record) == "statement" else {
            throw DecodingError.dataCorruptedError(forKey: .schemaVersion, in: c,
                debugDescription: "not a statement record of schema version \(Schema.version) (found version \(version))")
        }
        id = try c.decode(String.self, forKey: .id)
        source = try c.decode(Source.self, forKey: .source)
        lang = try c.decode(String.self, forKey: .lang)
        script = try c.decode(String.self, forKey: .script)
        text = try c.decode(Text.self, forKey: .text)
        sentences = try c.decode([SentenceRecord].self, forKey: .sentences)
        translation = try c.decodeIfPresent(Translation.self, forKey: .translation)
        declaration = DeclarationFields(
            kind: try c.decode(String.self, forKey: .kind),
            organizations: try c.decode([String].self, forKey: .organizations),
            declarants: try c.decode([DeclarationFields.Declarant].self, forKey: .declarants),
            date: try c.decodeIfPresent(DeclarationFields.Date.self, forKey: .date),
            place: try c.decodeIfPresent(DeclarationFields.Place.self, forKey: .place))
        charset = try c.decode(PageRecord.Charset.self, forKey: .charset)
        producer = try c.decode([String: String].self, forKey: .producer)
        duplicateOf = try c.decodeIfPresent(String.self, forKey: .duplicateOf)
        redacted = try c.decode([String].self, forKey: .redacted)
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", record, id, source, lang, script, text, sentences, translation
        case kind, organizations, declarants, date, place, charset, producer, duplicateOf = "duplicate_of", redacted
    }
}

public struct PageRecord: Sendable, Equatable, Codable {
    public struct Source: Sendable, Equatable, Codable {
        public var path: String
        public var position: Int
        public var url: String?
        public var warcRecordID: String?
        public var warcDate: String?

        public init(path: String, position: Int, url: String?, warcRecordID: String?, warcDate: String?) {
            self.path = path
            self.position = position
            self.url = url
            self.warcRecordID = warcRecordID
            self.warcDate = warcDate
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(path, forKey: .path)
            try c.encode(position, forKey: .position)
            try c.encode(url, forKey: .url)
            try c.encode(warcRecordID, forKey: .warcRecordID)
            try c.encode(warcDate, forKey: .warcDate)
        }
        enum CodingKeys: String, CodingKey { case path, position, url, warcRecordID = "warc_record_id", warcDate = "warc_date" }
    }

    public struct Charset: Sendable, Equatable, Codable {
        public var name: String
        public var decidedBy: String
        public var invalidBytes: Int
        /// What the page declared, when the bytes said otherwise.
        public var declared: String?

        public init(name: String, decidedBy: String, invalidBytes: Int, declared: String?) {
            self.name = name
            self.decidedBy = decidedBy
            self.invalidBytes = invalidBytes
            self.declared = declared
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(decidedBy, forKey: .decidedBy)
            try c.encode(invalidBytes, forKey: .invalidBytes)
            try c.encode(declared, forKey: .declared)
        }
        enum CodingKeys: String, CodingKey { case name, decidedBy = "decided_by", invalidBytes = "invalid_bytes", declared }
    }

    public var id: String
    public var source: Source
    public var charset: Charset
    public var title: String?
    /// As the page declares it (`<html lang>`).
    public var lang: String?
    /// ISO 15924 script of the main text: Hans, Hant, Latn, or Zyyy when mixed.
    public var script: String
    public var published: String?
    public var author: String?
    /// The page's main text, paragraphs separated by newlines.
    public var text: String
    public var statements: Int
    /// What the reader noticed about the page (undecodable bytes, markup too deep).
    public var notes: [String]

    public init(id: String, source: Source, charset: Charset, title: String?, lang: String?, script: String,
                published: String?, author: String?, text: String, statements: Int, notes: [String]) {
        self.id = id
        self.source = source
        self.charset = charset
        self.title = title
        self.lang = lang
        self.script = script
        self.published = published
        self.author = author
        self.text = text
        self.statements = statements
        self.notes = notes
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Schema.version, forKey: .schemaVersion)
        try c.encode("page", forKey: .record)
        try c.encode(id, forKey: .id)
        try c.encode(source, forKey: .source)
        try c.encode(charset, forKey: .charset)
        try c.encode(title, forKey: .title)
        try c.encode(lang, forKey: .lang)
        try c.encode(script, forKey: .script)
        try c.encode(published, forKey: .published)
        try c.encode(author, forKey: .author)
        try c.encode(text, forKey: .text)
        try c.encode(statements, forKey: .statements)
        try c.encode(notes, forKey: .notes)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let version = try c.decode(Int.self, forKey: .schemaVersion)
        guard version == Schema.version, try c.decode(String.self, forKey: .record) == "page" else {
            throw DecodingError.dataCorruptedError(forKey: .schemaVersion, in: c,
                debugDescription: "not a page record of schema version \(Schema.version) (found version \(version))")
        }
        id = try c.decode(String.self, forKey: .id)
        source = try c.decode(Source.self, forKey: .source)
        charset = try c.decode(Charset.self, forKey: .charset)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        lang = try c.decodeIfPresent(String.self, forKey: .lang)
        script = try c.decode(String.self, forKey: .script)
        published = try c.decodeIfPresent(String.self, forKey: .published)
        author = try c.decodeIfPresent(String.self, forKey: .author)
        text = try c.decode(String.self, forKey: .text)
        statements = try c.decode(Int.self, forKey: .statements)
        notes = try c.decode([String].self, forKey: .notes)
    }
    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", record, id, source, charset, title, lang, script, published, author, text
        case statements, notes
    }
}

/// Ids that stay the same across runs: same source path, page and position, same id.
public enum RecordID {
    /// 64-bit FNV-1a over the identifying fields, as 16 hex digits. Not a security
    /// hash: it only has to be stable and spread well.
    public static func make(_ parts: [String]) -> String {
        let hex = String(hash(parts), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The 64-bit hash behind `make` (parts joined by a unit separator).
    public static func hash(_ parts: [String]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for (index, part) in parts.enumerated() {
            if index > 0 { hash = (hash ^ 0x1F) &* 0x0000_0100_0000_01B3 }
            for byte in part.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        }
        return hash
    }
}
