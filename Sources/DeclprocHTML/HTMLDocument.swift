import DeclprocCollections

/// An HTML document as plain Swift values: a flat array of nodes in document order,
/// each element's descendants right after it, so every walk over it is a loop, never
/// recursion, and a subtree is a range of the array.
public struct HTMLDocument: Sendable {
    public struct Attribute: Sendable, Equatable {
        public let name: String
        public let value: String
    }

    /// Forty bytes a node: a page of a million nested tags is a million nodes, and their
    /// array is most of such a page's memory (docs/hardening.md, session 17).
    public struct Node: Sendable {
        public enum Kind: UInt8, Sendable { case element, text, comment }
        public let kind: Kind
        /// An element's place in `HTMLDocument.knownTags` (0 for a name not there), so
        /// a walk can look up what it does with a tag in an array, not by hashing its
        /// name. It fills the byte after `kind`: the node stays forty bytes.
        public let tag: UInt8
        private let storedDepth: UInt16
        private let storedParent: Int32
        /// An element's tag name or a text or comment node's characters: a node has one
        /// or the other, never both, so they share a field.
        private let value: String
        /// Where an element's attributes are in the document's `attributeList`: one
        /// array for the page, where an array an element was an allocation for every
        /// element that kept one (14,500 on 150 web pages), and a retain and a release
        /// at every copy of a node.
        private let attributeStart: Int32, attributeEnd: Int32
        /// Where the node's subtree ends in `nodes` (see `subtreeEnd`): one index, where
        /// an array of the children's indexes cost an allocation (and its growth) for
        /// every element, and a retain and a release at every copy of a node.
        fileprivate var storedEnd: Int32

        init(kind: Kind, name: String, tag: UInt8? = nil, attributes: Range<Int> = 0..<0, text: String, parent: Int, depth: Int) {
            self.kind = kind
            self.tag = kind == .element ? tag ?? HTMLDocument.tagNumber(name) : 0
            self.value = kind == .element ? name : text
            self.attributeStart = Int32(attributes.lowerBound)
            self.attributeEnd = Int32(attributes.upperBound)
            self.storedParent = Int32(parent)
            self.storedEnd = 0
            self.storedDepth = UInt16(depth)
        }

        /// Lower-case tag name for elements; empty otherwise.
        public var name: String { kind == .element ? value : "" }
        /// Character data for text and comment nodes; empty for elements.
        public var text: String { kind == .element ? "" : value }
        /// Index of the parent in `nodes`, or -1 for top-level nodes.
        public var parent: Int { Int(storedParent) }
        public var depth: Int { Int(storedDepth) }
        /// The index just past the node's last descendant: its subtree is the nodes
        /// from its own index up to this one.
        public var subtreeEnd: Int { Int(storedEnd) }
        /// Where the node's attributes are in `attributeList`.
        public var attributeRange: Range<Int> { Int(attributeStart)..<Int(attributeEnd) }
    }

    /// The elements of HTML 4 and HTML 5 and the obsolete ones pages still use; the
    /// first is no name, for the rest.
    public static let knownTags: [String] = [
        "",
        "a", "abbr", "acronym", "address", "applet", "area", "article", "aside", "audio", "b", "base", "basefont",
        "bdi", "bdo", "bgsound", "big", "blink", "blockquote", "body", "br", "button", "canvas", "caption", "center",
        "cite", "code", "col", "colgroup", "data", "datalist", "dd", "del", "details", "dfn", "dialog", "dir", "div",
        "dl", "dt", "em", "embed", "fieldset", "figcaption", "figure", "font", "footer", "form", "frame", "frameset",
        "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup", "hr", "html", "i", "iframe", "img", "input",
        "ins", "isindex", "kbd", "keygen", "label", "legend", "li", "link", "listing", "main", "map", "mark",
        "marquee", "math", "menu", "menuitem", "meta", "meter", "nav", "nobr", "noembed", "noframes", "noscript",
        "object", "ol", "optgroup", "option", "output", "p", "param", "picture", "plaintext", "pre", "progress", "q",
        "rb", "rp", "rt", "rtc", "ruby", "s", "samp", "script", "search", "section", "select", "slot", "small",
        "source", "span", "strike", "strong", "style", "sub", "summary", "sup", "svg", "table", "tbody", "td",
        "template", "textarea", "tfoot", "th", "thead", "time", "title", "tr", "track", "tt", "u", "ul", "var",
        "video", "wbr", "xmp",
    ]

    private static let tagNumbers: [String: UInt8] = Dictionary(
        uniqueKeysWithValues: knownTags.enumerated().dropFirst().map { ($0.element, UInt8($0.offset)) })

    /// A tag name's place in `knownTags`, or 0.
    public static func tagNumber(_ name: String) -> UInt8 { tagNumbers[name] ?? 0 }

