/// An HTML document as plain Swift values: a flat array of nodes, parents before
/// children, so every walk over it is a loop, never recursion.
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
        private let storedDepth: UInt16
        private let storedParent: Int32
        /// An element's tag name or a text or comment node's characters: a node has one
        /// or the other, never both, so they share a field.
        private let value: String
        public let attributes: [Attribute]
        /// Indexes of the children in `nodes`, in document order.
        public internal(set) var children: [Int]

        init(kind: Kind, name: String, attributes: [Attribute], text: String, parent: Int, children: [Int], depth: Int) {
            self.kind = kind
            self.value = kind == .element ? name : text
            self.attributes = attributes
            self.storedParent = Int32(parent)
            self.children = children
            self.storedDepth = UInt16(depth)
        }

        /// Lower-case tag name for elements; empty otherwise.
        public var name: String { kind == .element ? value : "" }
        /// Character data for text and comment nodes; empty for elements.
        public var text: String { kind == .element ? "" : value }
        /// Index of the parent in `nodes`, or -1 for top-level nodes.
        public var parent: Int { Int(storedParent) }
        public var depth: Int { Int(storedDepth) }

        public func attribute(_ name: String) -> String? {
            attributes.first { $0.name == name }?.value
        }
    }

    public internal(set) var nodes: [Node] = []
    /// Indexes of the top-level nodes (usually just `<html>`).
    public internal(set) var roots: [Int] = []
    /// How many nodes lay deeper than the depth cap. They are kept (their text is
    /// not lost) but re-attached at the cap, so the tree's depth stays bounded.
    public internal(set) var nodesBeyondDepthCap = 0

    /// What each XPath expression asked for at parse time selected: nodes (by index)
    /// or, for attribute nodes and string results, text.
    public internal(set) var selections: [String: XPathSelection] = [:]

    public init() {}

    /// Index of the first element named `name` in document order.
    public func firstElement(named name: String) -> Int? {
        nodes.firstIndex { $0.kind == .element && $0.name == name }
    }

    /// All text below `index`, in document order, concatenated (no separators).
    public func textContent(of index: Int) -> String {
        var result = ""
        var stack = [index]
        while let current = stack.popLast() {
            let node = nodes[current]
            if node.kind == .text { result += node.text }
            stack.append(contentsOf: node.children.reversed())
        }
        return result
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
