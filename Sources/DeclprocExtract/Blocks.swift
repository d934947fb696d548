import DeclprocCollections
import DeclprocHTML
import DeclprocICU
import DeclprocText

/// A run of text the page presents as one unit: a paragraph, heading, list item,
/// table cell, quotation, or lines set apart by a blank `<br><br>`.
public struct Block: Sendable, Equatable {
    /// Text with HTML whitespace collapsed; `<br>` kept as "\n".
    public var text: String
    /// The innermost block element, e.g. "p", "li", "td", "blockquote", "h3".
    public var tag: String
    /// Share of the block's characters that sit inside links (menus are all links).
    public var linkDensity: Double
    /// Inside navigation, headers, footers, sidebars, ads or cookie banners.
    public var boilerplate: Bool
    /// Inside a `<blockquote>` or `<q>`: quoted text, as news articles quote statements.
    public var quoted: Bool
    /// Inside a container named like comments, sidebars or related links: not the
    /// page's main text (though a forum reply there may still be a statement).
    public var unlikelyMain: Bool
    /// Index in the document of the innermost block element holding the text.
    public var element: Int
    /// Characters per element inside the block (text-to-tag density): prose is
    /// dense, menus and widgets are not.
    public var characterDensity: Double
    /// Han, Latin and visible characters, counted as the text was gathered (the
    /// statement finder asks each block's language more than once).
    var profile = LanguageProfile()
    /// Visible (non-whitespace) characters.
    public var characters: Int { profile.visibleCharacters }

    public var isHeading: Bool { tag.count == 2 && tag.first == "h" && tag.last!.isNumber }
}

/// Page metadata read from the document itself.
public struct PageMetadata: Sendable, Equatable {
    public var title: String?
    public var lang: String?
    /// The page's publication date (ISO 8601 date), if it declares one.
    public var published: String?
    /// The page's author, if it names one (meta tags).
    public var author: String?
}

/// Splits a parsed document into blocks, dropping what no reader sees (scripts,
/// styles, comments, hidden elements, forms) and marking what is page furniture.
public enum BlockExtractor {
    static let blockTags: Set<String> = [
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "div",
        "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
        "thead", "tr", "ul", "html",
    ]
    static let skippedTags: Set<String> = [
        "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math", "select", "textarea",
        "button", "input", "head", "canvas", "audio", "video", "map", "option",
    ]
    static let boilerplateTags: Set<String> = ["nav", "aside", "footer", "menu"]

    /// What the block walk asks of a tag, found with one lookup an element instead of
    /// a set or a comparison for each question (a tenth of block finding).
    struct TagRole: OptionSet {
        let rawValue: UInt16
        static let skipped = TagRole(rawValue: 1 << 0)
        static let block = TagRole(rawValue: 1 << 1)
        static let furniture = TagRole(rawValue: 1 << 2)
        static let link = TagRole(rawValue: 1 << 3)
        static let article = TagRole(rawValue: 1 << 4)
        static let form = TagRole(rawValue: 1 << 5)
        static let lineBreak = TagRole(rawValue: 1 << 6)
        static let header = TagRole(rawValue: 1 << 7)
        static let quotation = TagRole(rawValue: 1 << 8)
    }

    static let tagRoles: [String: TagRole] = {
        var roles: [String: TagRole] = [:]
        for (tags, role) in [(skippedTags, TagRole.skipped), (blockTags, .block), (boilerplateTags, .furniture),
                             (["a"], .link), (["article", "main"], .article), (["form"], .form), (["br"], .lineBreak),
                             (["header"], .header), (["blockquote"], .quotation)] {
            for tag in tags { roles[tag, default: []].insert(role) }
        }
        return roles
    }()

    /// `tagRoles` by tag number (`HTMLDocument.Node.tag`): every tag with a role is
    /// one of `HTMLDocument.knownTags`, which `BlockTextTests` checks.
    static let rolesByTag: [TagRole] = HTMLDocument.knownTags.map { tagRoles[$0] ?? [] }