    public internal(set) var nodes: [Node] = []
    /// Every element's attributes, one element's after another's (see `attributes(of:)`).
    public internal(set) var attributeList: [Attribute] = []
    /// Indexes of the top-level nodes (usually just `<html>`).
    public internal(set) var roots: [Int] = []
    /// How many nodes lay deeper than the depth cap. They are kept (their text is
    /// not lost) but re-attached at the cap, so the tree's depth stays bounded.
    public internal(set) var nodesBeyondDepthCap = 0

    /// What each XPath expression asked for at parse time selected: nodes (by index)
    /// or, for attribute nodes and string results, text.
    public internal(set) var selections: [String: XPathSelection] = [:]

    public init() {}

    /// The attributes of the node at `index`.
    public func attributes(of index: Int) -> ArraySlice<Attribute> { attributeList[nodes[index].attributeRange] }

    /// The value of the attribute `name` of the node at `index`, if it has one.
    public func attribute(_ name: String, of index: Int) -> String? {
        attributes(of: index).first { $0.name == name }?.value
    }

    /// Index of the first element named `name` in document order.
    public func firstElement(named name: String) -> Int? {
        nodes.firstIndex { $0.kind == .element && $0.name == name }
    }

    /// All text below `index`, in document order, concatenated (no separators).
    public func textContent(of index: Int) -> String {
        var result = ""
        for node in nodes[index..<nodes[index].subtreeEnd] where node.kind == .text { result += node.text }
        return result
    }

    /// The indexes of a node's children, in document order.
    public func children(of index: Int) -> Children {
        Children(nodes: nodes, following: index + 1, end: nodes[index].subtreeEnd)
    }

    /// A node's children: each after the subtree of the one before.
    public struct Children: Sequence, IteratorProtocol {
        let nodes: [Node]
        var following: Int
        let end: Int

        public mutating func next() -> Int? {
            guard following < end else { return nil }
            defer { following = nodes[following].subtreeEnd }
            return following
        }
    }

    /// Sets every node's `subtreeEnd`, first putting the nodes in document order if
    /// they are not: a builder appends them as they come, and libxml2 attaches a tag
    /// after `</html>` to the `<html>` element even when a top-level comment came
    /// between, which lands it outside that element's range. (Nodes past the depth cap
    /// keep the order: they go to an element still open, and the element at the cap
    /// never has children of its own.) Returns the new index of each old one when it
    /// moved them.
    mutating func layOut() -> [Int]? {
        computeEnds()
        if isInDocumentOrder() { return nil }
        // Children in the order they were attached, which is their index order.
        var children = [[Int]](filledWith: [], count: nodes.count)
        for index in nodes.indices where nodes[index].parent >= 0 { children[nodes[index].parent].append(index) }
        var order: [Int] = []
        order.reserveCapacity(nodes.count)
        var stack = Array(roots.reversed())
        while let index = stack.popLast() {
            order.append(index)
            stack.append(contentsOf: children[index].reversed())
        }
        var newIndex = [Int](filledWith: -1, count: nodes.count)
        for (position, index) in order.enumerated() { newIndex[index] = position }
        nodes = order.map { index in
            let node = nodes[index]
            return Node(kind: node.kind, name: node.name, tag: node.tag, attributes: node.attributeRange, text: node.text,
                        parent: node.parent >= 0 ? newIndex[node.parent] : -1, depth: node.depth)
        }
        roots = roots.map { newIndex[$0] }
        computeEnds()
        return newIndex
    }

    /// Each node's subtree end, from its own descendants' (parents come before children).
    private mutating func computeEnds() {
        for index in nodes.indices { nodes[index].storedEnd = Int32(index + 1) }
        for index in nodes.indices.reversed() {
            let parent = nodes[index].parent
            if parent >= 0, nodes[parent].storedEnd < nodes[index].storedEnd { nodes[parent].storedEnd = nodes[index].storedEnd }
        }
    }

    /// Whether every node's parent is the innermost node whose range holds it, so the
    /// ranges are the tree.
    private func isInDocumentOrder() -> Bool {
        var open: [Int] = []
        var nextRoot = 0
        for index in nodes.indices {
            while let last = open.last, nodes[last].subtreeEnd <= index { open.removeLast() }
            if let last = open.last {
                guard nodes[index].parent == last else { return false }
            } else {
                guard nodes[index].parent < 0, nextRoot < roots.count, roots[nextRoot] == index else { return false }
                nextRoot += 1
            }
            if nodes[index].subtreeEnd > index + 1 { open.append(index) }
        }
        return true
    }

    /// The `<title>` text, whitespace-collapsed.
    public var title: String? {
        guard let index = firstElement(named: "title") else { return nil }
        let text = textContent(of: index).split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        return text.isEmpty ? nil : text
    }
}

/// The result of one XPath expression on a document.
public struct XPathSelection: Sendable, Equatable {
    /// Element and text nodes, as indexes into `HTMLDocument.nodes`.
    public var nodes: [Int] = []
    /// Attribute values, or the value of an expression that yields a string or number.
    public var strings: [String] = []
}
