/// Where a page came from. `position` is the page's index within its input
/// (0 for a plain HTML file; the record's index in an archive or JSON Lines file).
public struct PageSource: Sendable, Hashable, Codable {
    public var path: String
    public var position: Int
    public var url: String?
    public var warcRecordID: String?
    public var warcDate: String?

    public init(path: String, position: Int = 0, url: String? = nil, warcRecordID: String? = nil, warcDate: String? = nil) {
        self.path = path
        self.position = position
        self.url = url
        self.warcRecordID = warcRecordID
        self.warcDate = warcDate
    }
}

/// A page's bytes as read, before any decoding.
public struct RawPage: Sendable {
    public var source: PageSource
    public var bytes: [UInt8]
    /// The charset a transport header declared (HTTP or WARC `Content-Type`), if any.
    public var transportCharset: String?
    /// What the reader noticed and repaired while reading (e.g. a wrong WARC length).
    public var notes: [String] = []

    public init(source: PageSource, bytes: [UInt8], transportCharset: String? = nil) {
        self.source = source
        self.bytes = bytes
        self.transportCharset = transportCharset
    }
}

/// A page that could not become records, and why. Rejects are data, not failures:
/// every one is written out so no page is silently lost.
public struct Reject: Error, Sendable, Codable, Equatable {
    public var input: String
    public var position: Int
    public var reason: String

    public init(input: String, position: Int, reason: String) {
        self.input = input
        self.position = position
        self.reason = reason
    }
}
