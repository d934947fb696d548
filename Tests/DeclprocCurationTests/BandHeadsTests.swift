@testable import DeclprocCuration
import Testing

/// The band-head table against a Dictionary: the same answers after every step of
/// a seeded run of inserts, replacements and lookups, across many growths, with
/// keys that collide in the table's home slots and the key 0.
@Suite struct BandHeadsTests {
    @Test func answersAsADictionaryDoes() {
        var table = BandHeads(), reference: [UInt64: Int32] = [:]
        #expect(table.value(42) == 0 && table.all.isEmpty)
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        for step in 1...60_000 {
            let r = next()
            // A few thousand distinct keys, some equal in their high bits (the same home).
            let key: UInt64 = switch r % 4 {
            case 0: 0
            case 1: (r >> 8) % 5_000
            case 2: ((r >> 8) % 64) << 58
            default: r >> 3
            }
            if r % 3 == 0 {
                #expect(table.value(key) == reference[key] ?? 0, "step \(step)")
            } else {
                let value = Int32(truncatingIfNeeded: step)
                #expect(table.exchange(key, value) == reference.updateValue(value, forKey: key) ?? 0, "step \(step)")
            }
            #expect(table.count == reference.count)
        }
        #expect(table.all.map(\.key).sorted() == reference.keys.sorted())
        for (key, value) in table.all { #expect(reference[key] == value) }
        for key in reference.keys { #expect(table.value(key) == reference[key]) }
    }
}
