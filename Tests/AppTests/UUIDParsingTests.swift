import Foundation
import Testing
@testable import App

struct FastUUIDTests {
    @Test(arguments: [UUID(), UUID(), UUID(uuidString: "00000000-0000-0000-0000-000000000000")!, UUID(uuidString: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")!])
    func readsWhatFoundationReads(uuid: UUID) {
        #expect(UUID(fastString: uuid.uuidString) == uuid)
        #expect(UUID(fastString: uuid.uuidString.lowercased()) == uuid)
    }

    @Test(arguments: ["", "pas-un-uuid", "E621E1F8C36C495A93FC0C247A3E6E5F", "E621E1F8-C36C-495A-93FC-0C247A3E6E5G", "E621E1F8-C36C-495A-93FC-0C247A3E6E5F0"])
    func refusesWhatIsNotAUUID(text: String) {
        #expect(UUID(fastString: text) == nil)
    }
}

struct BulkUUIDTests {
    @Test func bulkIdentifiersAreVersion7AndSortByTime() {
        let earlier = Date(timeIntervalSince1970: 1_790_000_000), later = earlier.addingTimeInterval(0.002)
        let first = UUID.bulk(now: earlier), second = UUID.bulk(now: later)
        for id in [first, second] {
            let text = id.uuidString
            #expect(Array(text)[14] == "7", "version 7: \(text)")
            #expect("89AB".contains(Array(text)[19]), "RFC 9562 variant: \(text)")
        }
        #expect(first.uuidString < second.uuidString, "as text, which is how the databases compare them")
        // The first 48 bits are the milliseconds.
        #expect(first.uuidString.replacingOccurrences(of: "-", with: "").prefix(12) == String(1_790_000_000_000, radix: 16, uppercase: true).leftPadded(12))
        #expect(Set((0..<1_000).map { _ in UUID.bulk(now: earlier) }).count == 1_000, "random below the millisecond")
    }
}

private extension String {
    func leftPadded(_ length: Int) -> String { String(repeating: "0", count: max(0, length - count)) + self }
}