    /// class/id words that name page furniture rather than content.
    static let boilerplateWords: Set<String> = [
        "nav", "navbar", "navigation", "menu", "menubar", "footer", "sidebar", "banner", "ad", "ads", "advert",
        "adverts", "advertisement", "advertising", "sponsor", "sponsored", "cookie", "cookies", "consent", "breadcrumb",
        "breadcrumbs", "share", "sharing", "social", "copyright", "related", "hot", "recommend", "recommended",
        "widget", "toolbar", "topbar", "masthead", "pagination", "pager", "popular", "tags", "subscribe", "newsletter",
    ]

    private struct Context {
        let element: Int
        let tag: String
        let boilerplate: Bool
        let quoted: Bool
        var unlikelyMain = false
    }

    /// What class values have been found to say of an element (furniture, main
    /// text), by value: kept from page to page by a reader of many, since a site
    /// repeats its classes on every page and telling a new value (its words split and
    /// looked up) cost four times looking it up. Let go when it reaches `bound` values.
    public struct ClassRoles {
        fileprivate var roles: [String: NameRole] = Dictionary(minimumCapacity: 128)
        static let bound = 1 << 12
        public init() {}
    }

    public static func blocks(of document: HTMLDocument) -> [Block] {
        var classRoles = ClassRoles()
        return blocks(of: document, roots: document.roots, classes: &classRoles.roles)
    }

    /// The same, with the class values read on earlier pages.
    public static func blocks(of document: HTMLDocument, classRoles: inout ClassRoles) -> [Block] {
        if classRoles.roles.count >= ClassRoles.bound { classRoles.roles.removeAll(keepingCapacity: true) }
        return blocks(of: document, roots: document.roots, classes: &classRoles.roles)
    }

    /// The blocks inside one node (a profile's statement item).
    public static func blocks(of document: HTMLDocument, under node: Int) -> [Block] {
        var classRoles = ClassRoles()
        return blocks(of: document, roots: [node], classes: &classRoles.roles)
    }

    private static func blocks(of document: HTMLDocument, roots: [Int], classes: inout [String: NameRole]) -> [Block] {
        var blocks: [Block] = []
        // The block's text so far, as UTF-8: appended to for every text node, and
        // asked only for its last byte.
        var buffer: [UInt8] = []
        var linkCharacters = 0
        var profile = LanguageProfile()
        var contexts = [Context(element: -1, tag: "body", boilerplate: false, quoted: false)]
        var elements = 0
        var linkDepth = 0
        var articleDepth = 0
        let roles = rolesByTag

        func flush() {
            let text = trimmedLines(buffer)
            if !text.isEmpty {
                let context = contexts.last!
                let characters = profile.visibleCharacters
                blocks.append(Block(text: text, tag: context.tag,
                                    linkDensity: characters == 0 ? 0 : Double(linkCharacters) / Double(characters),
                                    boilerplate: context.boilerplate, quoted: context.quoted,
                                    unlikelyMain: context.unlikelyMain, element: context.element,
                                    characterDensity: Double(characters) / Double(elements + 1), profile: profile))
            }
            buffer.removeAll(keepingCapacity: true)
            linkCharacters = 0
            profile = LanguageProfile()
            elements = 0
        }

        // The nodes in document order, a subtree a range: an element's exit is kept,
        // with the tag's role looked up once on the way in, until the walk reaches the
        // end of its range (the innermost first). A skipped element is passed over by
        // jumping to its end. Nodes are read field by field: a copy of each node cost
        // a retain and a release of its strings and list.
        var exits: [(end: Int, role: TagRole)] = []
        func exit(_ role: TagRole) {
            if role.contains(.link) { linkDepth -= 1 }
            if role.contains(.article) { articleDepth -= 1 }
            if role.contains(.block) {
                flush()
                if contexts.count > 1 { contexts.removeLast() }
            }
        }
        for root in roots {
            var index = root
            let stop = document.nodes[root].subtreeEnd
            while index < stop {
                while let last = exits.last, last.end <= index {
                    exits.removeLast()
                    exit(last.role)
                }
                let current = index
                index += 1
                switch document.nodes[current].kind {
                case .comment:
                    continue
                case .text:
                    let start = buffer.count
                    switch appendCollapsingWhitespace(document.nodes[current].text, to: &buffer) {
                    case .empty:
                        continue
                    case .blank:
                        if let last = buffer.last, last != 0x20, last != 0x0A { buffer.append(0x20) }
                        continue
                    case .text:
                        // Whitespace, all a block's lines lose, is not counted: this is the profile
                        // of the block's text.
                        let text = buffer.withUnsafeBufferPointer { LanguageProfile(utf8: UnsafeBufferPointer(rebasing: $0[start...])) }
                        profile = profile + text
                        if linkDepth > 0 { linkCharacters += text.visibleCharacters }
                    }
                case .element:
                    let end = document.nodes[current].subtreeEnd
                    let role = roles[Int(document.nodes[current].tag)]
                    if role.contains(.skipped) || isHidden(document.attributes(of: current))
                        || (role.contains(.form) && isSmallForm(current, in: document)) {
                        index = end
                        continue
                    }
                    if role.contains(.lineBreak) {
                        // A blank line (<br><br>) separates blocks; one <br> separates lines.
                        if buffer.last == 0x0A { flush() } else { buffer.append(0x0A) }
                        index = end
                        continue
                    }
                    if role.contains(.link) { linkDepth += 1 }
                    if role.contains(.article) { articleDepth += 1 }
                    elements += 1
                    if role.contains(.block) {
                        flush()
                        let parent = contexts.last!
                        let tag = document.nodes[current].name
                        let names = nameRoles(document.attributes(of: current), classes: &classes)
                        let furniture = role.contains(.furniture) || (role.contains(.header) && articleDepth == 0) || names.boilerplate
                        contexts.append(Context(element: current, tag: tag,
                                                boilerplate: parent.boilerplate || furniture,
                                                quoted: parent.quoted || role.contains(.quotation),
                                                unlikelyMain: parent.unlikelyMain || names.weight < 0))
                    }
                    exits.append((end, role))
                }
            }
            while let last = exits.popLast() { exit(last.role) }
        }
        flush()
        return blocks
    }

