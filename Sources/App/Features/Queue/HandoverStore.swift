import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

struct HandoverNoteInput: Content {
    /// Nil for the whole center (supervisors only).
    var practiceId: UUID?
    var text: String?
    /// After this, the note is no longer shown (ISO 8601 with offset).
    var expiresAt: String?
}

struct HandoverNoteDTO: Content {
    let id: UUID
    let practiceId: UUID?
    let practiceName: String
    let text: String
    let author: String
    let createdAt: Date
    let expiresAt: Date?
    let read: Bool
}

/// Handover notes (consignes de relève): shown to each secretary until she has read them.
enum HandoverStore {
    static func create(_ input: HandoverNoteInput, request req: Request, now: Date) async throws -> HandoverNoteRecord {
        let principal = try req.requirePrincipal()
        var problems: [FieldError] = []
        let text = (input.text ?? "").trimmed
        if text.isEmpty { problems.append(FieldError(field: "text", reason: "texte de la consigne obligatoire")) }
        if text.count > 2000 { problems.append(FieldError(field: "text", reason: "2 000 caractères au plus")) }
        var expires: Date?
        if let raw = input.expiresAt, !raw.trimmed.isEmpty {
            if let parsed = ISOTimestamp.parse(raw), parsed > now { expires = parsed } else {
                problems.append(FieldError(field: "expiresAt", reason: "date et heure ISO 8601 à venir attendues"))
            }
        }
        if input.practiceId == nil && !principal.role.seesEveryPractice {
            problems.append(FieldError(field: "practiceId", reason: "cabinet à choisir (les consignes pour tout le centre sont écrites par la responsable)"))
        }
        guard problems.isEmpty else { throw AppError.validation(problems) }
        if let practiceID = input.practiceId { _ = try await req.authorize(practice: practiceID) }
        let note = HandoverNoteRecord()
        note.id = UUID()
        note.practiceID = input.practiceId
        note.text = text
        note.authorLabel = principal.displayName
        note.createdAt = now
        note.expiresAt = expires
        let context = try req.writeContext()
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await note.create(on: tx)
            try await journal.record(.create, entity: "handover-note", entityID: note.id!.uuidString, practiceID: input.practiceId, after: ["text": text])
        }
        await context.publish(.handover, practice: input.practiceId)
        return note
    }

    /// The notes still in force for the practices `principal` reaches, newest first, each saying whether she read it.
    static func notes(for principal: Principal, unreadOnly: Bool, now: Date, on db: any Database) async throws -> [HandoverNoteDTO] {
        let practices = try await PracticeStore.visible(to: principal, on: db)
        let names = Dictionary(uniqueKeysWithValues: practices.map { ($0.id!, $0.name) })
        let notes = try await HandoverNoteRecord.query(on: db)
            .group(.or) { $0.filter(\.$practiceID == nil).filter(\.$practiceID ~~ Array(names.keys)) }
            .group(.or) { $0.filter(\.$expiresAt == nil).filter(\.$expiresAt > now) }
            .sort(\.$createdAt, .descending).limit(100).all()
        let read = Set(try await HandoverReadRecord.query(on: db).filter(\.$userID == principal.userID).filter(\.$noteID ~~ notes.map { $0.id! }).all().map(\.noteID))
        return notes.filter { !unreadOnly || !read.contains($0.id!) }.map {
            HandoverNoteDTO(id: $0.id!, practiceId: $0.practiceID, practiceName: $0.practiceID.flatMap { names[$0] } ?? "Tout le centre",
                            text: $0.text, author: $0.authorLabel, createdAt: $0.createdAt, expiresAt: $0.expiresAt, read: read.contains($0.id!))
        }
    }

    /// The notes of one practice the user may see (and the whole center's) that she has not read yet, newest first, in
    /// one statement: what the cockpit shows beside a call of that practice.
    static func unread(of practice: AuthorizedPractice, practiceName: String, for principal: Principal, now: Date,
                       on db: any Database) async throws -> [HandoverNoteDTO] {
        let notes = try await (db as! any SQLDatabase).raw("""
            SELECT n.* FROM handover_notes n
            WHERE (n.practice_id IS NULL OR n.practice_id = \(bind: practice.id))
              AND (n.expires_at IS NULL OR n.expires_at > \(bind: now))
              AND NOT EXISTS (SELECT 1 FROM handover_reads r WHERE r.note_id = n.id AND r.user_id = \(bind: principal.userID))
            ORDER BY n.created_at DESC LIMIT 100
            """).all(decodingFluent: HandoverNoteRecord.self)
        return notes.map {
            HandoverNoteDTO(id: $0.id!, practiceId: $0.practiceID, practiceName: $0.practiceID == nil ? "Tout le centre" : practiceName,
                            text: $0.text, author: $0.authorLabel, createdAt: $0.createdAt, expiresAt: $0.expiresAt, read: false)
        }
    }

    /// Marks a note read by the user; a note of a practice she does not reach is not found.
    static func markRead(_ id: UUID?, request req: Request, now: Date) async throws {
        let principal = try req.requirePrincipal()
        guard let id, let note = try await HandoverNoteRecord.find(id, on: req.db) else { throw AppError.notFound(what: "Consigne") }
        if let practiceID = note.practiceID { _ = try await req.authorize(practice: practiceID) }
        guard try await HandoverReadRecord.query(on: req.db).filter(\.$noteID == id).filter(\.$userID == principal.userID).count() == 0 else { return }
        let read = HandoverReadRecord()
        read.id = UUID()
        read.noteID = id
        read.userID = principal.userID
        read.readAt = now
        do {
            try await req.writer.unjournaled(on: req.db) { db in try await read.create(on: db) }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Read twice at once (two tabs): already recorded.
        }
    }
}
