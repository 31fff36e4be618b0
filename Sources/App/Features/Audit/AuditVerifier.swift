import Fluent
import Foundation

/// What a walk along the chain found.
enum AuditVerification: Equatable, Sendable {
    case intact(entries: Int)
    case broken(seq: Int64, reason: String)
}

/// Walks the journal in order and names the first entry whose link or seal does not hold.
enum AuditVerifier {
    static func verify(on database: any Database, batchSize: Int = 1000) async throws -> AuditVerification {
        var previousHash = AuditChain.genesisHash
        var expectedSeq: Int64 = 1
        var count = 0
        while true {
            let batch = try await AuditEntryRecord.query(on: database)
                .filter(\.$id >= expectedSeq)
                .sort(\.$id)
                .limit(batchSize)
                .all()
            for entry in batch {
                let seq = entry.id ?? 0
                if seq != expectedSeq {
                    return .broken(seq: expectedSeq, reason: "entry #\(expectedSeq) is missing (the next one is #\(seq))")
                }
                if entry.previousHash != previousHash {
                    return .broken(seq: seq, reason: "entry #\(seq) does not link to entry #\(seq - 1): the previous entry was changed or removed")
                }
                if AuditChain.hash(of: entry) != entry.hash {
                    return .broken(seq: seq, reason: "entry #\(seq) (\(entry.action) \(entry.entity) \(entry.entityID)) was altered: its content no longer matches its hash")
                }
                previousHash = entry.hash
                expectedSeq = seq + 1
                count += 1
            }
            if batch.count < batchSize { return .intact(entries: count) }
        }
    }
}
