import DeclprocRecords

/// What a report shows, accumulated record by record: counts only, plus a small
/// sample of statements, so a report of ten million records takes no more memory
/// than one of ten.
public struct ReportData: Sendable {
    public struct Sample: Sendable {
        public var id: String
        public var text: String
        public var pinyin: String?
        public var translation: String?
        public var date: String?
        public var place: String?
        public var kind: String
        public var lang: String
    }

    public var statements = 0
    public var pages = 0
    public var declarants = 0
    public var duplicates = 0
    public var withTranslation = 0
    public var rejects = 0
    public var rejectReasons: [String: Int] = [:]
    /// Statements per day (yyyy-mm-dd): the declaration's date, else its page's.
    public var byDay: [String: Int] = [:]
    public var undated = 0
    public var byOrganization: [String: Int] = [:]
    public var allThree = 0
    public var byKind: [String: Int] = [:]
    public var byPlace: [String: Int] = [:]
    public var byLanguage: [String: Int] = [:]
    public var byScript: [String: Int] = [:]
    public var bySource: [String: Int] = [:]
    public var samples: [Sample] = []
    public var sampleSize = 12

    public init() {}

    public mutating func add(_ r: StatementRecord) {
        statements += 1
        declarants += r.declaration.declarants.count
        if r.duplicateOf != nil { duplicates += 1 }
        if r.translation != nil { withTranslation += 1 }
        if let day = Self.day(r.declaration.date?.value) ?? Self.day(r.source.published) { byDay[day, default: 0] += 1 } else { undated += 1 }
        for organization in r.declaration.organizations { byOrganization[organization, default: 0] += 1 }
        if Set(r.declaration.organizations).isSuperset(of: ["party", "youth_league", "young_pioneers"]) { allThree += 1 }
        byKind[r.declaration.kind, default: 0] += 1
        byPlace[r.declaration.place?.province ?? "unknown 未知", default: 0] += 1
        byLanguage[r.lang, default: 0] += 1
        byScript[r.script, default: 0] += 1
        bySource[Self.source(of: r), default: 0] += 1
        if samples.count < sampleSize, r.duplicateOf == nil {
            samples.append(Sample(id: r.id, text: Self.clip(r.text.normalized, 220), pinyin: r.text.pinyin.map { Self.clip($0, 220) },
                                  translation: r.translation.map { Self.clip($0.text, 260) }, date: r.declaration.date?.value,
                                  place: r.declaration.place.map { [$0.province, $0.city].compactMap { $0 }.joined(separator: " ") },
                                  kind: r.declaration.kind, lang: r.lang))
        }
    }

    public mutating func addPage() { pages += 1 }

    /// Rejected pages, by the summary's reason categories ("cannot read", "empty page", …).
    public mutating func addRejects(_ reasons: [String: Int]) {
        for (category, count) in reasons {
            rejects += count
            rejectReasons[category, default: 0] += count
        }
    }

    /// A full ISO date's day; nil for a month or year alone.
    static func day(_ value: String?) -> String? {
        guard let value, value.count >= 10 else { return nil }
        let day = String(value.prefix(10))
        let parts = day.split(separator: "-")
        guard parts.count == 3, parts.allSatisfy({ $0.allSatisfy(\.isNumber) }) else { return nil }
        return day
    }

    static func source(of r: StatementRecord) -> String {
        if let url = r.source.url, let host = URLHost.host(of: url) { return host }
        guard let slash = r.source.path.lastIndex(of: "/") else { return "." }
        return String(r.source.path[..<slash])
    }

    static func clip(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }
}

/// The host of an http(s) URL, without Foundation's URL (which rejects some real-world URLs).
enum URLHost {
    static func host(of url: String) -> String? {
        guard let scheme = url.range(of: "://") else { return nil }
        let rest = url[scheme.upperBound...]
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" && $0 != ":" }
        return host.isEmpty ? nil : host.lowercased()
    }
}