    /// A block's place among the blocks of the whole page: "body", then the block
    /// elements from the top down to the block's own, e.g. "body/html/body/div/p".
    /// Made only when `inspect` asks: the walk has no use for it, and a path for
    /// every block element cost an eighth of the walk.
    public static func path(of block: Block, in document: HTMLDocument) -> String {
        var tags: [String] = []
        var node = block.element
        while node >= 0 {
            if rolesByTag[Int(document.nodes[node].tag)].contains(.block) { tags.append(document.nodes[node].name) }
            node = document.nodes[node].parent
        }
        return (["body"] + tags.reversed()).joined(separator: "/")
    }

    /// How the main content was chosen, for `inspect`.
    public struct MainContent: Sendable {
        /// Indexes of the blocks in the main content, in page order.
        public var blocks: [Int]
        /// Each block's own score (0 for blocks too short or in page furniture).
        public var blockScores: [Double]
        /// The winning container's element index and score, if any block scored.
        public var container: Int?
        public var containerScore: Double
        /// The best-scoring containers (element index, score), best first.
        public var candidates: [(element: Int, score: Double)] = []
    }

    /// The blocks that make up the page's main content.
    ///
    /// Readability's idea, counted for Chinese as well as English: each block scores
    /// by its punctuation (Chinese ，。、；！？ as well as ASCII) and its length in
    /// characters, not words, discounted by its links; the score flows to the
    /// block's container and, halved, to the container's parent; container names
    /// add or subtract ("article-content" vs "comments"). The best container, with
    /// siblings that score nearly as well, is the main content.
    public static func mainContent(_ blocks: [Block], in document: HTMLDocument) -> MainContent {
        var containerScore: [Int: Double] = [:]
        var blockScore = [Double](filledWith: 0, count: blocks.count)
        for (i, block) in blocks.enumerated() where !block.boilerplate && !block.unlikelyMain && block.characters >= 10 {
            let punctuation = block.profile.clausePunctuation
            let score = (1 + Double(punctuation) + min(Double(block.characters) / 50, 5)) * (1 - block.linkDensity)
            blockScore[i] = score
            var level = 0
            var ancestor = block.element >= 0 ? document.nodes[block.element].parent : -1
            // A table cell or list item also counts as its own container.
            if block.element >= 0, block.tag == "td" || block.tag == "li" || block.tag == "div" {
                containerScore[block.element, default: 0] += score / 2
            }
            while ancestor >= 0, level < 3 {
                containerScore[ancestor, default: 0] += score / Double(1 << level)
                ancestor = document.nodes[ancestor].parent
                level += 1
            }
        }
        for (node, score) in containerScore {
            containerScore[node] = score + classWeight(node, in: document)
        }
        guard let (top, topScore) = containerScore.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }) else {
            let all = blocks.indices.filter { !blocks[$0].boilerplate && blocks[$0].linkDensity < 0.5 }
            return MainContent(blocks: all, blockScores: blockScore, container: nil, containerScore: 0)
        }
        // Siblings of the top container that score well belong too (articles split
        // over several divs); so does everything inside it.
        var accepted: Set<Int> = [top]
        let parent = document.nodes[top].parent
        if parent >= 0 {
            for sibling in document.children(of: parent) where sibling != top {
                if let score = containerScore[sibling], score >= max(10, topScore * 0.2) { accepted.insert(sibling) }
            }
        }
        let chosen = blocks.indices.filter { i in
            let block = blocks[i]
            guard !block.boilerplate, !block.unlikelyMain, block.linkDensity < 0.5, block.element >= 0 else { return false }
            var node = block.element
            while node >= 0 {
                if accepted.contains(node) { return true }
                node = document.nodes[node].parent
            }
            return false
        }
        var result = MainContent(blocks: chosen, blockScores: blockScore, container: top, containerScore: topScore)
        result.candidates = containerScore.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
            .prefix(5).map { ($0.key, $0.value) }
        return result
    }

    static let positiveNames: Set<String> = [
        "article", "content", "entry", "main", "post", "text", "body", "story", "blog", "news", "hentry", "page",
        "statement", "declaration", "shengming",
    ]
    static let negativeNames: Set<String> = [
        "comment", "comments", "reply", "replies", "respond", "footer", "sidebar", "widget", "meta", "share",
        "related", "ad", "ads", "banner", "nav", "menu", "promo", "sponsor", "combx", "masthead", "tags", "author-info",
    ]

    /// +25 for a container whose class or id names content, −25 for one naming
    /// comments, sidebars and the like; a negative word anywhere outweighs positive
    /// ones (`id="comment-text" class="user-post-text"` is a comment). Worked out
    /// with the furniture test in `nameRoles`.
    static func classWeight(_ index: Int, in document: HTMLDocument) -> Double {
        nameRoles(index, in: document).weight
    }

    /// What a class or id word says of its element, for `nameRoles`.
    struct NameRole: OptionSet {
        let rawValue: UInt8
        static let boilerplate = NameRole(rawValue: 1)
        static let negative = NameRole(rawValue: 2)
        static let positive = NameRole(rawValue: 4)
    }

    /// Each name's roles. A name of two words ("author-info") is looked up as its
    /// words joined by a hyphen, whatever joined them in the page ("author_info",
    /// "post-author-info"): the words of a value are split at every non-letter, so a
    /// hyphenated name in these lists would otherwise never be met.
    private static let nameRoleTable: [String: NameRole] = {
        var roles: [String: NameRole] = [:]
        for word in boilerplateWords { roles[word, default: []].insert(.boilerplate) }
        for word in negativeNames { roles[word, default: []].insert(.negative) }
        for word in positiveNames { roles[word, default: []].insert(.positive) }
        return roles
    }()

    /// The first words of the two-word names, the only words after which a pair is looked up.
    private static let compoundFirstWords: Set<String> = Set(nameRoleTable.keys.compactMap { name in
        let words = name.split(separator: "-")
        return words.count == 2 ? String(words[0]) : nil
    })

    /// Whether an element's class, id or role names page furniture, and the weight
    /// its class and id give it as a container of the main text (-25 for comments,
    /// sidebars and the like, 25 for article, content and the like): one pass over
    /// the words, each looked up once.
    static func nameRoles(_ index: Int, in document: HTMLDocument) -> (boilerplate: Bool, weight: Double) {
        var classes: [String: NameRole] = [:]
        return nameRoles(document.attributes(of: index), classes: &classes)
    }

    /// `classes`: the roles of class values seen before, by value. A page repeats its
    /// classes from element to element ("menu-item", "post-link"), and splitting and
    /// looking up a value's words cost four times looking the value up.
    static func nameRoles(_ attributes: ArraySlice<HTMLDocument.Attribute>, classes: inout [String: NameRole]) -> (boilerplate: Bool, weight: Double) {
        var found: NameRole = []
        for attribute in attributes {
            switch attribute.name {
            case "class":
                if let known = classes[attribute.value] {
                    found.formUnion(known)
                } else {
                    let roles = roles(of: attribute.value.lowercased())
                    classes[attribute.value] = roles
                    found.formUnion(roles)
                }
            case "id":
                found.formUnion(roles(of: attribute.value.lowercased()))
            case "role":
                // A role says nothing of the weight, only of furniture.
                let value = attribute.value.lowercased()
                if ["navigation", "banner", "contentinfo", "complementary"].contains(value) || roles(of: value).contains(.boilerplate) {
                    found.insert(.boilerplate)
                }
            default:
                continue
            }
        }
        return (found.contains(.boilerplate), found.contains(.negative) ? -25 : found.contains(.positive) ? 25 : 0)
    }

    /// The roles of a lower-cased class, id or role value's words, and of its two-word names.
    private static func roles(of value: String) -> NameRole {
        let table = nameRoleTable
        var found: NameRole = []
        let words = nameWords(value)
        for (k, word) in words.enumerated() {
            let word = String(word)
            if let role = table[word] { found.formUnion(role) }
            if k + 1 < words.count, compoundFirstWords.contains(word), let role = table[word + "-" + words[k + 1]] {
                found.formUnion(role)
            }
        }
        return found
    }

    /// Every attribute the block walk and `metadata` read (and `inspect` shows): a
    /// parse for them may keep these alone (`HTMLParser.Options.attributes`).
    /// `BlockTextTests` checks pages read the same with only these.
    public static let attributesRead: Set<String> = [
        "class", "id", "role", "hidden", "aria-hidden", "style", "type", "lang", "xml:lang", "property", "name", "itemprop",
        "content", "http-equiv", "datetime",
    ]

    public static func metadata(of document: HTMLDocument) -> PageMetadata {
        var lang: String? = nil
        var published: String? = nil
        var author: String? = nil
        // Only the few elements asked about are copied out of the list.
        let html = HTMLDocument.tagNumber("html"), meta = HTMLDocument.tagNumber("meta"), time = HTMLDocument.tagNumber("time")
        for index in document.nodes.indices {
            let tag = document.nodes[index].tag
            guard tag == html || tag == meta || tag == time else { continue }
            let node = document.nodes[index]
            func attribute(_ name: String) -> String? { document.attribute(name, of: index) }
            switch node.name {
            case "html":
                if lang == nil, let value = attribute("lang") ?? attribute("xml:lang"), !value.isEmpty { lang = value }
            case "meta":
                let key = (attribute("property") ?? attribute("name") ?? attribute("itemprop") ?? "").lowercased()
                let content = attribute("content") ?? ""
                if attribute("http-equiv")?.lowercased() == "content-language", lang == nil, !content.isEmpty {
                    lang = content.split(separator: ",").first.map(String.init)
                }
                if published == nil, publishedKeys.contains(key) { published = isoDate(content) }
                if author == nil, ["author", "article:author", "dc.creator", "byline", "og:article:author"].contains(key),
                   !content.trimmingSpaces().isEmpty, !content.hasPrefix("http") {
                    author = content.trimmingSpaces()
                }
            case "time":
                if published == nil, let value = attribute("datetime") { published = isoDate(value) }
            default: break
            }
        }
        return PageMetadata(title: document.title, lang: lang?.trimmingSpaces(), published: published, author: author)
    }

    static let publishedKeys: Set<String> = [
        "article:published_time", "datepublished", "pubdate", "publishdate", "publish_date", "date", "dc.date",
        "dc.date.issued", "dcterms.created", "og:published_time", "sailthru.date", "parsely-pub-date",
    ]

    /// The date part of an ISO-like timestamp ("2006-01-15T08:00", "2006/1/5").
    static func isoDate(_ value: String) -> String? {
        let digits = value.trimmingSpaces().prefix(10).split(whereSeparator: { $0 == "-" || $0 == "/" || $0 == "." })
        guard digits.count == 3, let y = Int(digits[0]), let m = Int(digits[1]), let d = Int(digits[2].prefix(2)),
              (1900...2100).contains(y), (1...12).contains(m), (1...31).contains(d) else { return nil }
        return zeroPadded(y, 4) + "-" + zeroPadded(m, 2) + "-" + zeroPadded(d, 2)
    }

    /// Search boxes, log-ins and reply forms are dropped: a form with a field to type
    /// in, little text and no content elements. A form wrapping a page (ASP.NET pages
    /// do this) holds paragraphs and stays, so no statement is lost with it.
    /// Elements whose presence makes a container content, not a form.
    private static let formContentTags: Set<String> = ["p", "article", "blockquote", "li", "td", "section", "h1", "h2", "h3", "h4", "h5", "h6"]
    /// `<input type>` values that take typed text ("" for no type).
    private static let formTextInputs: Set<String> = ["", "text", "search", "password", "email", "tel", "url"]

    static func isSmallForm(_ index: Int, in document: HTMLDocument) -> Bool {
        // The sets made once: written here as literals, both were hashed afresh for
        // every form (3,300 instructions a call).
        let contentTags = formContentTags, textInputs = formTextInputs
        var characters = 0
        var hasField = false
        for k in index..<document.nodes[index].subtreeEnd {
            let node = document.nodes[k]
            switch node.kind {
            case .text:
                characters += LanguageProfile(node.text).visibleCharacters
                if characters >= 300 { return false }
            case .element:
                if contentTags.contains(node.name) { return false }
                if node.name == "textarea" || (node.name == "input" && textInputs.contains(document.attribute("type", of: k)?.lowercased() ?? "")) {
                    hasField = true
                }
            case .comment:
                break
            }
        }
        return hasField
    }

    /// One pass over the attributes (the walk asks this of every element it enters).
    static func isHidden(_ attributes: ArraySlice<HTMLDocument.Attribute>) -> Bool {
        for attribute in attributes {
            switch attribute.name {
            case "hidden":
                return true
            case "aria-hidden":
                if attribute.value.utf8.count == 4, asciiFolded(attribute.value) == Self.true { return true }
            case "style":
                let compact = asciiFolded(attribute.value)
                if occurs(Self.displayNone, in: compact) || occurs(Self.visibilityHidden, in: compact) { return true }
            default:
                continue
            }
        }
        return false
    }

    private static let displayNone = Array("display:none".utf8), visibilityHidden = Array("visibility:hidden".utf8), `true` = Array("true".utf8)

    /// An attribute's bytes with ASCII letters lowercased and CSS's white space
    /// (space, tab, line feed, form feed, carriage return) left out: CSS keywords are
    /// ASCII and match without regard to case. Lowercasing and filtering Characters
    /// took a tenth of the reading of real pages, whose markup is full of inline styles.
    static func asciiFolded(_ value: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0C, 0x0D: continue
            case 0x41...0x5A: out.append(byte | 0x20)
            default: out.append(byte)
            }
        }
        return out
    }

    /// Whether `declaration` is one of the style's declarations: at the start or after
    /// a ";", and followed by the end, a ";" or "!important" ("display:nonepx" is none).
    static func occurs(_ declaration: [UInt8], in style: [UInt8]) -> Bool {
        guard let first = declaration.first, declaration.count <= style.count else { return false }
        for start in 0...(style.count - declaration.count) where style[start] == first && (start == 0 || style[start - 1] == 0x3B) {
            let end = start + declaration.count
            if style[start..<end].elementsEqual(declaration), end == style.count || style[end] == 0x3B || style[end] == 0x21 { return true }
        }
        return false
    }

    /// The words of a class, id or role value: runs of letters and digits. Such values
    /// are nearly always ASCII, split here by byte (Characters cost 900 instructions
    /// a value); others are split by Character.
    static func nameWords(_ value: String) -> [Substring] {
        guard value.utf8.allSatisfy({ $0 < 0x80 }) else { return value.split(whereSeparator: { !$0.isLetter && !$0.isNumber }) }
        return value.utf8.split(whereSeparator: { byte in
            let lower = byte | 0x20
            return !(lower >= 0x61 && lower <= 0x7A) && !(byte >= 0x30 && byte <= 0x39)
        }).map { Substring($0) }
    }

    /// The text's lines (UTF-8), each trimmed of white space, without the empty ones,
    /// joined by line feeds: what `lines()` mapped through `trimmingSpaces()`,
    /// filtered and joined gives (a line feed after a carriage return does not end
    /// a line), made without a string for each line and a list of them. Only the
    /// lines' ends are decoded.
    static func trimmedLines(_ text: [UInt8]) -> String {
        text.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return "" }
            var length = 0
            forEachTrimmedLine(base, count: bytes.count) { start, end in length += (length > 0 ? 1 : 0) + end - start }
            if length == 0 { return "" }
            return String(wellFormedUTF8Capacity: length) { out in
                var k = 0
                forEachTrimmedLine(base, count: bytes.count) { start, end in
                    if k > 0 { out[k] = 0x0A; k += 1 }
                    (out.baseAddress! + k).initialize(from: base + start, count: end - start)
                    k += end - start
                }
                return k
            }
        }
    }

    /// The byte range of each line's text without white space at its ends, for the
    /// lines that have any.
    private static func forEachTrimmedLine(_ base: UnsafePointer<UInt8>, count n: Int, _ body: (Int, Int) -> Void) {
        func isWhite(_ value: UInt32) -> Bool { (Unicode.Scalar(value) ?? "a").isWhiteSpace }
        var lineStart = 0
        while lineStart < n {
            var end = lineStart
            while end < n, base[end] != 0x0A || (end > 0 && base[end - 1] == 0x0D) { end += 1 }
            var start = lineStart
            while start < end {
                let (value, length) = UTF8Code.decode(base, at: start)
                if !isWhite(value) { break }
                start += length
            }
            var stop = end
            while stop > start {
                var lead = stop - 1
                while base[lead] & 0xC0 == 0x80 { lead -= 1 }
                if !isWhite(UTF8Code.decode(base, at: lead).value) { break }
                stop = lead
            }
            if start < stop { body(start, stop) }
            lineStart = end + 1
        }
    }

    enum CollapsedText { case empty, blank, text }

    /// Appends a text node's text with HTML's whitespace (space, tab, newlines, form
    /// feed) and no-break spaces collapsed to one space, as a browser renders them;
    /// text that is only whitespace (`.blank`, the indentation between tags) is not
    /// appended. Works on the UTF-8 bytes: every such whitespace is an ASCII byte or
    /// the pair C2 A0, and no other scalar's encoding contains either, so the other
    /// bytes are copied as they are, into the block's bytes without a string of their
    /// own (its making and the check of its UTF-8 cost more than the collapsing).
    static func appendCollapsingWhitespace(_ text: String, to buffer: inout [UInt8]) -> CollapsedText {
        text.withUTF8Bytes { bytes in
            let n = bytes.count
            if n == 0 { return .empty }
            var blank = true
            var pendingSpace = false
            var i = 0
            // Runs of other bytes are copied whole: most Chinese text nodes are one run.
            while i < n {
                var end = i
                // Eight bytes at a step past those that are none of the whitespace bytes
                // (below 0x21, or C2 of a no-break space).
                if let base = bytes.baseAddress {
                    while n - end >= 8 {
                        let word = UTF8Code.word(at: base + end)
                        if UTF8Code.hasByteBelowSpace(word) || UTF8Code.hasByte(0x20, in: word) || UTF8Code.hasByte(0xC2, in: word) { break }
                        end += 8
                    }
                }
                while end < n {
                    let byte = bytes[end]
                    if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C { break }
                    if byte == 0xC2, end + 1 < n, bytes[end + 1] == 0xA0 { break }
                    end += 1
                }
                if end > i {
                    if pendingSpace { buffer.append(0x20); pendingSpace = false }
                    buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<end]))
                    blank = false
                    i = end
                }
                if i < n {
                    pendingSpace = true
                    i += bytes[i] == 0xC2 ? 2 : 1
                }
            }
            if blank { return .blank }
            if pendingSpace { buffer.append(0x20) }
            return .text
        }
    }
}


func zeroPadded(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
