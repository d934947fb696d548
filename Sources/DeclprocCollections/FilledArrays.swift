extension Array {
    /// `count` copies of `value`: what `Array(repeating:count:)` makes, made the way
    /// appending makes arrays.
    ///
    /// The standard library's `init(repeating:count:)` (and
    /// `init(unsafeUninitializedCapacity:initializingWith:)`) allocate through
    /// `_allocateBufferUninitialized`, which it never inlines: the buffer's class,
    /// `_ContiguousArrayStorage<Element>`, is then looked up in the runtime's cache of
    /// generic types at every call, some 400 instructions and an atomic count every core
    /// writes to. Reserving capacity goes through code specialized for `Element`, which
    /// looks the class up once for each place it is called from. A run of the web
    /// benchmark corpus made some 300,000 such arrays (a page's parse, a statement's
    /// sentences, Pinyin and alignment), and the lookups were 1.3% of one job's samples
    /// in `perf` (`docs/batch.md`, session 36).
    @inlinable
    public init(filledWith value: Element, count: Int) {
        self.init()
        reserveCapacity(count)
        append(contentsOf: repeatElement(value, count: count))
    }
}
