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
