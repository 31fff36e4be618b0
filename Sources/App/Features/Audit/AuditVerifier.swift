import Fluent
import Foundation

/// What a walk along the chain found.
enum AuditVerification: Equatable, Sendable {
    case intact(entries: Int)
    case broken(seq: Int64, reason: String)
}

/// Walks the journal in order and names the first entry whose link or seal does not hold, then holds the chain
/// against the signed checkpoints: a chain shorter than a checkpoint lost its tail, a chain whose entry differs from
/// the one a checkpoint vouched for was rewritten and re-sealed.
enum AuditVerifier {
    static func verify(on database: any Database, seal: AuditSeal, batchSize: Int = 1000) async throws -> AuditVerification {
        var checkpoints: [AuditCheckpoint] = []
        for (line, checkpoint) in AuditCheckpoint.all(at: seal.checkpointsPath).enumerated() {
            guard let checkpoint, checkpoint.isSigned(by: seal) else {
                return .broken(seq: 0, reason: "checkpoint line \(line + 1) of \(seal.checkpointsPath) is not signed by the audit key: the checkpoints were tampered with")
            }
            checkpoints.append(checkpoint)
        }
        let vouched = Set(checkpoints.map(\.count))
        var hashAt: [Int64: String] = [:]
        var previousHash = AuditChain.genesisHash
        var expectedSeq: Int64 = 1
        var count = 0
        while true {
            let batch = try await AuditEntryRecord.query(on: database).filter(\.$id >= expectedSeq).sort(\.$id).limit(batchSize).all()
            for entry in batch {
                let seq = entry.id ?? 0
                if seq != expectedSeq {
                    return .broken(seq: expectedSeq, reason: "entry #\(expectedSeq) is missing (the next one is #\(seq))")
                }
                if entry.previousHash != previousHash {
                    return .broken(seq: seq, reason: "entry #\(seq) does not link to entry #\(seq - 1): the previous entry was changed or removed")
                }
                if let problem = payloadProblem(of: entry) ?? identityProblem(of: entry) {
                    return .broken(seq: seq, reason: "entry #\(seq) (\(entry.action) \(entry.entity) \(entry.entityID)) \(problem)")
                }
                if AuditChain.hash(of: entry, seal: seal) != entry.hash {
                    return .broken(seq: seq, reason: "entry #\(seq) (\(entry.action) \(entry.entity) \(entry.entityID)) was altered: its content no longer matches its seal")
                }
                if vouched.contains(seq) { hashAt[seq] = entry.hash }
                previousHash = entry.hash
                expectedSeq = seq + 1
                count += 1
            }
            if batch.count < batchSize { break }
        }
        for checkpoint in checkpoints where checkpoint.count > 0 {
            let when = ISOTimestamp.string(checkpoint.at, in: FrenchFormat.parisTimeZone)
            guard let hash = hashAt[checkpoint.count] else {
                let cut = checkpoint.count == count + 1 ? "entry #\(checkpoint.count) was cut" : "entries #\(count + 1) to #\(checkpoint.count) were cut"
                return .broken(seq: Int64(count) + 1, reason: "the journal ends at entry #\(count) but the checkpoint of \(when) vouched for \(checkpoint.count) entries: \(cut)")
            }
            if hash != checkpoint.head {
                return .broken(seq: checkpoint.count, reason: "entry #\(checkpoint.count) is not the one the checkpoint of \(when) vouched for: the chain was rewritten and re-sealed")
            }
        }
        return .intact(entries: count)
    }

    /// What is wrong with who and what the entry names against their digest (version 3), if anything.
    private static func identityProblem(of entry: AuditEntryRecord) -> String? {
        guard entry.chainVersion >= 3 else { return nil }
        if entry.prunedAt != nil {
            let blank = entry.actorID == nil && entry.actorLabel.isEmpty && entry.entityID.isEmpty && entry.practiceID == nil && entry.requestID == nil
            return blank ? nil : "says it was pruned but still names someone or something"
        }
        return AuditChain.identityDigest(of: entry) == entry.identityDigest ? nil
            : "was altered: who or what it names no longer matches its digest"
    }

    /// What is wrong with the entry's states against its digest (version 2), if anything.
    private static func payloadProblem(of entry: AuditEntryRecord) -> String? {
        guard entry.chainVersion >= 2 else { return nil }
        if entry.payloadErasedAt != nil {
            return entry.before == nil && entry.after == nil ? nil : "says its states were erased but still holds some"
        }
        return AuditChain.payloadDigest(before: entry.before, after: entry.after) == entry.payloadDigest ? nil
            : "was altered: its before or after state no longer matches its digest"
    }
}
