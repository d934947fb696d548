import DeclprocHTML
import Foundation

/// What a user knows about one site, as XPath expressions: where each statement
/// sits, and where the title, date and author are. With a profile, the site's
/// statement items are taken as they are; without one, the generic rules apply.
///
/// ```json
/// {"name": "example", "item": "//div[@class='stmt']", "title": "//h1",
///  "date": "//span[@class='date']", "author": "//meta[@name='author']/@content"}
/// ```
public struct SiteProfile: Sendable, Codable, Equatable {
    public var name: String?
    public var item: String?
    public var title: String?
    public var date: String?
    public var author: String?

    public init(name: String? = nil, item: String? = nil, title: String? = nil, date: String? = nil, author: String? = nil) {
        self.name = name
        self.item = item
        self.title = title
        self.date = date
        self.author = author
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads and checks a profile file: every expression must compile.
    public static func load(_ path: String) throws(Invalid) -> SiteProfile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Invalid(description: "cannot read profile \(path)")
        }
        let profile: SiteProfile
        do { profile = try JSONDecoder().decode(SiteProfile.self, from: data) }
        catch { throw Invalid(description: "profile \(path) is not valid JSON with string fields item, title, date, author: \(error)") }
        if profile.expressions.isEmpty { throw Invalid(description: "profile \(path) names no XPath (item, title, date or author)") }
        for expression in profile.expressions {
            do { try HTMLParser.validate(xpath: expression) }
            catch { throw Invalid(description: "profile \(path): \(error)") }
        }
        return profile
    }

    public var expressions: [String] { [item, title, date, author].compactMap { $0 } }

    /// The text an expression selected: node text (blocks joined by newlines) or strings.
    public static func texts(_ expression: String?, in document: HTMLDocument) -> [String] {
        guard let expression, let selection = document.selections[expression] else { return [] }
        var texts = selection.strings.map { $0.trimmingSpaces() }
        for node in selection.nodes {
            let blocks = BlockExtractor.blocks(of: document, under: node)
            texts.append(blocks.map(\.text).joined(separator: "\n"))
        }
        return texts.filter { !$0.isEmpty }
    }
}
